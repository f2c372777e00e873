/**
 * Key share ("MVK"): the category keys a grant covers, encrypted for the grantee's
 * registered X25519 key. ECIES: one ephemeral X25519 key per share, HKDF-SHA256 over the
 * shared secret with both public keys in `info`, AES-256-GCM over every entry at once. A
 * share for N categories × E epochs carries N×E keys of 37 bytes: O(categories), never
 * O(records). The patient stores it on IPFS and puts its CID digest in `ConsentGranted`,
 * which is what makes it authentic: anyone can encrypt to a grantee, only the patient can
 * emit that event.
 *
 * Version 2, written by every createKeyShare:
 *
 *   off len  field
 *     0   3  magic "MVK"
 *     3   1  format version = 0x02
 *     4   1  KEM id  = 0x01 X25519 + HKDF-SHA256
 *     5   1  AEAD id = 0x01 AES-256-GCM
 *     6  20  patient address
 *    26  20  grantee address
 *    46  32  grantee X25519 public key (the recipient)
 *    78  32  ephemeral X25519 public key
 *   110  12  nonce
 *   122   2  entry count N (uint16, big-endian, 1..65535)
 *   124   …  AES-256-GCM( N × [category u8, epoch u32 big-endian, key 32] ) || 16-byte tag
 *
 * Version 1 (read only) is the same but for the version byte, N in 1..8192 and entries of
 * [category u8, epoch u8, key 32].
 *
 * AAD = chainId (uint256) || contract || patient || the 124 header bytes.
 */
import { getAddress, hexToBytes, isHex, toHex, type Address, type Hex } from "viem";
import {
  assertCategory,
  assertEpoch,
  assertKey,
  deriveCategoryKey,
  epochBytes,
  epochOf,
  type CategoryKeyEntry,
  type KeyEpochs,
} from "./category.ts";
import { addressBytes, encodeRecordContext, type DeploymentContext, type RecordContext } from "./context.ts";
import {
  ContextMismatchError,
  DecryptionFailedError,
  InvalidInputError,
  NotAnEnvelopeError,
  TruncatedEnvelopeError,
  UnsupportedAlgorithmError,
  UnsupportedVersionError,
  WrongRecipientError,
} from "./errors.ts";
import {
  GCM_NONCE_LENGTH,
  GCM_TAG_LENGTH,
  KEY_LENGTH,
  aesGcmDecrypt,
  aesGcmEncrypt,
  bytesEqual,
  concatBytes,
  hkdfSha256,
  randomBytes,
  utf8ToBytes,
  x25519,
} from "./primitives.ts";

export const KEY_SHARE_MAGIC = Uint8Array.of(0x4d, 0x56, 0x4b); // "MVK"
/** The version every createKeyShare writes. */
export const KEY_SHARE_VERSION = 2;
export const KEM_X25519_HKDF_SHA256 = 1;
export const AEAD_AES256GCM = 1;
const OFF_PATIENT = 6;
const OFF_GRANTEE = 26;
const OFF_RECIPIENT = 46;
const OFF_EPHEMERAL = 78;
const OFF_NONCE = 110;
const OFF_COUNT = 122;
export const KEY_SHARE_HEADER_LENGTH = 124;
/** Entry layout per version: category u8, epoch (u8 in v1, u32 big-endian in v2), key. */
const ENTRY = {
  1: { epochLength: 1, length: 1 + 1 + KEY_LENGTH },
  2: { epochLength: 4, length: 1 + 4 + KEY_LENGTH },
} as const;
/** v1: every epoch of every category when epochs were one byte (32 × 256). */
export const MAX_KEY_SHARE_V1_ENTRIES = 32 * 256;
/**
 * v2: what the uint16 count holds. A grant shares every epoch 0..current of each category
 * in scope, so this bounds the sum of (current epoch + 1) over those categories: 65,535
 * keys, a 2.3 MiB share (far under the upload limit), e.g. ten categories rotated 6,500
 * times each. Past it createKeyShare and shareEntriesFor refuse with InvalidInputError.
 */
export const MAX_KEY_SHARE_ENTRIES = 0xffff;

