/**
 * The storage contract shared by every backend (embedded Helia, Kubo RPC).
 *
 * Browser-safe: no Node APIs, so the app can import the error classes to tell a
 * tampering gateway apart from a missing record.
 */
import type { CID } from "multiformats/cid";

export type StorageBackend = "helia" | "kubo";

export interface GetOptions {
  signal?: AbortSignal;
}

export interface RecordStat {
  /** Length of the stored bytes (the record's ciphertext), not of the DAG blocks. */
  size: number;
  pinned: boolean;
}

export interface StoreInfo {
  backend: StorageBackend;
  peerId?: string;
  blockCount?: number;
}

/**
 * Content-addressed record storage. Every `get` is verified against the CID before
 * it returns, so a caller never sees bytes other than the ones the CID names.
 */
export interface RecordStore {
  /** Stores and pins `bytes`; the CID is the one `computeCid(bytes)` gives. */
  put(bytes: Uint8Array, opts?: GetOptions): Promise<CID>;
  /** Throws NotFoundError, IntegrityError, BadCidError or StorageUnavailableError. */
  get(cid: CID | string, opts?: GetOptions): Promise<Uint8Array>;
  pin(cid: CID | string): Promise<void>;
  unpin(cid: CID | string): Promise<void>;
  /** `undefined` when this node does not hold the record. */
  stat(cid: CID | string): Promise<RecordStat | undefined>;
  has(cid: CID | string): Promise<boolean>;
  info(): Promise<StoreInfo>;
  close(): Promise<void>;
}

export type StorageErrorCode = "INTEGRITY" | "NOT_FOUND" | "BAD_CID" | "STORAGE_UNAVAILABLE";

export abstract class StorageError extends Error {
  abstract readonly code: StorageErrorCode;
}

/** The bytes do not hash to the CID they were fetched or stored under. */
export class IntegrityError extends StorageError {
  readonly code = "INTEGRITY" as const;
  override readonly name = "IntegrityError";
  constructor(
    readonly expected: string,
    readonly actual: string | undefined,
    message?: string,
  ) {
    super(message ?? `bytes do not match CID ${expected}${actual ? ` (they hash to ${actual})` : ""}`);
  }
}

export class NotFoundError extends StorageError {
  readonly code = "NOT_FOUND" as const;
  override readonly name = "NotFoundError";
  constructor(
    readonly cid: string,
    message?: string,
  ) {
    super(message ?? `no record stored under ${cid}`);
  }
}

export class BadCidError extends StorageError {
  readonly code = "BAD_CID" as const;
  override readonly name = "BadCidError";
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`not a MedVault record CID (${reason}): ${input.length > 100 ? `${input.slice(0, 100)}…` : input}`);
  }
}

export class StorageUnavailableError extends StorageError {
  readonly code = "STORAGE_UNAVAILABLE" as const;
  override readonly name = "StorageUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
