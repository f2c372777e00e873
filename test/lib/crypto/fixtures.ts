import type { RecordContext } from "../../../lib/crypto/index.ts";

export const CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const;
export const PATIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as const;
export const OTHER_PATIENT = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" as const;
export const CLINICIAN = "0x90F79bf6EB2c4f870365E785982E1f101E93b906" as const;

export const ctx: RecordContext = { chainId: 31337, contract: CONTRACT, patient: PATIENT };

/** Fixed secrets so failures reproduce; fast-check seeds are printed on failure. */
export const PATIENT_SECRET = new Uint8Array(32).fill(0x11);
export const OTHER_PATIENT_SECRET = new Uint8Array(32).fill(0x22);

export const enc = (s: string) => new TextEncoder().encode(s);
export const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Runs `fn` and returns the error it throws; fails the test when it returns instead. */
export function thrown(fn: () => unknown): unknown {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    return error;
  }
  throw new Error(`expected a throw, got a result: ${String(result)}`);
}