export type KeyShareVersion = 1 | 2;

export interface KeyShareHeader {
  version: KeyShareVersion;
  patient: Address;
  grantee: Address;
  recipientPublicKey: Hex;
  ephemeralPublicKey: Uint8Array;
  nonce: Uint8Array;
  entryCount: number;
}

export interface CreateKeyShareParams {
  ctx: DeploymentContext;
  patient: Address;
  grantee: Address;
  /** The grantee's registered `encryptionKeyOf(grantee)`. */
  granteePublicKey: Hex | Uint8Array;
  entries: readonly CategoryKeyEntry[];
}

export interface OpenKeyShareContext extends RecordContext {
  /** When set, the share must name this grantee. */
  grantee?: Address;
}

function publicKeyBytes(key: Hex | Uint8Array): Uint8Array {
  const bytes = typeof key === "string" && isHex(key, { strict: true }) && key.length === 66 ? hexToBytes(key) : key;
  if (!(bytes instanceof Uint8Array) || bytes.length !== KEY_LENGTH) {
    throw new InvalidInputError("grantee public key must be a 32-byte X25519 key (bytes32)");
  }
  if (bytes.every((b) => b === 0)) {
    throw new InvalidInputError("grantee has no encryption key registered (bytes32 zero)");
  }
  return bytes;
}

function shareKek(shared: Uint8Array, ephemeralPublicKey: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  return hkdfSha256(
    shared,
    utf8ToBytes("MedVault key share v1"),
    concatBytes(utf8ToBytes("MedVault key share X25519"), ephemeralPublicKey, recipientPublicKey),
  );
}

export function createKeyShare(params: CreateKeyShareParams): Uint8Array {
  const { ctx, patient, grantee, entries } = params;
  const recipient = publicKeyBytes(params.granteePublicKey);
  if (!Array.isArray(entries) || entries.length === 0)
    throw new InvalidInputError("a key share needs at least one entry");
  if (entries.length > MAX_KEY_SHARE_ENTRIES) {
    throw new InvalidInputError(`a key share holds at most ${MAX_KEY_SHARE_ENTRIES} entries, got ${entries.length}`);
  }
  const sorted = [...entries].sort((a, b) => a.category - b.category || a.epoch - b.epoch);
  const entryLength = ENTRY[KEY_SHARE_VERSION].length;
  const payload = new Uint8Array(sorted.length * entryLength);
  sorted.forEach((e, i) => {
    assertCategory(e.category);
    assertEpoch(e.epoch);
    assertKey(e.key, `key for category ${e.category} epoch ${e.epoch}`);
    const prev = sorted[i - 1];
    if (prev && prev.category === e.category && prev.epoch === e.epoch) {
      throw new InvalidInputError(`duplicate entry for category ${e.category} epoch ${e.epoch}`);
    }
    const at = i * entryLength;
    payload[at] = e.category;
    payload.set(epochBytes(e.epoch), at + 1);
    payload.set(e.key, at + 5);
  });

  const ephemeralSecret = x25519.utils.randomSecretKey();
  const ephemeralPublicKey = x25519.getPublicKey(ephemeralSecret);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(ephemeralSecret, recipient);
  } catch (cause) {
    throw new InvalidInputError("grantee public key is not a usable X25519 key (low-order point)", { cause });
  } finally {
    ephemeralSecret.fill(0);
  }

  const header = new Uint8Array(KEY_SHARE_HEADER_LENGTH);
  header.set(KEY_SHARE_MAGIC, 0);
  header[3] = KEY_SHARE_VERSION;
  header[4] = KEM_X25519_HKDF_SHA256;
  header[5] = AEAD_AES256GCM;
  header.set(addressBytes(patient, "patient"), OFF_PATIENT);
  header.set(addressBytes(grantee, "grantee"), OFF_GRANTEE);
  header.set(recipient, OFF_RECIPIENT);
  header.set(ephemeralPublicKey, OFF_EPHEMERAL);
  header.set(randomBytes(GCM_NONCE_LENGTH), OFF_NONCE);
  new DataView(header.buffer).setUint16(OFF_COUNT, sorted.length);
  const aad = concatBytes(encodeRecordContext({ ...ctx, patient }), header);
  const sealed = aesGcmEncrypt(
    shareKek(shared, ephemeralPublicKey, recipient),
    header.subarray(OFF_NONCE, OFF_COUNT),
    payload,
    aad,
  );
  payload.fill(0);
  shared.fill(0);
  return concatBytes(header, sealed);
}

