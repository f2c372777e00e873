/**
 * Where a ciphertext belongs: one patient's data under one deployed MedVault contract on
 * one chain. Every AEAD in lib/crypto authenticates this context, so an envelope copied to
 * another patient, another deployment or another chain does not decrypt there.
 */
import { hexToBytes, isAddress, numberToBytes, type Address } from "viem";
import { InvalidInputError } from "./errors.ts";

export interface DeploymentContext {
  chainId: number | bigint;
  /** The MedVault contract address. */
  contract: Address;
}

export interface RecordContext extends DeploymentContext {
  /** The patient whose data this is (the address the contract keys records by). */
  patient: Address;
}

/** chainId (uint256, big-endian) || contract (20) || patient (20). */
export const CONTEXT_LENGTH = 32 + 20 + 20;

export function addressBytes(address: string, field: string): Uint8Array {
  if (typeof address !== "string" || !isAddress(address, { strict: false })) {
    throw new InvalidInputError(`${field} is not an address: ${String(address)}`);
  }
  return hexToBytes(address);
}

export function chainIdBytes(chainId: number | bigint): Uint8Array {
  const ok =
    (typeof chainId === "number" && Number.isSafeInteger(chainId) && chainId > 0) ||
    (typeof chainId === "bigint" && chainId > 0n && chainId < 2n ** 256n);
  if (!ok) throw new InvalidInputError(`chainId must be a positive integer, got ${String(chainId)}`);
  return numberToBytes(chainId, { size: 32 });
}

/** Fixed-length, unambiguous encoding of a record context (no separators to confuse). */
export function encodeRecordContext(ctx: RecordContext): Uint8Array {
  const out = new Uint8Array(CONTEXT_LENGTH);
  out.set(chainIdBytes(ctx.chainId), 0);
  out.set(addressBytes(ctx.contract, "contract"), 32);
  out.set(addressBytes(ctx.patient, "patient"), 52);
  return out;
}
