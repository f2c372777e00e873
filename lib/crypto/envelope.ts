/**
 * Record envelope v1 ("MVE" 0x01): the only bytes MedVault ever stores. Binary, versioned
 * and self-describing; byte layout and threat model in docs/crypto.md.
 *
 *   off len  field
 *     0   3  magic "MVE"
 *     3   1  format version = 0x01
 *     4   1  content AEAD id = 0x01 AES-256-GCM (96-bit nonce, 128-bit tag)
 *     5   1  key-wrap id     = 0x01 AES-256-KW (RFC 3394) under the category key
 *     6   1  category (0..31)
 *     7   1  key epoch of that category (0..255)
 *     8  16  record uid (random)
 *    24  12  content nonce (random)
 *    36  40  content key (32 bytes, random per record) wrapped under the category key
 *    76   n  AES-256-GCM ciphertext || 16-byte tag
 *
 * AAD = chainId (uint256) || contract (20) || patient (20) || the 76 header bytes, so any
 * changed header bit, or the envelope presented for another patient, deployment or chain,
 * fails authentication.
 */
import { toHex, type Hex } from "viem";
import { assertCategory, assertEpoch, assertKey, type KeyResolver } from "./category.ts";
import { encodeRecordContext, type RecordContext } from "./context.ts";
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
export const ENVELOPE_VERSION = 1;
export const CONTENT_ALG_AES256GCM = 1;
export const WRAP_ALG_AES256KW = 1;
export const RECORD_UID_LENGTH = 16;
const WRAPPED_KEY_LENGTH = KEY_LENGTH + AESKW_OVERHEAD;

const OFF_CATEGORY = 6;
const OFF_EPOCH = 7;
const OFF_UID = 8;
const OFF_NONCE = OFF_UID + RECORD_UID_LENGTH;
const OFF_WRAPPED = OFF_NONCE + GCM_NONCE_LENGTH;
export const ENVELOPE_HEADER_LENGTH = OFF_WRAPPED + WRAPPED_KEY_LENGTH; // 76
/** An envelope of an empty record: header plus the GCM tag. */
export const MIN_ENVELOPE_LENGTH = ENVELOPE_HEADER_LENGTH + GCM_TAG_LENGTH; // 92
/** Bytes an envelope adds to its plaintext. */
export const ENVELOPE_OVERHEAD = MIN_ENVELOPE_LENGTH;

export interface EnvelopeHeader {
  version: number;
  contentAlg: number;
  wrapAlg: number;
  category: number;
  epoch: number;
  recordUid: Uint8Array;
  recordUidHex: Hex;
  nonce: Uint8Array;
  wrappedKey: Uint8Array;
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
 */
export function parseEnvelopeHeader(bytes: Uint8Array): EnvelopeHeader {
  if (!(bytes instanceof Uint8Array)) throw new NotAnEnvelopeError("envelope must be a Uint8Array");
  const magicSeen = Math.min(bytes.length, ENVELOPE_MAGIC.length);
  for (let i = 0; i < magicSeen; i++) {
    if (bytes[i] !== ENVELOPE_MAGIC[i])
      throw new NotAnEnvelopeError('not a MedVault record envelope (magic "MVE" missing)');
  }
  if (bytes.length < 4) throw new TruncatedEnvelopeError("envelope", bytes.length, MIN_ENVELOPE_LENGTH);
  if (bytes[3] !== ENVELOPE_VERSION) throw new UnsupportedVersionError("envelope", bytes[3]!);
  if (bytes.length < MIN_ENVELOPE_LENGTH)
    throw new TruncatedEnvelopeError("envelope", bytes.length, MIN_ENVELOPE_LENGTH);
  if (bytes[4] !== CONTENT_ALG_AES256GCM) throw new UnsupportedAlgorithmError("content", bytes[4]!);
  if (bytes[5] !== WRAP_ALG_AES256KW) throw new UnsupportedAlgorithmError("key wrap", bytes[5]!);
  const category = bytes[OFF_CATEGORY]!;
  if (category > 31) throw new NotAnEnvelopeError(`envelope category ${category} is outside 0..31`);
  const recordUid = bytes.subarray(OFF_UID, OFF_NONCE);
  return {
    version: ENVELOPE_VERSION,
    contentAlg: CONTENT_ALG_AES256GCM,
    wrapAlg: WRAP_ALG_AES256KW,
    category,
    epoch: bytes[OFF_EPOCH]!,
    recordUid,
    recordUidHex: toHex(recordUid),
    nonce: bytes.subarray(OFF_NONCE, OFF_WRAPPED),
    wrappedKey: bytes.subarray(OFF_WRAPPED, ENVELOPE_HEADER_LENGTH),
    ciphertextLength: bytes.length - ENVELOPE_HEADER_LENGTH,
  };
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
  const contentKey = randomBytes(KEY_LENGTH);
  const header = new Uint8Array(ENVELOPE_HEADER_LENGTH);
  header.set(ENVELOPE_MAGIC, 0);
  header[3] = ENVELOPE_VERSION;
  header[4] = CONTENT_ALG_AES256GCM;
  header[5] = WRAP_ALG_AES256KW;
  header[OFF_CATEGORY] = ctx.category;
  header[OFF_EPOCH] = epoch;
  header.set(randomBytes(RECORD_UID_LENGTH), OFF_UID);
  header.set(randomBytes(GCM_NONCE_LENGTH), OFF_NONCE);
  header.set(aesKwWrap(categoryKey, contentKey), OFF_WRAPPED);
  const sealed = aesGcmEncrypt(
    contentKey,
    header.subarray(OFF_NONCE, OFF_WRAPPED),
    plaintext,
    envelopeAad(ctx, header),
  );
  contentKey.fill(0);
  return concatBytes(header, sealed);
}

/**
 * Decrypts an envelope read for `ctx`. Throws a MedVaultCryptoError on every failure and
 * never returns unauthenticated bytes.
 */
export function decryptRecord(envelope: Uint8Array, ctx: DecryptContext, keyResolver: KeyResolver): Uint8Array {
  const header = parseEnvelopeHeader(envelope);
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
  const aad = envelopeAad(ctx, envelope.subarray(0, ENVELOPE_HEADER_LENGTH));
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
    return aesGcmDecrypt(contentKey, header.nonce, envelope.subarray(ENVELOPE_HEADER_LENGTH), aad);
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
 * content key, a fresh uid and the new epoch's category key. The caller stores the result
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
