/**
 * The emergency kit: break-glass access that can decrypt.
 *
 * Break-glass authorises reads but carries no keys. A patient who opts in grants a
 * registrar an Escrow grant (permission 3) over the emergency categories; the contract never
 * lets an escrow authorise a read or a write, whatever its holder becomes later, so its key
 * share is only an escrow. When a clinician holds live emergency access, a registrar opens the
 * escrow, re-wraps those keys for the clinician's registered key, stores the new share and
 * logs the release on-chain (`EmergencyKeysReleased`), which the patient's timeline shows
 * beside the emergency access.
 */
import { isAddressEqual, zeroHash, type Address, type Hash, type Hex } from "viem";
import { Permission, Purpose, REGISTRAR_ROLE, Scope } from "../chain/vocabulary.ts";
import { medVaultAbi } from "../chain/generated.ts";
import { entriesKeyResolver, type CategoryKeyEntry, type KeyResolver } from "../crypto/category.ts";
import { createKeyShare, openKeyShare } from "../crypto/keyshare.ts";
import { categoryMask, EMERGENCY_CATEGORIES } from "../records/categories.ts";
import { cidFromDigest, computeCid, cidToDigest, verifyBytes } from "../storage/cid.ts";
import { request } from "./api.ts";
import { grantAccess } from "./consent.ts";
import { VaultError, type VaultContext } from "./context.ts";
import { registeredKey, type AccountKeys } from "./keys.ts";
import { events } from "./gateway.ts";
import { blockTime, chainNow, grantsTo, listGrants, type GrantInfo } from "./reads.ts";
import { recordContext, uploadCiphertext } from "./records.ts";
import { sendTx, type TxStatus } from "./tx.ts";

export const EMERGENCY_MASK = categoryMask(EMERGENCY_CATEGORIES);
/** How long a kit lasts: an escrow is only useful if it is there on the day, years later. */
export const KIT_LIFETIME_SECONDS = 10 * 365 * 86_400;

export async function isRegistrar(ctx: VaultContext, account: Address): Promise<boolean> {
  return ctx.publicClient.readContract({
    address: ctx.contract,
    abi: medVaultAbi,
    functionName: "hasRole",
    args: [REGISTRAR_ROLE, account],
  });
}

/** Accounts holding REGISTRAR_ROLE now (granted by the admin, not since revoked). */
export async function listRegistrars(ctx: VaultContext): Promise<Address[]> {
  const granted = await events(ctx, "RoleGranted", { role: REGISTRAR_ROLE });
  const seen = new Map<string, Address>();
  for (const l of granted) seen.set(l.args.account.toLowerCase(), l.args.account);
  const live = await Promise.all([...seen.values()].map(async (a) => ((await isRegistrar(ctx, a)) ? a : undefined)));
  return live.filter((a): a is Address => a !== undefined);
}

/** The patient's live kit (an Escrow grant to a registrar over exactly the emergency categories), if any. */
export async function emergencyKitOf(ctx: VaultContext, patient: Address): Promise<GrantInfo | undefined> {
  const grants = await listGrants(ctx, patient);
  for (const g of grants) {
    if (
      g.state !== "active" ||
      g.permission !== Permission.Escrow ||
      g.scope !== Scope.Categories ||
      g.categoryMask !== EMERGENCY_MASK
    )
      continue;
    if (await isRegistrar(ctx, g.grantee)) return g;
  }
  return undefined;
}

/** Patient: escrows the emergency categories' keys with `registrar` (one grant transaction). */
export async function setupEmergencyKit(
  ctx: VaultContext,
  keys: AccountKeys,
  registrar: Address,
  onStatus?: (s: TxStatus) => void,
): Promise<Hash> {
  if (!(await isRegistrar(ctx, registrar))) {
    throw new VaultError("NOT_A_REGISTRAR", `${registrar} is not a registrar, so it cannot hold your emergency kit`);
  }
  const expiry = (await chainNow(ctx)) + KIT_LIFETIME_SECONDS;
  return grantAccess(
    ctx,
    keys,
    {
      grantee: registrar,
      scope: Scope.Categories,
      categories: EMERGENCY_CATEGORIES,
      permission: Permission.Escrow,
      expiry,
      purpose: Purpose.Other,
    },
    onStatus,
  );
}

