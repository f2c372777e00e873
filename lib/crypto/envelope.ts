/**
 * Record envelope ("MVE"): the only bytes MedVault ever stores for a record. Binary,
 * versioned and self-describing; byte layouts and threat model in docs/crypto.md.
 *
 * Version 2, written by every encrypt:
 *
 *   off len  field
 *     0   3  magic "MVE"
 *     3   1  format version = 0x02
 *     4   1  content AEAD id = 0x01 AES-256-GCM (96-bit nonce, 128-bit tag)
 *     5   1  key-wrap id     = 0x01 AES-256-KW (RFC 3394) under the category key
 *     6   1  category (0..31)
 *     7  20  patient address (whose record this is)
 *    27   4  key epoch of that category (uint32, big-endian)
 *    31  16  record uid (random)
 *    47  12  content nonce (random)
 *    59  40  content key (32 bytes, random per record) wrapped under the category key
 *    99   n  AES-256-GCM ciphertext || 16-byte tag
 *
 * Version 1 (read only): magic, version 0x01, the two algorithm ids, category, then the
 * epoch as one byte at 7, uid at 8, nonce at 24, wrapped key at 36, ciphertext at 76. It
 * does not name its patient.
 *
 * AAD = chainId (uint256) || contract (20) || patient (20) || the whole header, so any
 * changed header bit, or the envelope presented for another patient, deployment or chain,
 * fails authentication. v2 names the patient in clear so that a storage service, which
 * holds no keys, can refuse to serve an object for a patient it does not belong to.
 */
import { getAddress, toHex, type Address, type Hex } from "viem";
import { assertCategory, assertEpoch, assertKey, epochBytes, type KeyResolver } from "./category.ts";
import { addressBytes, encodeRecordContext, type RecordContext } from "./context.ts";
import {
  ContextMismatchError,
  DecryptionFailedError,
  InvalidInputError,
  MissingCategoryKeyError,
  NotAnEnvelopeError,
  TruncatedEnvelopeError,
  UnsupportedAlgorithmError,
  UnsupportedVersionError,
} from "./errors.ts";
import {
  AESKW_OVERHEAD,
  GCM_NONCE_LENGTH,
  GCM_TAG_LENGTH,
  KEY_LENGTH,
  aesGcmDecrypt,
  aesGcmEncrypt,
  aesKwUnwrap,
  aesKwWrap,
  concatBytes,
  randomBytes,
} from "./primitives.ts";

export const ENVELOPE_MAGIC = Uint8Array.of(0x4d, 0x56, 0x45); // "MVE"
/** The version every encrypt writes. */
export const ENVELOPE_VERSION = 2;
/** Versions decryptRecord reads. */
export const ENVELOPE_VERSIONS = [1, 2] as const;
export type EnvelopeVersion = (typeof ENVELOPE_VERSIONS)[number];
export const CONTENT_ALG_AES256GCM = 1;
export const WRAP_ALG_AES256KW = 1;
export const RECORD_UID_LENGTH = 16;
const WRAPPED_KEY_LENGTH = KEY_LENGTH + AESKW_OVERHEAD;
const ADDRESS_LENGTH = 20;
const OFF_CATEGORY = 6;

// Field offsets per version, as in the tables above (and in docs/crypto.md).
interface Layout {
  patient?: number;
  epoch: number;
  epochLength: 1 | 4;
  uid: number;
  nonce: number;
  wrapped: number;
  header: number;
}
const V1 = { epoch: 7, epochLength: 1, uid: 8, nonce: 24, wrapped: 36, header: 76 } as const satisfies Layout;
const V2 = {
  patient: 7,
  epoch: 27,
  epochLength: 4,
  uid: 31,
  nonce: 47,
  wrapped: 59,
  header: 59 + WRAPPED_KEY_LENGTH,
} as const satisfies Layout;
const LAYOUTS: Record<EnvelopeVersion, Layout> = { 1: V1, 2: V2 };

/** Header length of the envelopes written now (v2). */
export const ENVELOPE_HEADER_LENGTH = V2.header; // 99
export const ENVELOPE_V1_HEADER_LENGTH = V1.header; // 76
/** An envelope of an empty record: header plus the GCM tag. */
export const MIN_ENVELOPE_LENGTH = ENVELOPE_HEADER_LENGTH + GCM_TAG_LENGTH; // 115
export const MIN_ENVELOPE_V1_LENGTH = ENVELOPE_V1_HEADER_LENGTH + GCM_TAG_LENGTH; // 92
/** Bytes an envelope adds to its plaintext. */
export const ENVELOPE_OVERHEAD = MIN_ENVELOPE_LENGTH;

