/**
 * Compile-time proof that the gateway (lib/vault/gateway.ts) checks names and arguments
 * against the ABI. Never run: `tsc --noEmit` (the typecheck stage) fails when any line
 * marked @ts-expect-error compiles, i.e. when a misspelled function, event or argument
 * would slip through.
 */
import type { Address } from "viem";
import { events, readView, sendTx, type TxCall, type VaultContext } from "../../lib/vault/index.ts";

declare const ctx: VaultContext;
declare const who: Address;

export async function typedGateway() {
  // The right names and arguments compile, and results are typed.
  const registered: boolean = await readView(ctx, "isPatient", [who]);
  const status: number = await readView(ctx, "clinicianStatus", [who]);
  const calls: TxCall[] = [
    { functionName: "revokeConsent", args: [who] },
    { functionName: "rotateKeys", args: [3] },
  ];
  await sendTx(ctx, { functionName: "suspendClinician", args: [who] });
  const anchored = await events(ctx, "RecordAnchored", { patient: who });
  const id: number | undefined = anchored[0]?.args.recordId;

  // @ts-expect-error a misspelled view
  await readView(ctx, "isPatinet", [who]);
  // @ts-expect-error a view given a wrong argument
  await readView(ctx, "isPatient", [42]);
  // @ts-expect-error a misspelled function
  await sendTx(ctx, { functionName: "verifyClinicain", args: [who] });
  // @ts-expect-error a function given too few arguments
  await sendTx(ctx, { functionName: "grantRole", args: [who] });
  // @ts-expect-error a view is not a transaction
  await sendTx(ctx, { functionName: "isPatient", args: [who] });
  // @ts-expect-error a misspelled event
  await events(ctx, "RecordAnchord");
  // @ts-expect-error filtering by an argument the event does not index
  await events(ctx, "RecordAnchored", { cidDigest: "0x00" });
  // @ts-expect-error an argument the event does not have
  void anchored[0]?.args.recordID;

  return { registered, status, calls, id };
}
