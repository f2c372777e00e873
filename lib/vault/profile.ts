/** The profile is the latest non-erased Profile-category (0) record: a FHIR Patient + Condition bundle. */
import type { KeyResolver } from "../crypto/category.ts";
import { buildProfileBundle, FHIR_JSON_MIME, parseProfileBundle, type ProfileForm } from "../fhir/index.ts";
import type { VaultContext } from "./context.ts";
import type { RecordInfo } from "./reads.ts";
import { readRecord, writeRecord, type WriteProgress, type WrittenRecord } from "./records.ts";
import type { Address } from "viem";

export const PROFILE_CATEGORY = 0;

export function latestProfileRecord(records: readonly RecordInfo[]): RecordInfo | undefined {
  return records.filter((r) => r.category === PROFILE_CATEGORY && !r.erased).sort((a, b) => b.recordId - a.recordId)[0];
}

export async function readProfile(
  ctx: VaultContext,
  resolver: KeyResolver,
  records: readonly RecordInfo[],
): Promise<{ profile: ProfileForm; record: RecordInfo } | undefined> {
  const record = latestProfileRecord(records);
  if (!record) return undefined;
  const opened = await readRecord(ctx, resolver, record);
  return { profile: parseProfileBundle(opened.content), record };
}

export async function saveProfile(
  ctx: VaultContext,
  resolver: KeyResolver,
  patient: Address,
  form: ProfileForm,
  previous: RecordInfo | undefined,
  onProgress?: (p: WriteProgress) => void,
): Promise<WrittenRecord> {
  const bundle = buildProfileBundle(form);
  return writeRecord(
    ctx,
    resolver,
    {
      patient,
      category: PROFILE_CATEGORY,
      content: new TextEncoder().encode(JSON.stringify(bundle)),
      mime: FHIR_JSON_MIME,
      ...(previous ? { supersedes: previous.recordId } : {}),
    },
    onProgress,
  );
}