/**
 * Structural checks only (magic, version, algorithm ids, exact length). `bytes` is the whole
 * share, or, when `objectLength` gives the size of the whole object, at least its first
 * KEY_SHARE_HEADER_LENGTH bytes.
 */
export function parseKeyShareHeader(bytes: Uint8Array, objectLength?: number): KeyShareHeader {
  if (!(bytes instanceof Uint8Array)) throw new NotAnEnvelopeError("key share must be a Uint8Array");
  objectLength ??= bytes.length;
  if (!Number.isSafeInteger(objectLength) || objectLength < bytes.length) {
    throw new InvalidInputError(
      `objectLength must be an integer at least the ${bytes.length} bytes given, got ${String(objectLength)}`,
    );
  }
  const magicSeen = Math.min(bytes.length, KEY_SHARE_MAGIC.length);
  for (let i = 0; i < magicSeen; i++) {
    if (bytes[i] !== KEY_SHARE_MAGIC[i]) throw new NotAnEnvelopeError('not a MedVault key share (magic "MVK" missing)');
  }
  const shortest = (v: KeyShareVersion) => KEY_SHARE_HEADER_LENGTH + ENTRY[v].length + GCM_TAG_LENGTH;
  if (objectLength < 4) throw new TruncatedEnvelopeError("key share", objectLength, shortest(KEY_SHARE_VERSION));
  if (bytes.length < 4) throw prefixTooShort(bytes.length);
  const version = bytes[3]!;
  if (version !== 1 && version !== 2) throw new UnsupportedVersionError("key share", version);
  if (objectLength < shortest(version)) throw new TruncatedEnvelopeError("key share", objectLength, shortest(version));
  if (bytes.length < KEY_SHARE_HEADER_LENGTH) throw prefixTooShort(bytes.length);
  if (bytes[4] !== KEM_X25519_HKDF_SHA256) throw new UnsupportedAlgorithmError("key agreement", bytes[4]!);
  if (bytes[5] !== AEAD_AES256GCM) throw new UnsupportedAlgorithmError("key share AEAD", bytes[5]!);
  const entryCount = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(OFF_COUNT);
  const maxEntries = version === 1 ? MAX_KEY_SHARE_V1_ENTRIES : MAX_KEY_SHARE_ENTRIES;
  if (entryCount === 0 || entryCount > maxEntries) {
    throw new NotAnEnvelopeError(`key share v${version} entry count ${entryCount} is outside 1..${maxEntries}`);
  }
  const expected = KEY_SHARE_HEADER_LENGTH + entryCount * ENTRY[version].length + GCM_TAG_LENGTH;
  if (objectLength < expected) throw new TruncatedEnvelopeError("key share", objectLength, expected);
  if (objectLength > expected) {
    throw new NotAnEnvelopeError(`key share of ${entryCount} entries must be ${expected} bytes, got ${objectLength}`);
  }
  return {
    version,
    patient: getAddress(toHex(bytes.subarray(OFF_PATIENT, OFF_GRANTEE))),
    grantee: getAddress(toHex(bytes.subarray(OFF_GRANTEE, OFF_RECIPIENT))),
    recipientPublicKey: toHex(bytes.subarray(OFF_RECIPIENT, OFF_EPHEMERAL)),
    ephemeralPublicKey: bytes.subarray(OFF_EPHEMERAL, OFF_NONCE),
    nonce: bytes.subarray(OFF_NONCE, OFF_COUNT),
    entryCount,
  };
}

function prefixTooShort(given: number): InvalidInputError {
  return new InvalidInputError(
    `reading a key share header needs the object's first ${KEY_SHARE_HEADER_LENGTH} bytes, got ${given}`,
  );
}

