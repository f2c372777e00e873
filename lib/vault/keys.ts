/**
 * The account's encryption key: derived in the browser from a wallet signature of a fixed
 * MedVault message, compared with the key registered on-chain on every unlock.
 */
import { zeroHash, type Hex } from "viem";
import { medVaultAbi } from "../chain/generated.ts";
import {
  accountKeyMessage,
  assertRegisteredKey,
  deriveAccountKey,
  signaturesDeriveSameKey,
  type AccountKey,
} from "../crypto/account.ts";
import { VaultError, type VaultContext } from "./context.ts";
import { requireWallet, sendTx, type TxStatus } from "./tx.ts";

export type AccountKeys = {
  account: `0x${string}`;
  key: AccountKey;
  /** False until `registerPatient` / `registerClinicianKey` stores the public key on-chain. */
  registered: boolean;
  /** The signature the key came from; kept only in memory, to check determinism on registration. */
  signature: Hex;
};

export async function registeredKey(ctx: VaultContext, account = ctx.account): Promise<Hex> {
  return ctx.publicClient.readContract({
    address: ctx.contract,
    abi: medVaultAbi,
    functionName: "encryptionKeyOf",
    args: [account],
  });
}

async function signKeyMessage(ctx: VaultContext): Promise<Hex> {
  const wallet = requireWallet(ctx);
  return wallet.signMessage({ account: ctx.account, message: accountKeyMessage(ctx.account, ctx.chainId) });
}

/**
 * Signs the key message and derives the key. When a key is registered on-chain it must be
 * this one (KeyMismatchError otherwise, before anything is encrypted or decrypted with it).
 */
export async function unlockAccount(ctx: VaultContext): Promise<AccountKeys> {
  const signature = await signKeyMessage(ctx);
  const key = deriveAccountKey(signature, ctx.account);
  const onChain = await registeredKey(ctx);
  if (onChain === zeroHash) return { account: ctx.account, key, registered: false, signature };
  assertRegisteredKey(key, onChain);
  return { account: ctx.account, key, registered: true, signature };
}

/**
 * A second signature must derive the same key: a wallet that signs non-deterministically
 * would register a key its owner can never derive again, locking every record away.
 */
async function assertDeterministic(ctx: VaultContext, keys: AccountKeys): Promise<void> {
  const again = await signKeyMessage(ctx);
  if (!signaturesDeriveSameKey(keys.signature, again)) {
    throw new VaultError(
      "NON_DETERMINISTIC_WALLET",
      "this wallet gives a different signature each time it signs the same message, so MedVault cannot re-derive your key; use another wallet account",
    );
  }
}

export async function registerPatient(
  ctx: VaultContext,
  keys: AccountKeys,
  onStatus?: (s: TxStatus) => void,
): Promise<AccountKeys> {
  await assertDeterministic(ctx, keys);
  await sendTx(ctx, { functionName: "registerPatient", args: [keys.key.publicKeyHex] }, onStatus);
  return { ...keys, registered: true };
}

/** Clinicians (and registrars) only store a key so patients can share category keys with them. */
export async function registerClinicianKey(
  ctx: VaultContext,
  keys: AccountKeys,
  onStatus?: (s: TxStatus) => void,
): Promise<AccountKeys> {
  await assertDeterministic(ctx, keys);
  await sendTx(ctx, { functionName: "setEncryptionKey", args: [keys.key.publicKeyHex] }, onStatus);
  return { ...keys, registered: true };
}
