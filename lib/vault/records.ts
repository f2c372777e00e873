/**
 * Writing and reading records: encrypt in the caller's process, upload the ciphertext,
 * anchor its CID on-chain; fetch the ciphertext, check it against the anchored CID, and
 * only then decrypt. The storage service never sees a plaintext byte or a key.
 */
import { decodeEventLog, isAddressEqual, type Address, type Hash, type Hex } from "viem";
import { medVaultAbi } from "../chain/generated.ts";
import { Purpose } from "../chain/vocabulary.ts";
import { derivedKeyResolver, epochOf, type KeyResolver } from "../crypto/category.ts";
import { decryptRecord, encryptRecord } from "../crypto/envelope.ts";
import { MissingCategoryKeyError } from "../crypto/errors.ts";
import { cidFlags, cidToDigest, computeCid } from "../storage/cid.ts";
import { request, requestJson, ServiceError } from "./api.ts";
import { VaultError, type VaultContext } from "./context.ts";
import type { AccountKeys } from "./keys.ts";
import { packPayload, unpackPayload, type RecordPayload } from "./payload.ts";
import { keyEpochs, type RecordInfo } from "./reads.ts";
import { sendTx, type TxStatus } from "./tx.ts";
import { lastViewingSession, openViewingSession, SESSION_CODES } from "./viewing.ts";

export type WriteStage = "encrypt" | "upload" | "anchor" | "confirmed";
export type WriteProgress = { stage: WriteStage; tx?: TxStatus };

export type WriteRecordInput = {
  patient: Address;
  category: number;
  content: Uint8Array;
  mime: string;
  name?: string;
  /** The record this one replaces (a new version); 0 or absent for a new record. */
  supersedes?: number;
};

export type WrittenRecord = { recordId: number; cid: string; txHash: Hash; blockNumber: bigint };

export function recordContext(ctx: VaultContext, patient: Address) {
  return { chainId: ctx.chainId, contract: ctx.contract, patient };
}

/** The patient's own keys for their own records; anyone else needs the key shares they were given. */
export function ownKeyResolver(ctx: VaultContext, keys: AccountKeys): KeyResolver {
  return derivedKeyResolver(keys.key.secretKey, recordContext(ctx, keys.account));
}

