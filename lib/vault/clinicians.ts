/**
 * A registrar's actions on clinicians: verify (licence id and name on-chain, the name's
 * hash beside it), suspend, reinstate. Used by the registrar's dashboard, the demo seed,
 * the benchmarks and the tests alike, so the encoding lives here once.
 */
import { getAddress, hexToString, keccak256, stringToHex, toBytes, type Address, type Hex } from "viem";
import { VaultError, type VaultContext } from "./context.ts";
import type { TxCall } from "./gateway.ts";
import { sendTx, type TxStatus } from "./tx.ts";

/** Longest licence id the contract stores (bytes32). */
export const MAX_LICENCE_BYTES = 32;

export type ClinicianIdentity = { name: string; licence: string };

/** True when `licence` fits the contract's bytes32 licence id. */
export function licenceFits(licence: string): boolean {
  return new TextEncoder().encode(licence.trim()).length <= MAX_LICENCE_BYTES;
}

/** The licence id as stored: the licence text, right-padded to bytes32. */
export function licenceId(licence: string): Hex {
  const text = licence.trim();
  if (!text) throw new VaultError("BAD_LICENCE", "enter the clinician's licence id");
  if (!licenceFits(text)) throw new VaultError("BAD_LICENCE", `a licence id is at most ${MAX_LICENCE_BYTES} bytes`);
  return stringToHex(text, { size: 32 });
}

/** The licence text of a stored licence id, or the raw hex when it is not text. */
export function licenceText(id: Hex): string {
  try {
    return hexToString(id, { size: 32 }).replace(/\0+$/, "");
  } catch {
    return id;
  }
}

/** The call that verifies `clinician` (for a multicall or a relayer). */
export function verifyClinicianCall(clinician: Address, who: ClinicianIdentity): TxCall<"verifyClinician"> {
  const name = who.name.trim();
  if (!name) throw new VaultError("BAD_NAME", "enter the clinician's full name");
  return {
    functionName: "verifyClinician",
    args: [getAddress(clinician), licenceId(who.licence), keccak256(toBytes(name)), name],
  };
}

/** Registrar: verifies `clinician` as a licensed clinician. */
export function verifyClinician(
  ctx: VaultContext,
  clinician: Address,
  who: ClinicianIdentity,
  onStatus?: (s: TxStatus) => void,
) {
  return sendTx(ctx, verifyClinicianCall(clinician, who), onStatus);
}

/** Registrar: suspends a verified clinician (their grants and emergency access stop authorising at once). */
export function suspendClinician(ctx: VaultContext, clinician: Address, onStatus?: (s: TxStatus) => void) {
  return sendTx(ctx, { functionName: "suspendClinician", args: [clinician] }, onStatus);
}

/** Registrar: reinstates a suspended clinician (emergency access does not come back). */
export function reinstateClinician(ctx: VaultContext, clinician: Address, onStatus?: (s: TxStatus) => void) {
  return sendTx(ctx, { functionName: "reinstateClinician", args: [clinician] }, onStatus);
}
