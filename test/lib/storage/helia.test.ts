import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { NextToLast } from "blockstore-fs/sharding";
import type { CID } from "multiformats/cid";
import { computeCid, DAG_PB_CODEC } from "../../../lib/storage/cid.ts";
import { HeliaStore } from "../../../lib/storage/helia.ts";
import { IntegrityError, NotFoundError, StorageUnavailableError } from "../../../lib/storage/types.ts";
import { shouldBehaveLikeRecordStore } from "./store.behavior.ts";

const MiB = 1024 * 1024;
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), "medvault-helia-"));
  dirs.push(d);
  return d;
}

function blockFile(dataDir: string, cid: CID): string {
  const { dir, file } = new NextToLast().encode(cid);
  return path.join(dataDir, "blocks", dir, file);
}

after(async function () {
  // libp2p's peer store may still flush a write just after stop(); retry instead of
  // failing the run on ENOTEMPTY.
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 })));
});

shouldBehaveLikeRecordStore("HeliaStore", async () => HeliaStore.create({ dataDir: await tempDir() }));

describe("HeliaStore", function () {
  it("listens on loopback only", async function () {
    const store = await HeliaStore.create({ dataDir: await tempDir() });
    try {
      const addrs = store.multiaddrs().map((a) => a.toString());
      expect(addrs).to.have.length.greaterThan(0);
      for (const a of addrs) expect(a).to.match(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//);
    } finally {
      await store.close();
    }
  });

  it("keeps records, pins and its peer id across a restart on the same folder", async function () {
    const dataDir = await tempDir();
    const bytes = randomBytes(3 * MiB + 5);
    const first = await HeliaStore.create({ dataDir });
    const cid = await first.put(bytes);
    const peerId = first.peerId;
    await first.close();

    const second = await HeliaStore.create({ dataDir });
    try {
      expect(second.peerId).to.equal(peerId);
      expect(Buffer.from(await second.get(cid)).equals(bytes)).to.equal(true);
      expect(await second.stat(cid)).to.deep.equal({ size: bytes.length, pinned: true });
    } finally {
      await second.close();
    }
  });

  it("lets a second node on loopback fetch a record from the first over bitswap", async function () {
    const provider = await HeliaStore.create({ dataDir: await tempDir() });
    const fetcher = await HeliaStore.create({ dataDir: await tempDir(), networkFetch: true });
    try {
      const bytes = randomBytes(2 * MiB + 3);
      const cid = await provider.put(bytes);
      expect(await fetcher.has(cid)).to.equal(false);
      const addr = provider.multiaddrs()[0]!;
      expect(addr.toString()).to.match(/^\/ip4\/127\.0\.0\.1\//);
      await fetcher.dial(addr);
      const got = await fetcher.get(cid, { signal: AbortSignal.timeout(30_000) });
      expect(Buffer.from(got).equals(bytes)).to.equal(true);
      // the fetched blocks are now local: the record survives the provider going away
      await provider.close();
      expect(await fetcher.has(cid)).to.equal(true);
      expect(Buffer.from(await fetcher.get(cid)).equals(bytes)).to.equal(true);
    } finally {
      await provider.close();
      await fetcher.close();
    }
  });

  describe("on-disk corruption", function () {
    let dataDir: string;
    let store: HeliaStore;

    beforeEach(async function () {
      dataDir = await tempDir();
      store = await HeliaStore.create({ dataDir });
    });

    afterEach(async function () {
      await store.close();
    });

    it("detects a flipped byte in a single-block record", async function () {
      const bytes = randomBytes(10_000);
      const cid = await store.put(bytes);
      const file = blockFile(dataDir, cid);
      const onDisk = await readFile(file);
      onDisk[1234] = onDisk[1234]! ^ 0x01;
      await writeFile(file, onDisk);
      const err = await store.get(cid).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(IntegrityError);
      expect((err as IntegrityError).code).to.equal("INTEGRITY");
    });

    it("detects a leaf block of a multi-chunk record overwritten with other bytes", async function () {
      const bytes = randomBytes(3 * MiB);
      const cid = await store.put(bytes);
      expect(cid.code).to.equal(DAG_PB_CODEC);
      const secondChunk = await computeCid(bytes.subarray(MiB, 2 * MiB));
      await writeFile(blockFile(dataDir, secondChunk), randomBytes(MiB));
      const err = await store.get(cid).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(IntegrityError);
    });

    it("detects a truncated leaf block", async function () {
      const bytes = randomBytes(2 * MiB);
      const cid = await store.put(bytes);
      const firstChunk = await computeCid(bytes.subarray(0, MiB));
      await writeFile(blockFile(dataDir, firstChunk), bytes.subarray(0, 1000));
      const err = await store.get(cid).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(IntegrityError);
    });

    it("detects a garbled root block", async function () {
      const cid = await store.put(randomBytes(2 * MiB));
      await writeFile(blockFile(dataDir, cid), randomBytes(200));
      const err = await store.get(cid).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(IntegrityError);
    });

    it("reports a record with a deleted leaf block as not found, without searching the network", async function () {
      const bytes = randomBytes(2 * MiB);
      const cid = await store.put(bytes);
      await rm(blockFile(dataDir, await computeCid(bytes.subarray(MiB))));
      const err = await store.get(cid).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(NotFoundError);
    });
  });

  it("pins every block of a record so garbage collection keeps it, and frees it once unpinned", async function () {
    const dataDir = await tempDir();
    const store = await HeliaStore.create({ dataDir });
    try {
      const bytes = randomBytes(2 * MiB + 1);
      const cid = await store.put(bytes);
      const leaves = [await computeCid(bytes.subarray(0, MiB)), await computeCid(bytes.subarray(MiB, 2 * MiB))];
      await store.node.gc();
      expect(Buffer.from(await store.get(cid)).equals(bytes)).to.equal(true);
      await store.unpin(cid);
      await store.node.gc();
      expect(await store.has(cid)).to.equal(false);
      for (const leaf of leaves) expect(await store.has(leaf)).to.equal(false);
    } finally {
      await store.close();
    }
  });

  it("refuses work after close with StorageUnavailableError", async function () {
    const store = await HeliaStore.create({ dataDir: await tempDir() });
    const cid = await store.put(randomBytes(10));
    await store.close();
    const err = await store.get(cid).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(StorageUnavailableError);
    expect((err as StorageUnavailableError).code).to.equal("STORAGE_UNAVAILABLE");
  });

  it("rejects an invalid listen port before starting", async function () {
    const err = await HeliaStore.create({ dataDir: await tempDir(), listenPort: 70000 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(RangeError);
  });
});
