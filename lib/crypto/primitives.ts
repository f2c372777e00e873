/**
 * The only place lib/crypto touches cryptographic primitives. Everything is an audited
 * @noble v2 implementation; nothing here is hand-rolled. The test suite runs the published
 * vectors (RFC 7748, RFC 5869, RFC 3394, McGrew–Viega GCM) against these exact exports, so
 * a wrong import or a swapped primitive fails a test rather than silently weakening MedVault.
 */
import { aeskw, gcm } from "@noble/ciphers/aes.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, randomBytes, utf8ToBytes } from "@noble/hashes/utils.js";

export { concatBytes, randomBytes, utf8ToBytes, x25519 };

export const KEY_LENGTH = 32;
export const GCM_NONCE_LENGTH = 12;
export const GCM_TAG_LENGTH = 16;
/** RFC 3394 adds one 8-byte integrity block. */
export const AESKW_OVERHEAD = 8;

export function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array | undefined,
  info: Uint8Array,
  length = KEY_LENGTH,
): Uint8Array {
  return hkdf(sha256, ikm, salt, info, length);
}

/** AES-256-GCM encrypt: returns ciphertext || 16-byte tag. */
export function aesGcmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  return gcm(key, nonce, aad).encrypt(plaintext);
}

/** AES-256-GCM decrypt: throws (noble's Error) when the tag does not verify. */
export function aesGcmDecrypt(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  return gcm(key, nonce, aad).decrypt(sealed);
}

/** RFC 3394 AES key wrap: deterministic and nonce-free, made for wrapping random keys. */
export function aesKwWrap(kek: Uint8Array, key: Uint8Array): Uint8Array {
  return aeskw(kek).encrypt(key);
}

export function aesKwUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  return aeskw(kek).decrypt(wrapped);
}

/** Order of secp256k1, the curve wallet signatures (EIP-191) are made on. */
export const SECP256K1_N: bigint = secp256k1.Point.CURVE().n;

/** Constant-time comparison for equal-length byte strings (public keys, tags). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
