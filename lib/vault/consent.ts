/**
 * Consent with key material: a grant ships the category keys in scope (every epoch up to
 * the current one) as a key share for the grantee; a revocation rotates the keys the
 * grantee held in the same transaction and re-shares them with everyone still entitled.
 */
import { isAddressEqual, zeroHash, type Address, type Hash, type Hex, type TypedDataDefinition } from "viem";
import { grantConsentTypes, medVaultDomain, revokeConsentTypes } from "../chain/eip712.ts";
import { Scope } from "../chain/vocabulary.ts";
import { medVaultAbi } from "../chain/generated.ts";
import { entriesKeyResolver, type KeyResolver } from "../crypto/category.ts";
import { createKeyShare, openKeyShare, shareEntriesFor } from "../crypto/keyshare.ts";
import { categoriesToRotate, type GrantScope } from "../crypto/revocation.ts";
import { CATEGORY_IDS, categoriesFromMask, categoryMask } from "../records/categories.ts";
import { cidFromDigest, cidToDigest, verifyBytes } from "../storage/cid.ts";
import { request } from "./api.ts";
import { VaultError, type VaultContext } from "./context.ts";
import { registeredKey, type AccountKeys } from "./keys.ts";
import { grantsTo, keyEpochs, listGrants, type GrantInfo } from "./reads.ts";
import { recordContext, uploadCiphertext } from "./records.ts";
import { sendMulticall, sendTx, type TxStatus } from "./tx.ts";
import { openViewingSession } from "./viewing.ts";

export type GrantTerms = {
  grantee: Address;
  scope: 0 | 1 | 2;
  /** For scope 1 (categories). */
  categories?: readonly number[];
  /** For scope 2 (single records). */
  recordIds?: readonly number[];
  /** 1 read, 2 read+write (not with scope 2), 3 escrow (emergency kit, to a registrar only). */
  permission: 1 | 2 | 3;
  /** Unix seconds. */
  expiry: number;
  purpose: number;
};

async function recordCategories(ctx: VaultContext, patient: Address, ids: readonly number[]): Promise<number[]> {
  return Promise.all(
    ids.map(async (id) => {
      const [, category] = await ctx.publicClient.readContract({
        address: ctx.contract,
        abi: medVaultAbi,
        functionName: "getRecord",
        args: [patient, id],
      });
      return Number(category);
    }),
  );
}

async function scopeOf(
  ctx: VaultContext,
  patient: Address,
  scope: number,
  mask: number,
  recordIds: readonly number[],
): Promise<GrantScope> {
  if (scope === Scope.All) return { kind: Scope.All };
  if (scope === Scope.Categories) return { kind: Scope.Categories, categoryMask: mask };
  return { kind: Scope.Records, recordCategories: await recordCategories(ctx, patient, recordIds) };
}

/** Builds the key share for `grantee` over `categories`, uploads it and returns its digest. */
async function uploadKeyShare(
  ctx: VaultContext,
  keys: AccountKeys,
  grantee: Address,
  categories: readonly number[],
): Promise<Hex> {
  const granteeKey = await registeredKey(ctx, grantee);
  if (granteeKey === zeroHash) {
    throw new VaultError(
      "GRANTEE_NO_KEY",
      `${grantee} has not unlocked MedVault yet (no encryption key on-chain), so nothing can be shared with them`,
    );
  }
  const entries = shareEntriesFor(
    keys.key.secretKey,
    recordContext(ctx, keys.account),
    categories,
    await keyEpochs(ctx, keys.account),
  );
  const share = createKeyShare({
    ctx: { chainId: ctx.chainId, contract: ctx.contract },
    patient: keys.account,
    grantee,
    granteePublicKey: granteeKey,
    entries,
  });
  return cidToDigest(await uploadCiphertext(ctx, share)).digest;
}

export function termsCategoryMask(terms: GrantTerms): number {
  return terms.scope === Scope.Categories ? categoryMask(terms.categories ?? []) : 0;
}

/**
 * The EIP-712 typed data a patient signs (viem `signTypedData`) so anyone may relay the grant
 * with `grantConsentBySig`. The nonce is the (patient, grantee) pair's: any later consent change
 * of that pair, or `cancelSignatures(grantee)`, voids the signature.
 */