/** Fetches the key share a digest names, checks its bytes against it, and opens it as `keys`. */
async function openShare(
  ctx: VaultContext,
  keys: AccountKeys,
  patient: Address,
  digest: Hex,
): Promise<CategoryKeyEntry[]> {
  const cid = cidFromDigest(digest, false);
  const res = await request(ctx.api, `/api/keyshares/${cid.toString()}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  await verifyBytes(cid, bytes);
  return openKeyShare(bytes, keys.key.secretKey, { ...recordContext(ctx, patient), grantee: keys.account });
}

export type Release = { hash: Hash; keyShareDigest: Hex; categories: number[] };

/**
 * Registrar: re-wraps `patient`'s escrowed emergency keys for `clinician`, stores the share
 * and logs the release. The release is simulated before anything is stored, so without live
 * emergency access it fails with the contract's error and no share for the clinician exists.
 */
export async function releaseEmergencyKit(
  ctx: VaultContext,
  registrarKeys: AccountKeys,
  patient: Address,
  clinician: Address,
  onStatus?: (s: TxStatus) => void,
): Promise<Release> {
  const kit = (await grantsTo(ctx, registrarKeys.account)).find(
    (g) => isAddressEqual(g.patient, patient) && g.state === "active" && g.permission === Permission.Escrow,
  );
  if (!kit || kit.keyShareDigest === zeroHash) {
    throw new VaultError("NO_EMERGENCY_KIT", `patient ${patient} has not set up an emergency kit with you`);
  }
  const clinicianKey = await registeredKey(ctx, clinician);
  if (clinicianKey === zeroHash) {
    throw new VaultError(
      "GRANTEE_NO_KEY",
      `${clinician} has not unlocked MedVault yet (no encryption key on-chain), so no keys can be released to them`,
    );
  }
  const escrow = await openShare(ctx, registrarKeys, patient, kit.keyShareDigest);
  // Only the emergency categories leave the escrow, whatever else the registrar was given.
  const entries = escrow.filter((e) => (EMERGENCY_CATEGORIES as readonly number[]).includes(e.category));
  if (entries.length === 0)
    throw new VaultError("NO_EMERGENCY_KIT", `patient ${patient}'s grant to you holds no emergency category keys`);
  const share = createKeyShare({
    ctx: { chainId: ctx.chainId, contract: ctx.contract },
    patient,
    grantee: clinician,
    granteePublicKey: clinicianKey,
    entries,
  });
  const { digest } = cidToDigest(await computeCid(share));
  await ctx.publicClient.simulateContract({
    address: ctx.contract,
    abi: medVaultAbi,
    functionName: "releaseEmergencyKeys",
    args: [patient, clinician, digest],
    account: ctx.account,
  });
  await uploadCiphertext(ctx, share);
  const { hash } = await sendTx(
    ctx,
    { functionName: "releaseEmergencyKeys", args: [patient, clinician, digest] },
    onStatus,
  );
  return {
    hash,
    keyShareDigest: digest,
    categories: [...new Set(entries.map((e) => e.category))].sort((a, b) => a - b),
  };
}

/** Clinician: the keys of the latest emergency kit a registrar released to them for `patient`. */
export async function emergencyKeyResolver(
  ctx: VaultContext,
  clinicianKeys: AccountKeys,
  patient: Address,
): Promise<KeyResolver> {
  const released = await events(ctx, "EmergencyKeysReleased", { patient, clinician: clinicianKeys.account });
  const latest = released.at(-1);
  if (!latest)
    throw new VaultError("NO_EMERGENCY_KEYS", `no registrar has released patient ${patient}'s emergency kit to you`);
  return entriesKeyResolver(await openShare(ctx, clinicianKeys, patient, latest.args.keyShareDigest));
}

export type OpenEmergency = {
  patient: Address;
  clinician: Address;
  reason: string;
  openedAt: number;
  expiresAt: number;
  /** A registrar already released the kit for this access. */
  released: boolean;
};

/**
 * Emergency accesses live now (opened, not ended, not expired), newest first: the registrar's
 * work list, or with `patient` the ones on that patient (their dashboard's banners).
 */
export async function listOpenEmergencies(ctx: VaultContext, patient?: Address): Promise<OpenEmergency[]> {
  const filter = patient ? { patient } : undefined;
  const [opened, releases, now] = await Promise.all([
    events(ctx, "EmergencyAccessOpened", filter),
    events(ctx, "EmergencyKeysReleased", filter),
    chainNow(ctx),
  ]);
  const key = (a: { patient: Address; clinician: Address }) =>
    `${a.patient.toLowerCase()}|${a.clinician.toLowerCase()}`;
  const latest = new Map<string, (typeof opened)[number]>();
  for (const l of opened) latest.set(key(l.args), l);
  const out: OpenEmergency[] = [];
  for (const l of latest.values()) {
    const { patient, clinician } = l.args;
    // The view, not the event, says whether it is still live: it may have been ended since.
    const until = Number(
      await ctx.publicClient.readContract({
        address: ctx.contract,
        abi: medVaultAbi,
        functionName: "emergencyAccessUntil",
        args: [patient, clinician],
      }),
    );
    if (until <= now) continue;
    const after = (r: (typeof releases)[number]) =>
      r.blockNumber > l.blockNumber || (r.blockNumber === l.blockNumber && r.logIndex > l.logIndex);
    out.push({
      patient,
      clinician,
      reason: l.args.reason,
      openedAt: await blockTime(ctx, l.blockNumber),
      expiresAt: until,
      released: releases.some((r) => key(r.args) === key(l.args) && after(r)),
    });
  }
  return out.sort((a, b) => b.openedAt - a.openedAt);
}
