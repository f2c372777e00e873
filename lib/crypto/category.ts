/**
 * Category keys: the middle of the key hierarchy. A patient derives K(patient, category,
 * epoch) from the account secret, so nothing has to be stored; each record's content key
 * is wrapped under the key of its category at the current epoch. Sharing a category means
 * sharing one 32-byte key per epoch, never per record. Revocation bumps the category's
 * epoch on-chain (`rotateKeys`), and records written afterwards use a key the revoked
 * reader never received.
 */
import { hexToBytes, isHex, type Hex } from "viem";
import { encodeRecordContext, type RecordContext } from "./context.ts";
import { InvalidInputError } from "./errors.ts";
import { KEY_LENGTH, concatBytes, hkdfSha256, utf8ToBytes } from "./primitives.ts";

/** Highest category id the format and the contract allow (`uint8 < 32`). */
export const MAX_CATEGORY = 31;
export const MAX_EPOCH = 255;

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

export function deriveCategoryKey(
  accountSecret: Uint8Array,
  ctx: RecordContext,
  category: number,
  epoch: number,
): Uint8Array {
  assertKey(accountSecret, "account secret key");
  assertCategory(category);
  assertEpoch(epoch);
  return hkdfSha256(
    accountSecret,
    utf8ToBytes("MedVault category key v1"),
    concatBytes(encodeRecordContext(ctx), Uint8Array.of(category, epoch)),
  );
}

/**
 * The current epoch of `category` from the contract's `keyEpochs(patient)`: category i is
 * the uint8 at bits 8i..8i+7 of the bytes32 read as a big-endian uint256, i.e.
 * `uint8(uint256(epochs) >> (8 * i))` in Solidity, the byte at index 31 - i.
 */
export function epochOf(keyEpochs: Hex, category: number): number {
  assertCategory(category);
  if (typeof keyEpochs !== "string" || !isHex(keyEpochs, { strict: true }) || keyEpochs.length !== 66) {
    throw new InvalidInputError(`keyEpochs must be a 0x-prefixed bytes32, got ${String(keyEpochs)}`);
  }
  return hexToBytes(keyEpochs)[31 - category]!;
}

/** The patient's own resolver: derives any category key at any epoch on demand. */
export function derivedKeyResolver(accountSecret: Uint8Array, ctx: RecordContext): KeyResolver {
  assertKey(accountSecret, "account secret key");
  return (category, epoch) => deriveCategoryKey(accountSecret, ctx, category, epoch);
}

/** A grantee's resolver over the entries of the key shares it opened. */
export function entriesKeyResolver(entries: Iterable<CategoryKeyEntry>): KeyResolver {
  const keys = new Map<number, Uint8Array>();
  for (const e of entries) {
    assertCategory(e.category);
    assertEpoch(e.epoch);
    assertKey(e.key, "category key");
    keys.set(e.category * 256 + e.epoch, e.key);
  }
  return (category, epoch) => keys.get(category * 256 + epoch);
}