export async function grantConsentTypedData(
  ctx: VaultContext,
  patient: Address,
  terms: GrantConsentMessage,
  deadline: bigint,
): Promise<TypedDataDefinition<typeof grantConsentTypes, "GrantConsent">> {
  const nonce = await consentNonce(ctx, patient, terms.grantee);
  return {
    domain: medVaultDomain(ctx.chainId, ctx.contract),
    types: grantConsentTypes,
    primaryType: "GrantConsent",
    message: { patient, ...terms, recordIds: [...terms.recordIds], nonce, deadline },
  };
}

/** The EIP-712 typed data a patient signs so anyone may relay a revocation (`revokeConsentBySig`). */
export async function revokeConsentTypedData(
  ctx: VaultContext,
  patient: Address,
  grantee: Address,
  deadline: bigint,
): Promise<TypedDataDefinition<typeof revokeConsentTypes, "RevokeConsent">> {
  const nonce = await consentNonce(ctx, patient, grantee);
  return {
    domain: medVaultDomain(ctx.chainId, ctx.contract),
    types: revokeConsentTypes,
    primaryType: "RevokeConsent",
    message: { patient, grantee, nonce, deadline },
  };
}

/** The nonce the patient's next signature for `grantee` must carry (uint32 on-chain). */
async function consentNonce(ctx: VaultContext, patient: Address, grantee: Address): Promise<number> {
  const n = await ctx.publicClient.readContract({
    address: ctx.contract,
    abi: medVaultAbi,
    functionName: "consentNonce",
    args: [patient, grantee],
  });
  return Number(n);
}

/** Patient: voids every signed grant or revocation for `grantee` not relayed yet. */
export async function cancelSignatures(
  ctx: VaultContext,
  grantee: Address,
  onStatus?: (s: TxStatus) => void,
): Promise<Hash> {
  const { hash } = await sendTx(ctx, { functionName: "cancelSignatures", args: [grantee] }, onStatus);
  return hash;
}

/** The grant terms exactly as the contract takes and signs them. */
export type GrantConsentMessage = {
  grantee: Address;
  scope: number;
  categoryMask: number;
  recordIds: readonly number[];
  permission: number;
  /** Unix seconds (uint40). */
  expiry: number;
  purpose: number;
  keyShareDigest: Hex;
};

export async function grantAccess(
  ctx: VaultContext,
  keys: AccountKeys,
  terms: GrantTerms,
  onStatus?: (s: TxStatus) => void,
): Promise<Hash> {
  if (isAddressEqual(terms.grantee, keys.account))
    throw new VaultError("SELF_GRANT", "you cannot grant access to yourself");
  const mask = termsCategoryMask(terms);
  const recordIds = terms.scope === Scope.Records ? [...(terms.recordIds ?? [])] : [];
  if (terms.scope === Scope.Categories && mask === 0) throw new VaultError("EMPTY_SCOPE", "pick at least one category");
  if (terms.scope === Scope.Records && recordIds.length === 0)
    throw new VaultError("EMPTY_SCOPE", "pick at least one record");
  const scope = await scopeOf(ctx, keys.account, terms.scope, mask, recordIds);
  const categories = terms.scope === Scope.All ? [...CATEGORY_IDS] : categoriesToRotate(scope);
  const digest = await uploadKeyShare(ctx, keys, terms.grantee, categories);
  const { hash } = await sendTx(
    ctx,
    {
      functionName: "grantConsent",
      args: [
        {
          grantee: terms.grantee,
          scope: terms.scope,
          categoryMask: mask,
          recordIds,
          permission: terms.permission,
          expiry: terms.expiry,
          purpose: terms.purpose,
          keyShareDigest: digest,
        },
      ],
    },
    onStatus,
  );
  return hash;
}

/**
 * Revokes `grantee` and rotates the categories they held in one transaction, then gives
 * every remaining live grantee whose scope overlaps a fresh key share (one transaction each),
 * so they keep reading records written from now on.
 */
export async function revokeAccess(
  ctx: VaultContext,
  keys: AccountKeys,
  grantee: Address,
  onStatus?: (s: TxStatus, step: string) => void,
): Promise<{ hash: Hash; rotated: number[]; reshared: Address[] }> {
  const grants = await listGrants(ctx, keys.account);
  const target = grants.find((g) => isAddressEqual(g.grantee, grantee));
  if (!target || target.revoked) throw new VaultError("NO_GRANT", `${grantee} holds no grant to revoke`);
  const rotated = categoriesToRotate(
    await scopeOf(ctx, keys.account, target.scope, target.categoryMask, target.recordIds),
  );
  const mask = categoryMask(rotated);
  const { hash } = await sendMulticall(
    ctx,
    [
      { functionName: "revokeConsent", args: [grantee] },
      { functionName: "rotateKeys", args: [mask] },
    ],
    (s) => onStatus?.(s, "revoke"),
  );
  const reshared = await reshareGrants(ctx, keys, rotated, { except: grantee, grants, onStatus });
  return { hash, rotated, reshared };
}

