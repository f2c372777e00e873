import { createServer } from "node:net";
import { expect } from "chai";
import { computeCid } from "../../../lib/storage/cid.ts";
import { KuboStore } from "../../../lib/storage/kubo.ts";
import { StorageUnavailableError } from "../../../lib/storage/types.ts";
import { shouldBehaveLikeRecordStore } from "./store.behavior.ts";

const apiUrl = process.env.IPFS_API_URL;

if (apiUrl) {
  shouldBehaveLikeRecordStore(`KuboStore (${apiUrl})`, async () => new KuboStore({ url: apiUrl }));
} else {
  describe("KuboStore behaves like a RecordStore", function () {
    it("runs against a real Kubo node", function () {
      console.log("      (skipped: set IPFS_API_URL=http://127.0.0.1:5001 to run the RecordStore suite against Kubo)");
      this.skip();
    });
  });
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("KuboStore when Kubo is down", function () {
  it("fails every operation with StorageUnavailableError naming the problem", async function () {
    const store = new KuboStore({ url: `http://127.0.0.1:${await closedPort()}` });
    const cid = await computeCid(new Uint8Array([1, 2, 3]));
    for (const op of [
      () => store.put(new Uint8Array([1, 2, 3])),
      () => store.get(cid),
      () => store.pin(cid),
      () => store.unpin(cid),
      () => store.stat(cid),
      () => store.has(cid),
      () => store.info(),
    ]) {
      const err = await op().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(StorageUnavailableError);
      expect((err as StorageUnavailableError).code).to.equal("STORAGE_UNAVAILABLE");
      expect((err as Error).message).to.match(/Kubo RPC API unreachable/);
    }
    await store.close();
  });

  it("rejects an IPFS_API_URL that is not a URL", function () {
    expect(() => new KuboStore({ url: "127.0.0.1:5001 oops" })).to.throw(StorageUnavailableError, /not a URL/);
  });
});
