/**
 * MedVault's one way of turning record bytes into a CID, shared by the server and the
 * browser (no Node APIs here). Anyone holding the bytes can recompute the CID and
 * compare it with the digest anchored on-chain, so no storage node has to be trusted.
 */
import { importBytes, type ImporterOptions, type WritableStorage } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { BadCidError, IntegrityError } from "./types.ts";

export const RAW_CODEC = 0x55;
export const DAG_PB_CODEC = 0x70;
export const SHA2_256_CODE = 0x12;
export const CHUNK_SIZE = 1_048_576;
/**
 * 1024 links per node is the `unixfs-v1-2025` profile (Helia's default); Kubo's
 * legacy default is 174. Records are capped far below 174 chunks, where the two agree.
 */
export const MAX_CHILDREN_PER_NODE = 1024;
/** Contract `flags` bit that marks a dag-pb (multi-chunk UnixFS) CID. */
export const FLAG_DAG_PB = 0x02;

/**
 * Fixed importer settings (docs/ARCHITECTURE.md, "Storage CIDs"). Changing any of them
 * changes every CID, so they are spelled out instead of relying on library defaults.
 */
export function importerOptions(): Omit<ImporterOptions, "onProgress"> {
  return {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
    layout: balanced({ maxChildrenPerNode: MAX_CHILDREN_PER_NODE }),
  };
}

// Only the CID is wanted, so the blocks are dropped instead of being kept in memory.
const discardBlocks: WritableStorage = {
  put: async (cid: CID) => cid,
};

export async function computeCid(bytes: Uint8Array): Promise<CID> {
  const { cid } = await importBytes(bytes, discardBlocks, importerOptions());
  return cid;
}

/** Throws IntegrityError unless `bytes` are exactly the record `cid` names. */
export async function verifyBytes(cid: CID | string, bytes: Uint8Array): Promise<void> {
  const expected = toCid(cid);
  const actual = await computeCid(bytes);
  const want = expected.toString();
  const got = actual.toString();
  if (got !== want) throw new IntegrityError(want, got);
}

/** Parses a CID string, accepting only what MedVault stores: CIDv1, sha2-256, raw or dag-pb. */
export function parseCid(input: string): CID {
  if (typeof input !== "string") throw new BadCidError(String(input), "not a string");
  if (input.length === 0) throw new BadCidError(input, "empty");
  // A sha2-256 CIDv1 is 59 characters in base32; far longer input is not a CID.
  if (input.length > 128) throw new BadCidError(input, "too long");
  let cid: CID;
  try {
    cid = CID.parse(input);
  } catch (err) {
    throw new BadCidError(input, err instanceof Error ? err.message : "unparseable");
  }
  return checkCid(cid, input);
}

/** Accepts a CID object or string and applies the same rules as `parseCid`. */
export function toCid(cid: CID | string): CID {
  if (typeof cid === "string") return parseCid(cid);
  const asCid = CID.asCID(cid);
  if (!asCid) throw new BadCidError(String(cid), "not a CID");
  return checkCid(asCid, asCid.toString());
}

function checkCid(cid: CID, input: string): CID {
  if (cid.version !== 1) throw new BadCidError(input, `CIDv${cid.version}; only CIDv1 is accepted`);
  if (cid.code !== RAW_CODEC && cid.code !== DAG_PB_CODEC) {
    throw new BadCidError(input, `codec 0x${cid.code.toString(16)}; only raw and dag-pb are accepted`);
  }
  if (cid.multihash.code !== SHA2_256_CODE || cid.multihash.digest.length !== 32) {
    throw new BadCidError(input, "only sha2-256 hashes are accepted");
  }
  return cid;
}

export interface CidDigest {
  /** The 32-byte sha2-256 digest as 0x-prefixed hex, as `anchorRecord` stores it. */
  digest: `0x${string}`;
  dagPb: boolean;
}

export function cidToDigest(cid: CID | string): CidDigest {
  const c = toCid(cid);
  let hex = "0x";
  for (const b of c.multihash.digest) hex += b.toString(16).padStart(2, "0");
  return { digest: hex as `0x${string}`, dagPb: c.code === DAG_PB_CODEC };
}

export function cidFromDigest(digest: string, dagPb: boolean): CID {
  if (!/^0x[0-9a-fA-F]{64}$/.test(digest)) {
    throw new BadCidError(digest, "digest must be 32 bytes of 0x-prefixed hex");
  }
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(digest.slice(2 + i * 2, 4 + i * 2), 16);
  return CID.createV1(dagPb ? DAG_PB_CODEC : RAW_CODEC, Digest.create(SHA2_256_CODE, bytes));
}

/** The contract's per-record `flags` codec bit for this CID. */
export function cidFlags(cid: CID | string): number {
  return cidToDigest(cid).dagPb ? FLAG_DAG_PB : 0;
}
