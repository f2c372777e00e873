/**
 * Account encryption keys. A wallet cannot decrypt for us (eth_decrypt is deprecated), so
 * each account gets an X25519 key pair derived from the wallet's signature of a fixed,
 * versioned message. The public key is registered on-chain (`registerPatient` /
 * `setEncryptionKey`); the secret never leaves the browser.
 *
 * Determinism assumption: EIP-191 `personal_sign` with an RFC 6979 signer (MetaMask, most
 * software and hardware wallets) gives the same (r, s) for the same message and key, so the
 * same wallet always re-derives the same key on any device. The message carries no nonce
 * on purpose. Wallets that sign non-deterministically (some MPC / smart-contract wallets)
 * derive a different key each time; `assertRegisteredKey` then fails with a clear
 * KeyMismatchError instead of encrypting to a key nobody can reopen, and
 * `signaturesDeriveSameKey` lets the app test a wallet once (sign twice) before registering.
 *
 * Fallback: a random key from `generateAccountKey`, kept encrypted under the derived key
 * (`wrapGeneratedKey` / `unwrapGeneratedKey`). That is how an account rotates its encryption
 * key without changing wallet (e.g. after a device was lost): the new key is random, the
 * wallet signature still unlocks it, and its public key is what gets registered.
 */
import { getAddress, hexToBytes, isHex, toHex, type Address, type Hex } from "viem";
import { addressBytes, chainIdBytes } from "./context.ts";
import {
  DecryptionFailedError,
  InvalidInputError,
  KeyMismatchError,
  NotAnEnvelopeError,
  TruncatedEnvelopeError,
  UnsupportedAlgorithmError,
  UnsupportedVersionError,
} from "./errors.ts";
import {
  GCM_NONCE_LENGTH,
  GCM_TAG_LENGTH,
  KEY_LENGTH,
  SECP256K1_N,
  aesGcmDecrypt,
  aesGcmEncrypt,
  bytesEqual,
  concatBytes,
  hkdfSha256,
  randomBytes,
  utf8ToBytes,
  x25519,
} from "./primitives.ts";

export const ACCOUNT_KEY_VERSION = "MedVault key v1";

export interface AccountKey {
  secretKey: Uint8Array;
  /** X25519 public key, 32 bytes. */
  publicKey: Uint8Array;
  /** The same public key as the `bytes32` the contract stores. */
  publicKeyHex: Hex;
}

/**
 * The text the wallet signs. Human-readable so the user knows what they approve; the
 * address is checksummed so every casing of the same account yields the same message.
 */
export function accountKeyMessage(address: Address | string, chainId?: number | bigint): string {
  addressBytes(address, "address");
  const lines = [
    ACCOUNT_KEY_VERSION,
    "",
    "Sign to unlock your MedVault encryption key.",
    "",
    "MedVault turns this signature, inside your browser, into the key that encrypts your " +
      "medical records and opens the records shared with you. Signing is free: it sends no " +
      "transaction and moves no funds.",
    "",
    "Only sign this message in the MedVault app: anyone holding this signature can read your records.",
    "",
    `Account: ${getAddress(address)}`,
  ];
  if (chainId !== undefined) {
    chainIdBytes(chainId);
    lines.push(`Chain ID: ${chainId.toString()}`);
  }
  return lines.join("\n");
}

function toBytes(value: Hex | Uint8Array, field: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string" && isHex(value, { strict: true }) && value.length % 2 === 0) {
    return hexToBytes(value);
  }
  throw new InvalidInputError(`${field} must be bytes or 0x-prefixed hex`);
}

const HALF_N = SECP256K1_N >> 1n;
const S_MASK = (1n << 255n) - 1n;

function bigFrom(bytes: Uint8Array): bigint {
  return BigInt(toHex(bytes));
}

function bytes32(value: bigint): Uint8Array {
  return hexToBytes(toHex(value, { size: 32 }));
}

/**
 * The secret part of a signature, in one canonical form. The recovery byte is dropped
 * (wallets disagree on 0/1 vs 27/28) and `s` is reduced to its low half (EIP-2), so two
 * encodings of the same ECDSA signature derive the same key. 64-byte input is EIP-2098
 * compact form. Any other length (ERC-1271 smart-account signatures) is used as is.
 */
function signatureKeyMaterial(signature: Hex | Uint8Array): Uint8Array {
  const sig = toBytes(signature, "signature");
  if (sig.length !== 64 && sig.length !== 65) {
    if (sig.length < 64) throw new InvalidInputError(`signature too short: ${sig.length} bytes`);
    return sig;
  }
  const r = bigFrom(sig.subarray(0, 32));
  let s = bigFrom(sig.subarray(32, 64));
  if (sig.length === 64) s &= S_MASK;
  if (r === 0n || r >= SECP256K1_N || s === 0n || s >= SECP256K1_N) {
    throw new InvalidInputError("signature is not a valid secp256k1 signature (r or s out of range)");
  }
  if (s > HALF_N) s = SECP256K1_N - s;
  return concatBytes(bytes32(r), bytes32(s));
}

function keyPair(secretKey: Uint8Array): AccountKey {
  const publicKey = x25519.getPublicKey(secretKey);
  return { secretKey, publicKey, publicKeyHex: toHex(publicKey) };
}

/**
 * The account's X25519 key pair from its signature of `accountKeyMessage(account, …)`.
 * The address is bound into HKDF's info, so the same signature bytes presented for
 * another account give an unrelated key.
 */
export function deriveAccountKey(signature: Hex | Uint8Array, account: Address | string): AccountKey {
  const ikm = signatureKeyMaterial(signature);
  const secretKey = hkdfSha256(
    ikm,
    utf8ToBytes(ACCOUNT_KEY_VERSION),
    concatBytes(utf8ToBytes("MedVault account X25519 key"), addressBytes(account, "account")),
  );
  return keyPair(secretKey);
}

