import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import {
  closeStore,
  createStoreFromEnv,
  getStore,
  HeliaStore,
  KuboStore,
  StorageUnavailableError,
  storageConfigFromEnv,
} from "../../../lib/storage/index.ts";

describe("lib/storage configuration", function () {
  it("defaults to the embedded Helia node under data/ipfs on a free loopback port", function () {
    expect(storageConfigFromEnv({})).to.deep.equal({
      backend: "helia",
      dataDir: "data/ipfs",
      listenPort: 0,
      apiUrl: undefined,
      networkFetch: false,
    });
  });

  it("uses Kubo when only IPFS_API_URL is set, and Helia when STORAGE_BACKEND says so", function () {
    expect(storageConfigFromEnv({ IPFS_API_URL: "http://127.0.0.1:5001" }).backend).to.equal("kubo");
    expect(storageConfigFromEnv({ IPFS_API_URL: "http://127.0.0.1:5001", STORAGE_BACKEND: "helia" }).backend).to.equal(
      "helia",
    );
  });

  it("reads the data folder, port and network-fetch switch", function () {
    const c = storageConfigFromEnv({
      IPFS_DATA_DIR: "/srv/ipfs",
      IPFS_LISTEN_PORT: "4101",
      IPFS_NETWORK_FETCH: "true",
    });
    expect(c).to.include({ dataDir: "/srv/ipfs", listenPort: 4101, networkFetch: true });
  });

  it("refuses settings it cannot honour, naming the variable", function () {
    expect(() => storageConfigFromEnv({ STORAGE_BACKEND: "s3" })).to.throw(StorageUnavailableError, /STORAGE_BACKEND/);
    expect(() => storageConfigFromEnv({ STORAGE_BACKEND: "kubo" })).to.throw(StorageUnavailableError, /IPFS_API_URL/);
    for (const port of ["-1", "65536", "http", "1.5"]) {
      expect(() => storageConfigFromEnv({ IPFS_LISTEN_PORT: port }), port).to.throw(
        StorageUnavailableError,
        /IPFS_LISTEN_PORT/,
      );
    }
  });

  it("builds a KuboStore from IPFS_API_URL", async function () {
    const store = await createStoreFromEnv({ IPFS_API_URL: "http://127.0.0.1:5001" });
    expect(store).to.be.instanceOf(KuboStore);
  });

  describe("getStore", function () {
    let dataDir: string;
    const saved = { ...process.env };

    before(async function () {
      dataDir = await mkdtemp(path.join(tmpdir(), "medvault-getstore-"));
    });

    after(async function () {
      await closeStore();
      process.env = saved;
      await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    });

    it("starts one Helia node per process and hands every caller the same one", async function () {
      delete process.env.IPFS_API_URL;
      delete process.env.STORAGE_BACKEND;
      process.env.IPFS_DATA_DIR = dataDir;
      const [a, b] = await Promise.all([getStore(), getStore()]);
      expect(a).to.equal(b);
      expect(a).to.be.instanceOf(HeliaStore);
      expect((a as HeliaStore).dataDir).to.equal(path.resolve(dataDir));
      const bytes = randomBytes(100);
      const cid = await a.put(bytes);
      await closeStore();
      // a fresh start on the same folder still has the record
      const c = await getStore();
      expect(c).to.not.equal(a);
      expect(Buffer.from(await c.get(cid)).equals(bytes)).to.equal(true);
    });

    it("retries after a failed start instead of caching the failure", async function () {
      await closeStore();
      process.env.STORAGE_BACKEND = "nope";
      const err = await getStore().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(StorageUnavailableError);
      process.env.STORAGE_BACKEND = "helia";
      expect(await getStore()).to.be.instanceOf(HeliaStore);
    });
  });
});