export interface EnvelopeHeader {
  version: EnvelopeVersion;
  /** The patient the envelope names (v2 only; checksummed). v1 does not say. */
  patient?: Address;
  contentAlg: number;
  wrapAlg: number;
  category: number;
  epoch: number;
  recordUid: Uint8Array;
  recordUidHex: Hex;
  nonce: Uint8Array;
  wrappedKey: Uint8Array;
  /** Bytes before the ciphertext (76 for v1, 99 for v2). */
  headerLength: number;
  /** Length of the AES-GCM output (plaintext length + 16). */
  ciphertextLength: number;
}

/** What the reader knows from the chain and wants enforced before decrypting. */
export interface DecryptContext extends RecordContext {
  /** The category the on-chain anchor records for this CID. */
  category?: number;
  /** The uid of the record the reader asked for, when it tracks uids. */
  recordUid?: Uint8Array | Hex;
}

export interface EncryptContext extends RecordContext {
  category: number;
}

/**
 * Validates magic, version, algorithm ids, lengths and ranges without any cryptography;
 * throws NotAnEnvelope / UnsupportedVersion / UnsupportedAlgorithm / TruncatedEnvelope.
 * Returned fields are views into `bytes`, not copies.
 *
 * `bytes` is the whole envelope, or, when `objectLength` gives the size of the whole object,
 * at least its first header bytes (ENVELOPE_HEADER_LENGTH suffices for every version): a
 * service can check a stored object's header before streaming the rest of it.
 */