export async function uploadCiphertext(
  ctx: VaultContext,
  bytes: Uint8Array,
  path = "/api/records/upload",
): Promise<string> {
  const expected = (await computeCid(bytes)).toString();
  const res = await requestJson<{ cid: string }>(ctx.api, path, {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
  // Anchoring a CID the service made up would point the chain at bytes nobody holds.
  if (res.cid !== expected) {
    throw new VaultError(
      "UPLOAD_CID_MISMATCH",
      `the storage service stored the record as ${res.cid}, but its bytes hash to ${expected}`,
    );
  }
  return expected;
}

export async function writeRecord(
  ctx: VaultContext,
  resolver: KeyResolver,
  input: WriteRecordInput,
  onProgress?: (p: WriteProgress) => void,
): Promise<WrittenRecord> {
  onProgress?.({ stage: "encrypt" });
  const epoch = epochOf(await keyEpochs(ctx, input.patient), input.category);
  const categoryKey = resolver(input.category, epoch);
  if (!categoryKey) throw new MissingCategoryKeyError(input.category, epoch);
  const envelope = encryptRecord(
    packPayload({ mime: input.mime, content: input.content, ...(input.name ? { name: input.name } : {}) }),
    { ...recordContext(ctx, input.patient), category: input.category },
    categoryKey,
    epoch,
  );

  onProgress?.({ stage: "upload" });
  const cid = await uploadCiphertext(ctx, envelope);

  onProgress?.({ stage: "anchor" });
  const { digest } = cidToDigest(cid);
  const { hash, receipt } = await sendTx(
    ctx,
    {
      functionName: "anchorRecord",
      args: [input.patient, digest, input.category, cidFlags(cid), input.supersedes ?? 0],
    },
    (tx) => onProgress?.({ stage: "anchor", tx }),
  );
  const recordId = anchoredId(receipt.logs, ctx.contract);
  onProgress?.({ stage: "confirmed" });
  return { recordId, cid, txHash: hash, blockNumber: receipt.blockNumber };
}

function anchoredId(
  logs: readonly { address: Address; data: Hex; topics: readonly Hex[] }[],
  contract: Address,
): number {
  for (const log of logs) {
    if (!isAddressEqual(log.address, contract)) continue;
    try {
      const ev = decodeEventLog({ abi: medVaultAbi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
      if (ev.eventName === "RecordAnchored") return Number((ev.args as { recordId: number }).recordId);
    } catch {
      // Another event of the contract; keep looking.
    }
  }
  throw new VaultError("NO_ANCHOR_EVENT", "the transaction confirmed but emitted no RecordAnchored event");
}

/**
 * The ciphertext of a record, as the storage service serves it to an account with live
 * consent. Anyone but the patient reads inside an on-chain viewing session: the last one
 * this reader opened for the patient, or (when the service refuses it and a wallet is at
 * hand) a new one for this record.
 */
export async function fetchCiphertext(
  ctx: VaultContext,
  record: Pick<RecordInfo, "cid" | "patient" | "recordId">,
): Promise<Uint8Array> {
  const path = `/api/records/${record.cid}?patient=${record.patient}&record=${record.recordId}`;
  if (isAddressEqual(ctx.account, record.patient))
    return new Uint8Array(await (await request(ctx.api, path)).arrayBuffer());
  const withSession = (hash: string | undefined) => (hash ? `${path}&session=${hash}` : path);
  try {
    const res = await request(ctx.api, withSession(lastViewingSession(ctx, record.patient)));
    return new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    if (!(err instanceof ServiceError) || !SESSION_CODES.has(err.code) || !ctx.walletClient) throw err;
  }
  const { hash } = await openViewingSession(ctx, record.patient, [record.recordId], Purpose.Treatment);
  return new Uint8Array(await (await request(ctx.api, withSession(hash))).arrayBuffer());
}

export type ProofCheck = { ok: boolean; onChainCid: string; computedCid: string; bytes: number };

/** Refetches the ciphertext, recomputes its CID here, and compares it with the chain's. */
export async function verifyRecord(ctx: VaultContext, record: RecordInfo): Promise<ProofCheck> {
  const bytes = await fetchCiphertext(ctx, record);
  const computed = (await computeCid(bytes)).toString();
  return { ok: computed === record.cid, onChainCid: record.cid, computedCid: computed, bytes: bytes.length };
}

/**
 * Crypto-shredding: the record stays anchored (history is never rewritten) but authorises
 * no reads any more, and the storage service refuses to serve it.
 */
/**
 * Erases a record: marked erased on-chain (it then authorises no reads, the patient's
 * included), then its ciphertext unpinned at the storage service so the node drops it.
 * The anchor and its history stay on-chain; nothing on-chain is deleted.
 */
export async function eraseRecord(
  ctx: VaultContext,
  record: Pick<RecordInfo, "recordId" | "cid" | "patient">,
  onStatus?: (s: TxStatus) => void,
) {
  const tx = await sendTx(ctx, { functionName: "markErased", args: [record.recordId] }, onStatus);
  await releaseErasedCiphertext(ctx, record);
  return tx;
}

/** Asks the storage service to unpin an erased record's ciphertext (safe to repeat). */
export async function releaseErasedCiphertext(
  ctx: VaultContext,
  record: Pick<RecordInfo, "recordId" | "cid" | "patient">,
): Promise<void> {
  await request(ctx.api, `/api/records/${record.cid}?patient=${record.patient}&record=${record.recordId}`, {
    method: "DELETE",
  });
}

export type OpenedRecord = RecordPayload & { record: RecordInfo };

/**
 * Fetch → verify against the anchored CID (IntegrityError-like VaultError on mismatch) →
 * decrypt with the caller's key resolver, bound to the category the chain recorded.
 */
export async function readRecord(ctx: VaultContext, resolver: KeyResolver, record: RecordInfo): Promise<OpenedRecord> {
  if (record.erased) throw new VaultError("ERASED", `record #${record.recordId} was erased by the patient`);
  const bytes = await fetchCiphertext(ctx, record);
  const computed = (await computeCid(bytes)).toString();
  if (computed !== record.cid) {
    throw new VaultError(
      "INTEGRITY",
      `the storage service returned bytes that hash to ${computed}, not the anchored ${record.cid}`,
    );
  }
  const plain = decryptRecord(bytes, { ...recordContext(ctx, record.patient), category: record.category }, resolver);
  return { ...unpackPayload(plain), record };
}
