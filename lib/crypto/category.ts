/**
 * Category keys: the middle of the key hierarchy. A patient derives K(patient, category,
 * epoch) from the account secret, so nothing has to be stored; each record's content key
 * is wrapped under the key of its category at the current epoch. Sharing a category means
 * sharing one 32-byte key per epoch, never per record. Revocation bumps the category's
 * epoch on-chain (`rotateKeys`), and records written afterwards use a key the revoked
 * reader never received.
 *
 * Epochs are 32-bit (the contract's `keyEpochs(patient)` is `uint32[32]`). Epochs 0..255
 * derive exactly as they did when epochs were one byte, so no existing key changes; epochs
 * from 256 up use their own HKDF info label with the epoch as a 4-byte big-endian integer
 * (docs/crypto.md, "Category keys").
 */
import { encodeRecordContext, type RecordContext } from "./context.ts";
import { InvalidInputError } from "./errors.ts";
import { KEY_LENGTH, concatBytes, hkdfSha256, utf8ToBytes } from "./primitives.ts";

/** Highest category id the format and the contract allow (`uint8 < 32`). */
export const MAX_CATEGORY = 31;
/** Highest key epoch (`uint32`). */
export const MAX_EPOCH = 0xffff_ffff;
/** Epochs up to here derive with the original one-byte-epoch info, unchanged. */
export const MAX_V1_EPOCH = 0xff;

export interface CategoryKeyEntry {
  category: number;
  epoch: number;
  key: Uint8Array;
}

/**
 * Looks up the key for a category and epoch; `undefined` when the reader holds none
 * (decryptRecord turns that into MissingCategoryKeyError).
 */
export type KeyResolver = (category: number, epoch: number) => Uint8Array | undefined;

export function assertCategory(category: number): void {
  if (!Number.isInteger(category) || category < 0 || category > MAX_CATEGORY) {
    throw new InvalidInputError(`category must be an integer in 0..${MAX_CATEGORY}, got ${category}`);
  }
}

export function assertEpoch(epoch: number): void {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) {
    throw new InvalidInputError(`epoch must be an integer in 0..${MAX_EPOCH}, got ${epoch}`);
  }
}

export function assertKey(key: unknown, what: string): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH) {
    throw new InvalidInputError(`${what} must be ${KEY_LENGTH} bytes`);
  }
}

/** The epoch as a 4-byte big-endian integer, as envelopes and key shares carry it. */
export function epochBytes(epoch: number): Uint8Array {
  assertEpoch(epoch);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, epoch);
  return out;
}

const CATEGORY_KEY_SALT = utf8ToBytes("MedVault category key v1");
// Only for epochs past 255. A label of its own, and an info of another length than the
// one-byte form (72 + 2 bytes), so no wide epoch can derive a key of the one-byte range.
const WIDE_EPOCH_INFO_LABEL = utf8ToBytes("MedVault category key, 32-bit epoch");

export function deriveCategoryKey(
  accountSecret: Uint8Array,
  ctx: RecordContext,
  category: number,
  epoch: number,
): Uint8Array {
  assertKey(accountSecret, "account secret key");
  assertCategory(category);
  assertEpoch(epoch);
  const info =
    epoch <= MAX_V1_EPOCH
      ? concatBytes(encodeRecordContext(ctx), Uint8Array.of(category, epoch))
      : concatBytes(WIDE_EPOCH_INFO_LABEL, encodeRecordContext(ctx), Uint8Array.of(category), epochBytes(epoch));
  return hkdfSha256(accountSecret, CATEGORY_KEY_SALT, info);
}

/** What the contract's `keyEpochs(patient)` returns: `uint32[32]`, index = category. */
export type KeyEpochs = readonly (number | bigint)[];

/**
 * The current epoch of `category` from the contract's `keyEpochs(patient)`. Every entry is
 * checked, so a value of another shape (the old packed bytes32, a short array) fails here
 * rather than encrypting under a wrong epoch.
 */
export function epochOf(keyEpochs: KeyEpochs, category: number): number {
  assertCategory(category);
  if (!Array.isArray(keyEpochs)) {
    throw new InvalidInputError(`keyEpochs must be an array of 32 epochs (uint32[32]), got ${String(keyEpochs)}`);
  }
  if (keyEpochs.length !== 32) {
    throw new InvalidInputError(`keyEpochs must hold 32 epochs (one per category), got ${keyEpochs.length}`);
  }
  let current = 0;
  keyEpochs.forEach((value: unknown, i) => {
    const ok =
      (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_EPOCH) ||
      (typeof value === "bigint" && value >= 0n && value <= BigInt(MAX_EPOCH));
    if (!ok) throw new InvalidInputError(`keyEpochs[${i}] must be an integer in 0..${MAX_EPOCH}, got ${String(value)}`);
    if (i === category) current = Number(value);
  });
  return current;
}

/** The patient's own resolver: derives any category key at any epoch on demand. */
export function derivedKeyResolver(accountSecret: Uint8Array, ctx: RecordContext): KeyResolver {
  assertKey(accountSecret, "account secret key");
  return (category, epoch) => deriveCategoryKey(accountSecret, ctx, category, epoch);
}

// category * 2^32 + epoch < 2^37: one number per (category, epoch), exact in a double.
const entryIndex = (category: number, epoch: number) => category * 2 ** 32 + epoch;

/** A grantee's resolver over the entries of the key shares it opened. */
export function entriesKeyResolver(entries: Iterable<CategoryKeyEntry>): KeyResolver {
  const keys = new Map<number, Uint8Array>();
  for (const e of entries) {
    assertCategory(e.category);
    assertEpoch(e.epoch);
    assertKey(e.key, "category key");
    keys.set(entryIndex(e.category, e.epoch), e.key);
  }
  return (category, epoch) => keys.get(entryIndex(category, epoch));
}
