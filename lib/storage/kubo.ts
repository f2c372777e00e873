/**
 * Backend for a real IPFS node or cluster peer: Kubo's RPC API (`IPFS_API_URL`, e.g.
 * http://127.0.0.1:5001). Kubo chunks and hashes the bytes itself, so the CID it
 * returns is checked against our own computation before we accept it, and every read
 * is verified here exactly as with the embedded node.
 */
import { create, type KuboRPCClient } from "kubo-rpc-client";
import type { CID } from "multiformats/cid";
import { CHUNK_SIZE, computeCid, toCid, verifyBytes } from "./cid.ts";
import {
  IntegrityError,
  NotFoundError,
  StorageUnavailableError,
  type GetOptions,
  type RecordStat,
  type RecordStore,
  type StoreInfo,
} from "./types.ts";

export interface KuboStoreOptions {
  /** Kubo RPC endpoint, e.g. `http://127.0.0.1:5001`. */
  url: string;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
  /**
   * Let Kubo fetch blocks it lacks from the IPFS network. Off by default so a missing
   * CID fails at once; turn on when records are pinned on other cluster peers.
   */
  networkFetch?: boolean;
}

export class KuboStore implements RecordStore {
  readonly client: KuboRPCClient;
  private readonly offline: boolean;
  private readonly timeoutMs: number;

  constructor(readonly opts: KuboStoreOptions) {
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch {
      throw new StorageUnavailableError(`IPFS_API_URL is not a URL: ${opts.url}`);
    }
    this.client = create({ url });
    this.offline = !(opts.networkFetch ?? false);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  async put(bytes: Uint8Array, opts: GetOptions = {}): Promise<CID> {
    const expected = await computeCid(bytes);
    const { cid } = await this.call(
      undefined,
      () =>
        this.client.add(bytes, {
          cidVersion: 1,
          rawLeaves: true,
          chunker: `size-${CHUNK_SIZE}`,
          hashAlg: "sha2-256",
          pin: true,
          signal: this.signal(opts.signal),
        }),
      opts.signal,
    );
    // A Kubo configured with other import settings would store the record under a CID
    // nobody else can recompute; refuse it rather than anchor an unverifiable CID.
    if (cid.toString() !== expected.toString()) {
      throw new IntegrityError(
        expected.toString(),
        cid.toString(),
        `Kubo stored the record as ${cid} but MedVault's import settings give ${expected}`,
      );
    }
    return expected;
  }

  async get(cid: CID | string, opts: GetOptions = {}): Promise<Uint8Array> {
    const c = toCid(cid);
    const bytes = await this.call(
      c,
      async () => {
        const chunks: Uint8Array[] = [];
        let length = 0;
        for await (const chunk of this.client.cat(c, {
          offline: this.offline,
          signal: this.signal(opts.signal),
        } as object)) {
          chunks.push(chunk);
          length += chunk.byteLength;
        }
        const out = new Uint8Array(length);
        let offset = 0;
        for (const chunk of chunks) {
          out.set(chunk, offset);
          offset += chunk.byteLength;
        }
        return out;
      },
      opts.signal,
    );
    await verifyBytes(c, bytes);
    return bytes;
  }

  async pin(cid: CID | string): Promise<void> {
    const c = toCid(cid);
    await this.call(c, () => this.client.pin.add(c, { offline: this.offline, signal: this.signal() } as object));
  }

  async unpin(cid: CID | string): Promise<void> {
    const c = toCid(cid);
    try {
      await this.call(c, () => this.client.pin.rm(c, { signal: this.signal() }));
    } catch (err) {
      // Unpinning what is not pinned is already done.
      if (err instanceof NotFoundError || /not pinned/i.test((err as Error).message)) return;
      throw err;
    }
  }

  async stat(cid: CID | string): Promise<RecordStat | undefined> {
    const c = toCid(cid);
    if (!(await this.has(c))) return undefined;
    const s = await this.call(c, () =>
      this.client.files.stat(`/ipfs/${c}`, { offline: true, signal: this.signal() } as object),
    );
    return { size: Number(s.size), pinned: await this.isPinned(c) };
  }

  async has(cid: CID | string): Promise<boolean> {
    const c = toCid(cid);
    try {
      await this.call(c, () => this.client.block.stat(c, { offline: true, signal: this.signal() } as object));
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  async info(): Promise<StoreInfo> {
    const id = await this.call(undefined, () => this.client.id({ signal: this.signal() }));
    return { backend: "kubo", peerId: id.id.toString() };
  }

  async close(): Promise<void> {
    // The RPC client holds only keep-alive sockets; there is nothing to flush.
  }

  private async isPinned(c: CID): Promise<boolean> {
    try {
      for await (const _ of this.client.pin.ls({ paths: c, type: "recursive", signal: this.signal() })) return true;
      return false;
    } catch (err) {
      if (/not pinned/i.test((err as Error).message)) return false;
      throw mapError(err, c);
    }
  }

  private signal(user?: AbortSignal): AbortSignal {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    return user ? AbortSignal.any([user, timeout]) : timeout;
  }

  private async call<T>(cid: CID | undefined, fn: () => Promise<T>, user?: AbortSignal): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      // Only the caller's own abort passes through; our timeout means Kubo is stuck.
      if (user?.aborted) throw user.reason ?? err;
      throw mapError(err, cid);
    }
  }
}

const NOT_FOUND = /not found|could not find|no link named|merkledag: not found|is not pinned/i;

function mapError(err: unknown, cid: CID | undefined): Error {
  const e = err as Error & { response?: { status: number } };
  if (e instanceof NotFoundError || e instanceof IntegrityError || e instanceof StorageUnavailableError) return e;
  if (e?.name === "HTTPError" && e.response) {
    if (cid && NOT_FOUND.test(e.message))
      return new NotFoundError(cid.toString(), `Kubo does not hold ${cid}: ${e.message}`);
    return new StorageUnavailableError(`Kubo refused the request: ${e.message}`, { cause: err });
  }
  // Connection refused, DNS failure, reset socket, our timeout: the node is not usable.
  return new StorageUnavailableError(`Kubo RPC API unreachable: ${describe(err)}`, { cause: err });
}

function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return [e?.message, e?.cause?.code ?? e?.cause?.message].filter(Boolean).join(": ");
}
