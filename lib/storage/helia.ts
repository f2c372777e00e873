/**
 * The default backend: an embedded Helia node (Node only).
 *
 * Blocks live in `<dataDir>/blocks` (blockstore-fs), pins and the node's libp2p key in
 * `<dataDir>/datastore` (datastore-fs), so records and the peer id survive restarts.
 * libp2p listens on 127.0.0.1 only and knows no bootstrap peers, no mDNS, no DHT and no
 * HTTP gateways: the node talks to nobody unless told to dial a peer.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { withBitswap } from "@helia/bitswap";
import { withLibp2pLight, type HeliaWithLibp2p } from "@helia/libp2p";
import { unixfs, type UnixFS } from "@helia/unixfs";
import { identify } from "@libp2p/identify";
import { tcp } from "@libp2p/tcp";
import type { Multiaddr } from "@multiformats/multiaddr";
import type { GraphNode, GraphWalkerFactory } from "@helia/interface";
import { FsBlockstore } from "blockstore-fs";
import { NextToLast } from "blockstore-fs/sharding";
import { FsDatastore } from "datastore-fs";
import { createHeliaLight } from "helia";
import { createUnsafe } from "multiformats/block";
import type { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { importerOptions, RAW_CODEC, toCid, verifyBytes } from "./cid.ts";
import {
  IntegrityError,
  NotFoundError,
  StorageUnavailableError,
  type GetOptions,
  type RecordStat,
  type RecordStore,
  type StoreInfo,
} from "./types.ts";

export const DEFAULT_DATA_DIR = "data/ipfs";

export interface HeliaStoreOptions {
  /** Folder for blocks and datastore; created when missing. Default `data/ipfs`. */
  dataDir?: string;
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  listenPort?: number;
  /**
   * Fetch blocks this node lacks from connected peers (bitswap). Off by default so a
   * missing CID fails at once with NotFoundError instead of waiting on the network.
   */
  networkFetch?: boolean;
}

type Node = HeliaWithLibp2p<{ identify: ReturnType<ReturnType<typeof identify>> }>;

export class HeliaStore implements RecordStore {
  private closed = false;

  private constructor(
    readonly node: Node,
    private readonly fs: UnixFS,
    readonly dataDir: string,
    private readonly networkFetch: boolean,
    private readonly stores: { close(): Promise<void> }[],
  ) {}