/**
 * After `rotated` categories got a new key epoch, gives every live grantee whose scope
 * overlaps them a fresh key share (one transaction each, same terms), so they keep
 * reading records written from now on.
 */
export async function reshareGrants(
  ctx: VaultContext,
  keys: AccountKeys,
  rotated: readonly number[],
  opts: {
    except?: Address;
    grants?: GrantInfo[];
    onStatus?: (s: TxStatus, step: string, grantee: Address) => void;
  } = {},
): Promise<Address[]> {
  const grants = opts.grants ?? (await listGrants(ctx, keys.account));
  const reshared: Address[] = [];
  for (const g of grants) {
    if (g.state !== "active" || (opts.except && isAddressEqual(g.grantee, opts.except))) continue;
    const held = categoriesToRotate(await scopeOf(ctx, keys.account, g.scope, g.categoryMask, g.recordIds));
    if (!held.some((c) => rotated.includes(c))) continue;
    const digest = await uploadKeyShare(ctx, keys, g.grantee, held);
    await sendTx(
      ctx,
      {
        functionName: "grantConsent",
        args: [
          {
            grantee: g.grantee,
            scope: g.scope,
            categoryMask: g.categoryMask,
            recordIds: g.recordIds,
            permission: g.permission,
            expiry: g.expiry,
            purpose: g.purpose,
            keyShareDigest: digest,
          },
        ],
      },
      (s) => opts.onStatus?.(s, `re-share with ${g.grantee}`, g.grantee),
    );
    reshared.push(g.grantee);
  }
  return reshared;
}

/** The categories a grant covers (all, its mask, or its records' categories). */
export async function grantCategories(ctx: VaultContext, g: GrantInfo): Promise<number[]> {
  if (g.scope === Scope.All) return [...CATEGORY_IDS];
  if (g.scope === Scope.Categories) return categoriesFromMask(g.categoryMask);
  return [...new Set(await recordCategories(ctx, g.patient, g.recordIds))];
}

/**
 * A grantee's key resolver for `patient`: opens the key share named by the latest grant,
 * after checking its bytes against the digest on-chain.
 */
export async function granteeKeyResolver(ctx: VaultContext, keys: AccountKeys, patient: Address): Promise<KeyResolver> {
  const grant = (await grantsTo(ctx, keys.account)).find((g) => isAddressEqual(g.patient, patient));
  if (!grant || grant.keyShareDigest === zeroHash) {
    throw new VaultError("NO_KEY_SHARE", `patient ${patient} has not shared any keys with you`);
  }
  const cid = cidFromDigest(grant.keyShareDigest, false);
  const res = await request(ctx.api, `/api/keyshares/${cid.toString()}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  await verifyBytes(cid, bytes);
  const entries = openKeyShare(bytes, keys.key.secretKey, { ...recordContext(ctx, patient), grantee: keys.account });
  return entriesKeyResolver(entries);
}

/** Opens a viewing session on-chain; reads of these records then pass its hash (lib/vault/viewing.ts). */
export async function openSession(
  ctx: VaultContext,
  patient: Address,
  recordIds: readonly number[],
  purpose: number,
  onStatus?: (s: TxStatus) => void,
) {
  return openViewingSession(ctx, patient, recordIds, purpose, onStatus);
}

export async function breakGlass(
  ctx: VaultContext,
  patient: Address,
  reason: string,
  durationSeconds: number,
  onStatus?: (s: TxStatus) => void,
) {
  if (reason.trim().length < 10)
    throw new VaultError("REASON_REQUIRED", "give the emergency reason in at least 10 characters");
  if (!Number.isInteger(durationSeconds) || durationSeconds <= 0)
    throw new VaultError("BAD_DURATION", "pick how long the emergency access lasts");
  return sendTx(
    ctx,
    { functionName: "openEmergencyAccess", args: [patient, reason.trim(), durationSeconds] },
    onStatus,
  );
}

export async function endEmergency(
  ctx: VaultContext,
  patient: Address,
  clinician: Address,
  onStatus?: (s: TxStatus) => void,
) {
  return sendTx(ctx, { functionName: "endEmergencyAccess", args: [patient, clinician] }, onStatus);
}
