/**
 * Key share v1 ("MVK" 0x01): the category keys a grant covers, encrypted for the grantee's
 * registered X25519 key. ECIES: one ephemeral X25519 key per share, HKDF-SHA256 over the
 * shared secret with both public keys in `info`, AES-256-GCM over every entry at once. A
 * share for N categories × E epochs carries N×E keys of 34 bytes: O(categories), never
 * O(records). The patient stores it on IPFS and puts its CID digest in `ConsentGranted`,
 * which is what makes it authentic: anyone can encrypt to a grantee, only the patient can
 * emit that event.
 *
 *   off len  field
 *     0   3  magic "MVK"
 *     3   1  format version = 0x01
 *     4   1  KEM id  = 0x01 X25519 + HKDF-SHA256
 *     5   1  AEAD id = 0x01 AES-256-GCM
 *     6  20  patient address
 *    26  20  grantee address
 *    46  32  grantee X25519 public key (the recipient)
 *    78  32  ephemeral X25519 public key
 *   110  12  nonce
 *   122   2  entry count N (uint16, big-endian, 1..8192)
 *   124   …  AES-256-GCM( N × [category u8, epoch u8, key 32] ) || 16-byte tag
 *
 * AAD = chainId (uint256) || contract || patient || the 124 header bytes.
 */
import { getAddress, hexToBytes, isHex, toHex, type Address, type Hex } from "viem";
import {
  assertCategory,
  assertEpoch,
  assertKey,
  epochOf,
  deriveCategoryKey,
  type CategoryKeyEntry,
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
export const KEY_SHARE_VERSION = 1;
export const KEM_X25519_HKDF_SHA256 = 1;
export const AEAD_AES256GCM = 1;
const OFF_PATIENT = 6;
const OFF_GRANTEE = 26;
const OFF_RECIPIENT = 46;
const OFF_EPHEMERAL = 78;
const OFF_NONCE = 110;
const OFF_COUNT = 122;
export const KEY_SHARE_HEADER_LENGTH = 124;
const ENTRY_LENGTH = 2 + KEY_LENGTH;
/** Every epoch of every category: 32 × 256. */
export const MAX_KEY_SHARE_ENTRIES = 32 * 256;

export interface KeyShareHeader {
  version: number;
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
  const payload = new Uint8Array(sorted.length * ENTRY_LENGTH);
  sorted.forEach((e, i) => {
    assertCategory(e.category);
    assertEpoch(e.epoch);
    assertKey(e.key, `key for category ${e.category} epoch ${e.epoch}`);
    const prev = sorted[i - 1];
    if (prev && prev.category === e.category && prev.epoch === e.epoch) {
      throw new InvalidInputError(`duplicate entry for category ${e.category} epoch ${e.epoch}`);
    }
    payload[i * ENTRY_LENGTH] = e.category;
    payload[i * ENTRY_LENGTH + 1] = e.epoch;
    payload.set(e.key, i * ENTRY_LENGTH + 2);
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

/** Structural checks only (magic, version, algorithm ids, exact length). */
export function parseKeyShareHeader(bytes: Uint8Array): KeyShareHeader {
  if (!(bytes instanceof Uint8Array)) throw new NotAnEnvelopeError("key share must be a Uint8Array");
  const magicSeen = Math.min(bytes.length, KEY_SHARE_MAGIC.length);
  for (let i = 0; i < magicSeen; i++) {
    if (bytes[i] !== KEY_SHARE_MAGIC[i]) throw new NotAnEnvelopeError('not a MedVault key share (magic "MVK" missing)');
  }
  const minimum = KEY_SHARE_HEADER_LENGTH + ENTRY_LENGTH + GCM_TAG_LENGTH;
  if (bytes.length < 4) throw new TruncatedEnvelopeError("key share", bytes.length, minimum);
  if (bytes[3] !== KEY_SHARE_VERSION) throw new UnsupportedVersionError("key share", bytes[3]!);
  if (bytes.length < minimum) throw new TruncatedEnvelopeError("key share", bytes.length, minimum);
  if (bytes[4] !== KEM_X25519_HKDF_SHA256) throw new UnsupportedAlgorithmError("key agreement", bytes[4]!);
  if (bytes[5] !== AEAD_AES256GCM) throw new UnsupportedAlgorithmError("key share AEAD", bytes[5]!);
  const entryCount = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(OFF_COUNT);
  if (entryCount === 0 || entryCount > MAX_KEY_SHARE_ENTRIES) {
    throw new NotAnEnvelopeError(`key share entry count ${entryCount} is outside 1..${MAX_KEY_SHARE_ENTRIES}`);
  }
  const expected = KEY_SHARE_HEADER_LENGTH + entryCount * ENTRY_LENGTH + GCM_TAG_LENGTH;
  if (bytes.length < expected) throw new TruncatedEnvelopeError("key share", bytes.length, expected);
  if (bytes.length > expected) {
    throw new NotAnEnvelopeError(`key share of ${entryCount} entries must be ${expected} bytes, got ${bytes.length}`);
  }
  return {
    version: KEY_SHARE_VERSION,
    patient: getAddress(toHex(bytes.subarray(OFF_PATIENT, OFF_GRANTEE))),
    grantee: getAddress(toHex(bytes.subarray(OFF_GRANTEE, OFF_RECIPIENT))),
    recipientPublicKey: toHex(bytes.subarray(OFF_RECIPIENT, OFF_EPHEMERAL)),
    ephemeralPublicKey: bytes.subarray(OFF_EPHEMERAL, OFF_NONCE),
    nonce: bytes.subarray(OFF_NONCE, OFF_COUNT),
    entryCount,
  };
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
  const entries: CategoryKeyEntry[] = [];
  for (let i = 0; i < header.entryCount; i++) {
    const at = i * ENTRY_LENGTH;
    const category = payload[at]!;
    // Authenticated, so only a buggy or malicious patient app could get here.
    if (category > 31) throw new NotAnEnvelopeError(`key share entry ${i} has category ${category} outside 0..31`);
    entries.push({ category, epoch: payload[at + 1]!, key: payload.slice(at + 2, at + ENTRY_LENGTH) });
  }
  payload.fill(0);
  return entries;
}

/**
 * The entries a patient shares for `categories`: every epoch from 0 to the current one
 * (`keyEpochs` from the contract), so the grantee can read older records too.
 */
export function shareEntriesFor(
  accountSecret: Uint8Array,
  ctx: RecordContext,
  categories: Iterable<number>,
  keyEpochs: Hex,
): CategoryKeyEntry[] {
  const entries: CategoryKeyEntry[] = [];
  for (const category of new Set(categories)) {
    const current = epochOf(keyEpochs, category);
    for (let epoch = 0; epoch <= current; epoch++) {
      entries.push({ category, epoch, key: deriveCategoryKey(accountSecret, ctx, category, epoch) });
    }
  }
  return entries;
}