export function isKeyShare(bytes: Uint8Array): boolean {
  try {
    parseKeyShareHeader(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens a key share with the grantee's account secret. Throws WrongRecipientError when it
 * is addressed to another key, ContextMismatchError when it names another patient or
 * grantee than `ctx`, DecryptionFailedError when it was modified or made for another
 * chain or contract.
 */
export function openKeyShare(
  bytes: Uint8Array,
  granteeSecretKey: Uint8Array,
  ctx: OpenKeyShareContext,
): CategoryKeyEntry[] {
  const header = parseKeyShareHeader(bytes);
  assertKey(granteeSecretKey, "grantee secret key");
  if (header.patient !== getAddress(ctx.patient)) {
    throw new ContextMismatchError(`key share is for patient ${header.patient}, not ${getAddress(ctx.patient)}`);
  }
  if (ctx.grantee !== undefined && header.grantee !== getAddress(ctx.grantee)) {
    throw new ContextMismatchError(`key share is for grantee ${header.grantee}, not ${getAddress(ctx.grantee)}`);
  }
  const ownPublicKey = x25519.getPublicKey(granteeSecretKey);
  const recipient = bytes.subarray(OFF_RECIPIENT, OFF_EPHEMERAL);
  if (!bytesEqual(ownPublicKey, recipient))
    throw new WrongRecipientError(header.recipientPublicKey, toHex(ownPublicKey));

  let payload: Uint8Array;
  try {
    const shared = x25519.getSharedSecret(granteeSecretKey, header.ephemeralPublicKey);
    const aad = concatBytes(encodeRecordContext(ctx), bytes.subarray(0, KEY_SHARE_HEADER_LENGTH));
    payload = aesGcmDecrypt(
      shareKek(shared, header.ephemeralPublicKey, recipient),
      header.nonce,
      bytes.subarray(KEY_SHARE_HEADER_LENGTH),
      aad,
    );
    shared.fill(0);
  } catch (cause) {
    throw new DecryptionFailedError(
      "key share failed authentication: modified bytes, or opened for another chain or contract",
      { cause },
    );
  }
  const { epochLength, length } = ENTRY[header.version];
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const entries: CategoryKeyEntry[] = [];
  for (let i = 0; i < header.entryCount; i++) {
    const at = i * length;
    const category = payload[at]!;
    // Authenticated, so only a buggy or malicious patient app could get here.
    if (category > 31) throw new NotAnEnvelopeError(`key share entry ${i} has category ${category} outside 0..31`);
    const epoch = epochLength === 1 ? payload[at + 1]! : view.getUint32(at + 1);
    entries.push({ category, epoch, key: payload.slice(at + 1 + epochLength, at + length) });
  }
  payload.fill(0);
  return entries;
}

/**
 * The entries a patient shares for `categories`: every epoch from 0 to the current one
 * (`keyEpochs(patient)` from the contract, uint32[32]), so the grantee can read older
 * records too. Refuses, before deriving anything, when they would not fit one key share.
 */
export function shareEntriesFor(
  accountSecret: Uint8Array,
  ctx: RecordContext,
  categories: Iterable<number>,
  keyEpochs: KeyEpochs,
): CategoryKeyEntry[] {
  const wanted = [...new Set(categories)].map((category) => ({ category, current: epochOf(keyEpochs, category) }));
  const total = wanted.reduce((sum, c) => sum + c.current + 1, 0);
  if (total > MAX_KEY_SHARE_ENTRIES) {
    const at = wanted.map((c) => `category ${c.category} at epoch ${c.current}`).join(", ");
    throw new InvalidInputError(
      `${at} needs ${total} keys; a key share holds at most ${MAX_KEY_SHARE_ENTRIES}: grant fewer categories at once`,
    );
  }
  const entries: CategoryKeyEntry[] = [];
  for (const { category, current } of wanted) {
    for (let epoch = 0; epoch <= current; epoch++) {
      entries.push({ category, epoch, key: deriveCategoryKey(accountSecret, ctx, category, epoch) });
    }
  }
  return entries;
}
