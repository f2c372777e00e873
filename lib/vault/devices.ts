/**
 * Device pairing: a device may be registered to a patient only with the device key's own
 * EIP-712 consent (`RegisterDevice(device, patient, nonce, deadline)`), so nobody can claim a
 * device address (or another patient's account) as theirs. The device signs the typed data
 * built here with viem's `signTypedData`; the patient then sends `registerDevice` with it.
 */
import type { Address, Hash, Hex, TypedDataDefinition } from "viem";
import { medVaultDomain, registerDeviceTypes } from "../chain/eip712.ts";
import { medVaultAbi } from "../chain/generated.ts";
import { VaultError, type VaultContext } from "./context.ts";
import { sendTx, type TxStatus } from "./tx.ts";

export type DeviceRegistrationTypedData = TypedDataDefinition<typeof registerDeviceTypes, "RegisterDevice">;

/** How long a device's registration signature stays usable by default. */
export const DEVICE_SIGNATURE_LIFETIME_SECONDS = 15 * 60;

/**
 * The typed data `device` signs to consent to being registered to `patient` until `deadline`
 * (unix seconds), carrying the device's current nonce (`deviceNonce`), so a signature works
 * once and never re-registers a device its patient revoked.
 */
export async function deviceRegistrationTypedData(
  ctx: VaultContext,
  device: Address,
  patient: Address,
  deadline: bigint,
): Promise<DeviceRegistrationTypedData> {
  const nonce = await ctx.publicClient.readContract({
    address: ctx.contract,
    abi: medVaultAbi,
    functionName: "deviceNonce",
    args: [device],
  });
  return {
    domain: medVaultDomain(ctx.chainId, ctx.contract),
    types: registerDeviceTypes,
    primaryType: "RegisterDevice",
    message: { device, patient, nonce, deadline },
  };
}

/** Patient: registers `device` with the signature the device made over deviceRegistrationTypedData. */
export async function registerDevice(
  ctx: VaultContext,
  device: Address,
  label: string,
  deadline: bigint,
  signature: Hex,
  onStatus?: (s: TxStatus) => void,
): Promise<Hash> {
  if (label.trim().length === 0) throw new VaultError("LABEL_REQUIRED", "give the device a label");
  const { hash } = await sendTx(
    ctx,
    { functionName: "registerDevice", args: [device, label.trim(), deadline, signature] },
    onStatus,
  );
  return hash;
}