export function parseEnvelopeHeader(bytes: Uint8Array, objectLength?: number): EnvelopeHeader {
  if (!(bytes instanceof Uint8Array)) throw new NotAnEnvelopeError("envelope must be a Uint8Array");
  objectLength ??= bytes.length;
  if (!Number.isSafeInteger(objectLength) || objectLength < bytes.length) {
    throw new InvalidInputError(
      `objectLength must be an integer at least the ${bytes.length} bytes given, got ${String(objectLength)}`,
    );
  }
  const magicSeen = Math.min(bytes.length, ENVELOPE_MAGIC.length);
  for (let i = 0; i < magicSeen; i++) {
    if (bytes[i] !== ENVELOPE_MAGIC[i])
      throw new NotAnEnvelopeError('not a MedVault record envelope (magic "MVE" missing)');
  }
  if (objectLength < 4) throw new TruncatedEnvelopeError("envelope", objectLength, MIN_ENVELOPE_LENGTH);
  const version = bytes.length >= 4 ? bytes[3]! : undefined;
  if (version === undefined) throw prefixTooShort(bytes.length, 4);
  if (version !== 1 && version !== 2) throw new UnsupportedVersionError("envelope", version);
  const at = LAYOUTS[version];
  const minimum = at.header + GCM_TAG_LENGTH;
  if (objectLength < minimum) throw new TruncatedEnvelopeError("envelope", objectLength, minimum);
  if (bytes.length < at.header) throw prefixTooShort(bytes.length, ENVELOPE_HEADER_LENGTH);
  if (bytes[4] !== CONTENT_ALG_AES256GCM) throw new UnsupportedAlgorithmError("content", bytes[4]!);
  if (bytes[5] !== WRAP_ALG_AES256KW) throw new UnsupportedAlgorithmError("key wrap", bytes[5]!);
  const category = bytes[OFF_CATEGORY]!;
  if (category > 31) throw new NotAnEnvelopeError(`envelope category ${category} is outside 0..31`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const recordUid = bytes.subarray(at.uid, at.nonce);
  return {
    version,
    ...(at.patient !== undefined && {
      patient: getAddress(toHex(bytes.subarray(at.patient, at.patient + ADDRESS_LENGTH))),
    }),
    contentAlg: CONTENT_ALG_AES256GCM,
    wrapAlg: WRAP_ALG_AES256KW,
    category,
    epoch: at.epochLength === 1 ? bytes[at.epoch]! : view.getUint32(at.epoch),
    recordUid,
    recordUidHex: toHex(recordUid),
    nonce: bytes.subarray(at.nonce, at.wrapped),
    wrappedKey: bytes.subarray(at.wrapped, at.header),
    headerLength: at.header,
    ciphertextLength: objectLength - at.header,
  };
}

function prefixTooShort(given: number, needed: number): InvalidInputError {
  return new InvalidInputError(`reading an envelope header needs the object's first ${needed} bytes, got ${given}`);
}

/** Cheap, strict structural check for the upload route: no keys, no decryption. */
export function isEnvelope(bytes: Uint8Array): boolean {
  try {
    parseEnvelopeHeader(bytes);
    return true;
  } catch {
    return false;
  }
}

function envelopeAad(ctx: RecordContext, header: Uint8Array): Uint8Array {
  return concatBytes(encodeRecordContext(ctx), header);
}

/**
 * Encrypts one record under a fresh content key, wrapped under `categoryKey` (the key of
 * `ctx.category` at `epoch`, normally the current on-chain epoch).
 */
export function encryptRecord(
  plaintext: Uint8Array,
  ctx: EncryptContext,
  categoryKey: Uint8Array,
  epoch: number,
): Uint8Array {
  if (!(plaintext instanceof Uint8Array)) throw new InvalidInputError("plaintext must be a Uint8Array");
  assertCategory(ctx.category);
  assertEpoch(epoch);
  assertKey(categoryKey, "category key");
  const patient = addressBytes(ctx.patient, "patient");
  const contentKey = randomBytes(KEY_LENGTH);
  const header = new Uint8Array(ENVELOPE_HEADER_LENGTH);
  header.set(ENVELOPE_MAGIC, 0);
  header[3] = ENVELOPE_VERSION;
  header[4] = CONTENT_ALG_AES256GCM;
  header[5] = WRAP_ALG_AES256KW;
  header[OFF_CATEGORY] = ctx.category;
  header.set(patient, V2.patient);
  header.set(epochBytes(epoch), V2.epoch);
  header.set(randomBytes(RECORD_UID_LENGTH), V2.uid);
  header.set(randomBytes(GCM_NONCE_LENGTH), V2.nonce);
  header.set(aesKwWrap(categoryKey, contentKey), V2.wrapped);
  const sealed = aesGcmEncrypt(contentKey, header.subarray(V2.nonce, V2.wrapped), plaintext, envelopeAad(ctx, header));
  contentKey.fill(0);
  return concatBytes(header, sealed);
}

/**
 * Decrypts an envelope read for `ctx`. Throws a MedVaultCryptoError on every failure and
 * never returns unauthenticated bytes.
 */
export function decryptRecord(envelope: Uint8Array, ctx: DecryptContext, keyResolver: KeyResolver): Uint8Array {
  const header = parseEnvelopeHeader(envelope);
  // First of all: an object aliased to another patient (its CID anchored by someone else)
  // is refused by name, before any key is looked up.
  if (header.patient !== undefined) {
    const reader = getAddress(toHex(addressBytes(ctx.patient, "patient")));
    if (header.patient !== reader) {
      throw new ContextMismatchError(`envelope is a record of patient ${header.patient}, not of ${reader}`);
    }
  }
  if (ctx.category !== undefined && ctx.category !== header.category) {
    throw new ContextMismatchError(
      `envelope holds a category ${header.category} record, but the chain says category ${ctx.category}`,
    );
  }
  if (ctx.recordUid !== undefined) {
    const expected = typeof ctx.recordUid === "string" ? ctx.recordUid.toLowerCase() : toHex(ctx.recordUid);
    if (expected !== header.recordUidHex) {
      throw new ContextMismatchError(`envelope is record ${header.recordUidHex}, not the requested ${expected}`);
    }
  }
  const categoryKey = keyResolver(header.category, header.epoch);
  if (categoryKey === undefined || categoryKey === null)
    throw new MissingCategoryKeyError(header.category, header.epoch);
  assertKey(categoryKey, "category key");
  const aad = envelopeAad(ctx, envelope.subarray(0, header.headerLength));
  let contentKey: Uint8Array;
  try {
    contentKey = aesKwUnwrap(categoryKey, header.wrappedKey);
  } catch (cause) {
    throw new DecryptionFailedError(
      `cannot unwrap the content key with the category ${header.category} epoch ${header.epoch} key: wrong key or modified envelope`,
      { cause },
    );
  }
  try {
    return aesGcmDecrypt(contentKey, header.nonce, envelope.subarray(header.headerLength), aad);
  } catch (cause) {
    throw new DecryptionFailedError(
      "record failed authentication: modified bytes, or read for another chain, contract or patient",
      { cause },
    );
  } finally {
    contentKey.fill(0);
  }
}

/**
 * The core of "re-encrypt everything" after a revocation: the same plaintext under a fresh
 * content key, a fresh uid and the new epoch's category key, always as a v2 envelope (a v1
 * record comes out naming its patient). The caller stores the result
 * and anchors it as a new version superseding the old record.
 */
export function reencryptRecord(
  envelope: Uint8Array,
  oldResolver: KeyResolver,
  newCategoryKey: Uint8Array,
  newEpoch: number,
  ctx: DecryptContext,
): Uint8Array {
  const header = parseEnvelopeHeader(envelope);
  const plaintext = decryptRecord(envelope, ctx, oldResolver);
  try {
    return encryptRecord(plaintext, { ...ctx, category: header.category }, newCategoryKey, newEpoch);
  } finally {
    plaintext.fill(0);
  }
}