  static async create(opts: HeliaStoreOptions = {}): Promise<HeliaStore> {
    const dataDir = path.resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
    const port = opts.listenPort ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(`IPFS listen port must be an integer 0-65535, got ${port}`);
    }
    const blockstore = new WholeFileBlockstore(path.join(dataDir, "blocks"));
    const datastore = new FsDatastore(path.join(dataDir, "datastore"));
    try {
      await blockstore.open();
      await datastore.open();
    } catch (err) {
      throw new StorageUnavailableError(`cannot open IPFS data folder ${dataDir}: ${String(err)}`, { cause: err });
    }
    // createHelia() would add delegated routing and public HTTP gateways; the light
    // variant plus libp2p and bitswap gives a node that only reaches peers we dial.
    const helia = createHeliaLight({ blockstore, datastore });
    const node = withBitswap(
      withLibp2pLight(helia, {
        addresses: { listen: [`/ip4/127.0.0.1/tcp/${port}`] },
        transports: [tcp()],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        peerDiscovery: [],
        services: { identify: identify() },
      }),
    ) as Node;
    try {
      await node.start();
    } catch (err) {
      await node.stop().catch(() => {});
      throw new StorageUnavailableError(`cannot start the embedded IPFS node: ${String(err)}`, { cause: err });
    }
    return new HeliaStore(node, unixfs(node), dataDir, opts.networkFetch ?? false, [blockstore, datastore]);
  }

  get peerId(): string {
    return this.node.libp2p.peerId.toString();
  }

  multiaddrs(): Multiaddr[] {
    return this.node.libp2p.getMultiaddrs();
  }

  /** Connects to another node (e.g. a second MedVault server) so bitswap can fetch from it. */
  async dial(addr: Multiaddr, opts: GetOptions = {}): Promise<void> {
    this.assertOpen();
    await this.node.libp2p.dial(addr, { signal: opts.signal });
  }

  async put(bytes: Uint8Array, opts: GetOptions = {}): Promise<CID> {
    this.assertOpen();
    const cid = await this.fs.addBytes(bytes, { ...importerOptions(), signal: opts.signal });
    await this.pinLocal(cid, opts.signal);
    return cid;
  }

  async get(cid: CID | string, opts: GetOptions = {}): Promise<Uint8Array> {
    this.assertOpen();
    const c = toCid(cid);
    const offline = !this.networkFetch;
    if (offline && !(await this.node.blockstore.has(c))) throw new NotFoundError(c.toString());
    const chunks: Uint8Array[] = [];
    let length = 0;
    try {
      for await (const chunk of this.fs.cat(c, { offline, signal: opts.signal })) {
        chunks.push(chunk);
        length += chunk.byteLength;
      }
    } catch (err) {
      const e = readError(err, c);
      // A missing block under a root this node holds may be a partly stored record (not
      // found) or a root whose links were corrupted to point at blocks that never existed:
      // re-hashing the root tells them apart, and corruption is an integrity failure.
      if (e instanceof NotFoundError && (await this.node.blockstore.has(c)) && !(await this.rootBlockIntact(c))) {
        throw new IntegrityError(
          c.toString(),
          undefined,
          `the stored root block of ${c} does not hash to its CID (corrupted links)`,
        );
      }
      throw e;
    }
    const bytes = concat(chunks, length);
    await verifyBytes(c, bytes);
    return bytes;
  }

  /** Whether the locally stored root block still hashes to its CID (local reads are not re-hashed). */
  private async rootBlockIntact(c: CID): Promise<boolean> {
    const parts: Uint8Array[] = [];
    let n = 0;
    for await (const part of this.node.blockstore.get(c)) {
      parts.push(part);
      n += part.byteLength;
    }
    const digest = await sha256.digest(concat(parts, n));
    const expected = c.multihash.digest;
    return digest.digest.length === expected.length && digest.digest.every((b, i) => b === expected[i]);
  }

  async pin(cid: CID | string): Promise<void> {
    this.assertOpen();
    const c = toCid(cid);
    if (!this.networkFetch && !(await this.node.blockstore.has(c))) throw new NotFoundError(c.toString());
    try {
      await this.pinLocal(c);
    } catch (err) {
      throw readError(err, c);
    }
  }

  async unpin(cid: CID | string): Promise<void> {
    this.assertOpen();
    const c = toCid(cid);
    if (!(await this.isPinnedRoot(c))) return;
    for await (const _ of this.node.pins.rm(c, { offline: true, walker: leafSkippingWalker } as object)) {
      // draining the generator is what removes the pin
    }
  }

  async stat(cid: CID | string): Promise<RecordStat | undefined> {
    this.assertOpen();
    const c = toCid(cid);
    if (!(await this.node.blockstore.has(c))) return undefined;
    try {
      const s = await this.fs.stat(c, { offline: true });
      return { size: Number(s.size), pinned: await this.isPinnedRoot(c) };
    } catch (err) {
      throw readError(err, c);
    }
  }

  async has(cid: CID | string): Promise<boolean> {
    this.assertOpen();
    return this.node.blockstore.has(toCid(cid));
  }

  async info(): Promise<StoreInfo> {
    this.assertOpen();
    let blockCount = 0;
    for await (const _ of this.node.blockstore.getAll()) blockCount++;
    return { backend: "helia", peerId: this.peerId, blockCount };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.node.stop();
    await Promise.all(this.stores.map((s) => s.close()));
  }

  private async pinLocal(cid: CID, signal?: AbortSignal): Promise<void> {
    if (await this.isPinnedRoot(cid)) return;
    // `offline` reaches the graph walker's block reads, so a missing child block fails
    // instead of starting a network search.
    const options = { signal, offline: !this.networkFetch, walker: leafSkippingWalker } as object;
    for await (const _ of this.node.pins.add(cid, options)) {
      // draining the generator is what records the pin
    }
  }

  /** True when `cid` itself was pinned, not merely reachable from another pin. */
  private async isPinnedRoot(cid: CID): Promise<boolean> {
    try {
      await this.node.pins.get(cid);
      return true;
    } catch (err) {
      if ((err as Error).name === "NotFoundError") return false;
      throw err;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageUnavailableError("the embedded IPFS node is closed");
  }
}

