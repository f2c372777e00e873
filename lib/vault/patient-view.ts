/**
 * A reader's view of one patient: which records a grant (or an emergency access) covers,
 * one viewing session over all of them (one transaction, not one per record), and their
 * decryption record by record, each failure kept in words beside its record. The
 * clinician's dashboard and the demo seed open sessions through here.
 */
import type { Address } from "viem";
import type { KeyResolver } from "../crypto/category.ts";
import { MAX_SESSION_RECORDS, Purpose, Scope } from "../chain/vocabulary.ts";
import { EMERGENCY_CATEGORIES } from "../records/categories.ts";
import { grantCategories, openSession } from "./consent.ts";
import type { VaultContext } from "./context.ts";
import { explainError } from "./errors.ts";
import { listRecords, type GrantInfo, type RecordInfo } from "./reads.ts";
import { readRecord, type OpenedRecord } from "./records.ts";
import type { TxStatus } from "./tx.ts";

/** True when `grant` (whose categories are `categories`) covers the live record `r`. */
export function grantCovers(grant: GrantInfo, categories: readonly number[], r: RecordInfo): boolean {
  if (r.erased) return false;
  if (grant.scope === Scope.Records) return grant.recordIds.includes(r.recordId);
  return categories.includes(r.category);
}

export type PatientSession = {
  /** The categories the grant covers (what a read-write grantee may add to). */
  categories: number[];
  /** The live records in scope, in the order listed. */
  records: RecordInfo[];
  /** Whether a session was opened on-chain: not for a grant that is no longer active, nor for no records. */
  opened: boolean;
};

/**
 * Opens one viewing session over every record `grant` covers (narrowed by `only`), for the
 * grant's purpose. For a grant that is no longer active no session is opened: the records
 * it covered are returned so that asking the storage service anyway shows (and logs for the
 * patient) the refusal, without a line for every other record.
 */
export async function openPatientSession(
  ctx: VaultContext,
  grant: GrantInfo,
  opts: { only?: (r: RecordInfo) => boolean; onStatus?: (s: TxStatus) => void } = {},
): Promise<PatientSession> {
  const all = await listRecords(ctx, grant.patient);
  const categories = await grantCategories(ctx, grant);
  const records = all.filter((r) => grantCovers(grant, categories, r) && (opts.only?.(r) ?? true));
  if (grant.state !== "active" || records.length === 0) return { categories, records, opened: false };
  await openSession(
    ctx,
    grant.patient,
    records.map((r) => r.recordId),
    grant.purpose,
    opts.onStatus,
  );
  return { categories, records, opened: true };
}

/**
 * Opens one emergency viewing session over `patient`'s live emergency-kit records (at most
 * MAX_SESSION_RECORDS), for treatment, and returns them; no session when there are none.
 */
export async function openEmergencySession(
  ctx: VaultContext,
  patient: Address,
  onStatus?: (s: TxStatus) => void,
): Promise<RecordInfo[]> {
  const kit = (await listRecords(ctx, patient))
    .filter((r) => !r.erased && EMERGENCY_CATEGORIES.some((c) => c === r.category))
    .slice(0, MAX_SESSION_RECORDS);
  if (kit.length === 0) return [];
  await openSession(
    ctx,
    patient,
    kit.map((r) => r.recordId),
    Purpose.Treatment,
    onStatus,
  );
  return kit;
}

/** One record's outcome: its opened content, or why it could not be read, in words. */
export type RecordRead = { record: RecordInfo; opened?: OpenedRecord; error?: string };

/**
 * Fetches, verifies and decrypts each record with the keys `resolve` gives. When no keys
 * come, every record reports `missingKeys` (or why the keys failed) and `keyError` says why.
 */
export async function readRecords(
  ctx: VaultContext,
  resolve: () => Promise<KeyResolver>,
  records: readonly RecordInfo[],
  missingKeys?: string,
): Promise<{ reads: RecordRead[]; keyError?: string }> {
  let resolver: KeyResolver | undefined;
  let keyError: string | undefined;
  try {
    resolver = await resolve();
  } catch (err) {
    keyError = explainError(err).message;
  }
  const reads: RecordRead[] = [];
  for (const record of records) {
    try {
      if (!resolver) throw new Error(missingKeys ?? keyError);
      reads.push({ record, opened: await readRecord(ctx, resolver, record) });
    } catch (err) {
      reads.push({ record, error: explainError(err).message });
    }
  }
  return keyError === undefined ? { reads } : { reads, keyError };
}