/**
 * Whether two signatures of the account message derive the same key: sign twice when an
 * account registers, and refuse the derived-key path for a wallet that fails this.
 */
export function signaturesDeriveSameKey(a: Hex | Uint8Array, b: Hex | Uint8Array): boolean {
  return bytesEqual(signatureKeyMaterial(a), signatureKeyMaterial(b));
}

const ZERO_KEY: Hex = `0x${"00".repeat(32)}`;

/**
 * Throws KeyMismatchError unless `derived` is the key registered on-chain. Call on every
 * unlock, before encrypting anything: encrypting to a key that is not registered writes
 * records the account can never reopen from another device.
 */
export function assertRegisteredKey(derived: Pick<AccountKey, "publicKey">, registeredHex: Hex): void {
  const registered = toBytes(registeredHex, "registered key");
  if (registered.length !== KEY_LENGTH) {
    throw new InvalidInputError(`registered key must be 32 bytes, got ${registered.length}`);
  }
  if (toHex(registered) === ZERO_KEY) {
    throw new KeyMismatchError(
      toHex(derived.publicKey),
      ZERO_KEY,
      "no encryption key is registered on-chain for this account yet: register it first",
    );
  }
  if (!bytesEqual(derived.publicKey, registered)) {
    throw new KeyMismatchError(toHex(derived.publicKey), toHex(registered));
  }
}

/** A fresh random account key pair (for the wrapped-key fallback and for rotation). */
export function generateAccountKey(): AccountKey {
  return keyPair(x25519.utils.randomSecretKey());
}

// Wrapped generated key: "MVW" | version | alg | generated public key (32) | nonce (12) | sealed secret (48)
const WRAP_MAGIC = [0x4d, 0x56, 0x57] as const; // "MVW"
const WRAP_VERSION = 1;
const WRAP_ALG_AES256GCM = 1;
const WRAP_HEADER_LENGTH = 5 + KEY_LENGTH + GCM_NONCE_LENGTH;
export const WRAPPED_KEY_LENGTH = WRAP_HEADER_LENGTH + KEY_LENGTH + GCM_TAG_LENGTH;

function wrapKek(derived: AccountKey): Uint8Array {
  return hkdfSha256(
    derived.secretKey,
    utf8ToBytes(ACCOUNT_KEY_VERSION),
    concatBytes(utf8ToBytes("MedVault generated key wrap"), derived.publicKey),
  );
}

/**
 * Encrypts a generated account key under the wallet-derived one. The result is safe to
 * store anywhere (local storage, IPFS): it opens only with the same wallet's signature.
 */
export function wrapGeneratedKey(generated: AccountKey, derived: AccountKey): Uint8Array {
  const header = new Uint8Array(WRAP_HEADER_LENGTH);
  header.set(WRAP_MAGIC, 0);
  header[3] = WRAP_VERSION;
  header[4] = WRAP_ALG_AES256GCM;
  header.set(generated.publicKey, 5);
  header.set(randomBytes(GCM_NONCE_LENGTH), 5 + KEY_LENGTH);
  const nonce = header.subarray(5 + KEY_LENGTH);
  const sealed = aesGcmEncrypt(wrapKek(derived), nonce, generated.secretKey, header);
  return concatBytes(header, sealed);
}

/** Public key of the account key a wrapped blob holds, readable without unlocking it. */
export function wrappedKeyPublicKey(wrapped: Uint8Array): Hex {
  checkWrapped(wrapped);
  return toHex(wrapped.subarray(5, 5 + KEY_LENGTH));
}

function checkWrapped(wrapped: Uint8Array): void {
  if (!(wrapped instanceof Uint8Array) || wrapped.length < 4 || WRAP_MAGIC.some((b, i) => wrapped[i] !== b)) {
    throw new NotAnEnvelopeError('not a MedVault wrapped key (magic "MVW" missing)');
  }
  if (wrapped[3] !== WRAP_VERSION) throw new UnsupportedVersionError("wrapped key", wrapped[3]!);
  if (wrapped.length < WRAPPED_KEY_LENGTH) {
    throw new TruncatedEnvelopeError("wrapped key", wrapped.length, WRAPPED_KEY_LENGTH);
  }
  if (wrapped.length !== WRAPPED_KEY_LENGTH) {
    throw new NotAnEnvelopeError(`wrapped key must be ${WRAPPED_KEY_LENGTH} bytes, got ${wrapped.length}`);
  }
  if (wrapped[4] !== WRAP_ALG_AES256GCM) throw new UnsupportedAlgorithmError("key wrap", wrapped[4]!);
}

export function unwrapGeneratedKey(wrapped: Uint8Array, derived: AccountKey): AccountKey {
  checkWrapped(wrapped);
  const header = wrapped.subarray(0, WRAP_HEADER_LENGTH);
  let secretKey: Uint8Array;
  try {
    secretKey = aesGcmDecrypt(
      wrapKek(derived),
      header.subarray(5 + KEY_LENGTH),
      wrapped.subarray(WRAP_HEADER_LENGTH),
      header,
    );
  } catch (cause) {
    throw new DecryptionFailedError(
      "cannot unwrap the generated account key: it was wrapped by another wallet key, or modified",
      { cause },
    );
  }
  const key = keyPair(secretKey);
  if (!bytesEqual(key.publicKey, header.subarray(5, 5 + KEY_LENGTH))) {
    throw new DecryptionFailedError("unwrapped account key does not match the public key in its header");
  }
  return key;
}
