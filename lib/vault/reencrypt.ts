/**
 * "Re-encrypt everything" — the strong answer to a revocation. Revoking already rotates
 * the categories the clinician held, so records written afterwards are unreadable to them;
 * but they still hold the old epochs' keys, and could decrypt old ciphertext obtained
 * elsewhere (a cached copy, a gateway). This routine:
 *   1. rotates the key epoch of every category that has a live record (one transaction),
 *   2. gives every remaining live grantee a fresh key share for the new epochs,
 *   3. re-encrypts each live record under a fresh content key and the new category key,
 *      anchors it as a new version superseding the old one, and erases the old one (marked
 *      on-chain, so the service serves it to nobody, and unpinned from storage).
 * Nothing is deleted: the old anchors stay on-chain as history.
 */
import type { Address } from "viem";
import { categoryMask } from "../records/categories.ts";
import type { VaultContext } from "./context.ts";
import { reshareGrants } from "./consent.ts";
import type { AccountKeys } from "./keys.ts";
import { listRecords, type RecordInfo } from "./reads.ts";
import { eraseRecord, ownKeyResolver, readRecord, writeRecord } from "./records.ts";
import { sendTx, type TxStatus } from "./tx.ts";

export type ReencryptProgress =
  | { stage: "rotate"; categories: number[]; tx?: TxStatus }
  | { stage: "reshare"; grantee?: Address; tx?: TxStatus }
  | { stage: "record"; done: number; total: number; recordId: number; newRecordId?: number };

export type ReencryptResult = {
  rotated: number[];
  reshared: Address[];
  /** Old record id → the id of the version that replaced it. */
  replaced: Map<number, number>;
};

/** Records that are current: not erased and not superseded by a later version. */
export function liveRecords(records: readonly RecordInfo[]): RecordInfo[] {
  const superseded = new Set(records.filter((r) => r.supersedes > 0).map((r) => r.supersedes));
  return records.filter((r) => !r.erased && !superseded.has(r.recordId));
}

export async function reencryptAll(
  ctx: VaultContext,
  keys: AccountKeys,
  onProgress?: (p: ReencryptProgress) => void,
): Promise<ReencryptResult> {
  const patient = keys.account;
  const own = ownKeyResolver(ctx, keys);
  const live = liveRecords(await listRecords(ctx, patient)).sort((a, b) => a.recordId - b.recordId);
  const rotated = [...new Set(live.map((r) => r.category))].sort((a, b) => a - b);
  const replaced = new Map<number, number>();
  if (live.length === 0) return { rotated: [], reshared: [], replaced };

  onProgress?.({ stage: "rotate", categories: rotated });
  await sendTx(ctx, { functionName: "rotateKeys", args: [categoryMask(rotated)] }, (tx) =>
    onProgress?.({ stage: "rotate", categories: rotated, tx }),
  );

  onProgress?.({ stage: "reshare" });
  const reshared = await reshareGrants(ctx, keys, rotated, {
    onStatus: (tx, _step, grantee) => onProgress?.({ stage: "reshare", grantee, tx }),
  });

  for (const [i, record] of live.entries()) {
    onProgress?.({ stage: "record", done: i, total: live.length, recordId: record.recordId });
    const opened = await readRecord(ctx, own, record);
    const written = await writeRecord(ctx, own, {
      patient,
      category: record.category,
      content: opened.content,
      mime: opened.mime,
      ...(opened.name ? { name: opened.name } : {}),
      supersedes: record.recordId,
    });
    await eraseRecord(ctx, record);
    replaced.set(record.recordId, written.recordId);
    onProgress?.({
      stage: "record",
      done: i + 1,
      total: live.length,
      recordId: record.recordId,
      newRecordId: written.recordId,
    });
  }
  return { rotated, reshared, replaced };
}
