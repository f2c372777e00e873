/**
 * Viewing sessions: the storage service serves someone else's record only inside an
 * AccessSessionOpened this reader sent on-chain for it recently, named by its transaction
 * hash (`&session=`). The reader keeps the last session's hash per patient and opens a new
 * session when the service answers VIEWING_SESSION_* (none, expired, other records).
 */
import type { Address, Hash } from "viem";
import { VaultError, type VaultContext } from "./context.ts";
import { sendTx, type TxStatus } from "./tx.ts";

// Per (storage service, chain, contract, reader, patient): the last session's hash. Keyed by value, not by
// context object, because the app rebuilds its context on re-render. Bounded: one entry
// per patient a reader has opened a session for in this tab or process.
const lastSessions = new Map<string, Hash>();
const MAX_REMEMBERED = 1_000;

const key = (ctx: VaultContext, patient: Address) =>
  `${ctx.api.baseUrl}|${ctx.chainId}|${ctx.contract.toLowerCase()}|${ctx.account.toLowerCase()}|${patient.toLowerCase()}`;

export function lastViewingSession(ctx: VaultContext, patient: Address): Hash | undefined {
  return lastSessions.get(key(ctx, patient));
}

export function rememberViewingSession(ctx: VaultContext, patient: Address, hash: Hash): void {
  const k = key(ctx, patient);
  lastSessions.delete(k);
  if (lastSessions.size >= MAX_REMEMBERED) lastSessions.delete(lastSessions.keys().next().value as string);
  lastSessions.set(k, hash);
}

/** Opens a viewing session on-chain (the patient's log shows it) and remembers it for reads. */
export async function openViewingSession(
  ctx: VaultContext,
  patient: Address,
  recordIds: readonly number[],
  purpose: number,
  onStatus?: (s: TxStatus) => void,
): ReturnType<typeof sendTx> {
  if (recordIds.length === 0) throw new VaultError("EMPTY_SESSION", "there are no records in scope to open");
  const tx = await sendTx(
    ctx,
    { functionName: "openAccessSession", args: [patient, [...recordIds], purpose] },
    onStatus,
  );
  rememberViewingSession(ctx, patient, tx.hash);
  return tx;
}

/** Service codes that a fresh session for the record answers. */
export const SESSION_CODES = new Set([
  "VIEWING_SESSION_REQUIRED",
  "VIEWING_SESSION_EXPIRED",
  "VIEWING_SESSION_OTHER_RECORDS",
  "VIEWING_SESSION_NOT_FOUND",
  "VIEWING_SESSION_OTHER_READER",
  "VIEWING_SESSION_OTHER_PATIENT",
]);