/**
 * blockstore-fs streams each block in 64 KiB pieces; records are read whole anyway, so
 * one readFile per 1 MiB block saves ~16 stream round trips per block.
 */
class WholeFileBlockstore extends FsBlockstore {
  private readonly layout: NextToLast;

  constructor(location: string) {
    const layout = new NextToLast();
    super(location, { shardingStrategy: layout });
    this.layout = layout;
  }

  override async *get(key: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
    const { dir, file } = this.layout.encode(key);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path.join(this.path, dir, file), { signal: options?.signal });
    } catch (err) {
      if ((err as Error).name === "AbortError") throw err;
      throw Object.assign(new Error(String(err)), { name: "NotFoundError" });
    }
    yield bytes;
  }
}

/**
 * Pinning only needs the CIDs under a root. Helia's default walker reads every block
 * to find links, but raw leaves (all data blocks here) have none, so reading them
 * back right after writing them doubled the cost of a put. Leaves are checked for
 * presence instead, and only fetched when they are missing.
 */
const leafSkippingWalker: GraphWalkerFactory = ({ blockstore, getCodec }) => ({
  async *walk<T>(root: CID, options: { depth?: number; signal?: AbortSignal } = {}): AsyncGenerator<GraphNode<T>> {
    const maxDepth = options.depth ?? Infinity;
    const stack: { cid: CID; depth: number; path: CID[] }[] = [{ cid: root, depth: 0, path: [root] }];
    while (stack.length > 0) {
      const { cid, depth, path: trail } = stack.pop()!;
      options.signal?.throwIfAborted();
      if (cid.code === RAW_CODEC && (await blockstore.has(cid, options))) {
        const block = createUnsafe({ cid, bytes: new Uint8Array(0), codec: raw });
        yield { block, depth, path: trail } as unknown as GraphNode<T>;
        continue;
      }
      const chunks: Uint8Array[] = [];
      let length = 0;
      for await (const chunk of blockstore.get(cid, options)) {
        chunks.push(chunk);
        length += chunk.byteLength;
      }
      const block = createUnsafe({ cid, bytes: concat(chunks, length), codec: await getCodec(cid.code) });
      if (depth < maxDepth) {
        const children = [...block.links()].map(([, child]) => child);
        for (const child of children.reverse()) stack.push({ cid: child, depth: depth + 1, path: [...trail, child] });
      }
      yield { block, depth, path: trail } as unknown as GraphNode<T>;
    }
  },
});

const MISSING = new Set(["BlockNotFoundWhileOfflineError", "NotFoundError", "LoadBlockFailedError"]);

/**
 * Local blocks are not re-hashed when read, so a corrupted block surfaces either as
 * wrong bytes (caught by verifyBytes) or as a DAG the exporter cannot decode — the
 * latter is an integrity failure too, not a crash.
 */
function readError(err: unknown, cid: CID): Error {
  const e = err as Error;
  if (e?.name === "AbortError" || e?.name === "TimeoutError") return e;
  if (MISSING.has(e?.name)) return new NotFoundError(cid.toString(), `record ${cid} is not (fully) stored here`);
  return new IntegrityError(cid.toString(), undefined, `stored blocks of ${cid} are corrupt: ${e?.message ?? e}`);
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
