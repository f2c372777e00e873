/**
 * The RecordStore contract, run against every backend (HeliaStore, KuboStore).
 */
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { CID } from "multiformats/cid";
import { CHUNK_SIZE, computeCid, DAG_PB_CODEC, RAW_CODEC } from "../../../lib/storage/cid.ts";
import { BadCidError, NotFoundError, type RecordStore } from "../../../lib/storage/types.ts";

const MiB = 1024 * 1024;

/** CIDs a caller might send that MedVault never stores. */
export const MALFORMED_CIDS: Record<string, string> = {
  empty: "",
  garbage: "not-a-cid",
  "truncated CIDv1": "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxqu",
  "CIDv0 (dag-pb v0)": "QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR",
  "dag-cbor codec": "bafyreigbtj4x7ip5legnfznufuopl4sg4knzc2cof6duas4b3q2fy6swua",
  "sha2-512 hash":
    "bafkrgqe3ohjcjplc6n4f3fwunlj6upltggn7xqujbsvnvyw764srszz4u4rshq6ztos4chl4plgg4ffyyxnayrtdi5oc4xb2332g645433aeg",
  "path, not a CID": "/ipfs/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
};

export function shouldBehaveLikeRecordStore(name: string, makeStore: () => Promise<RecordStore>): void {
  describe(`${name} behaves like a RecordStore`, function () {
    let store: RecordStore;

    before(async function () {
      store = await makeStore();
    });

    after(async function () {
      await store?.close();
    });

    for (const [label, size] of [
      ["empty", 0],
      ["small", 1000],
      ["3 MiB (multi-chunk)", 3 * MiB],
    ] as const) {
      it(`round-trips a ${label} record byte for byte under the CID computeCid gives`, async function () {
        const bytes = randomBytes(size);
        const cid = await store.put(bytes);
        expect(cid.toString()).to.equal((await computeCid(bytes)).toString());
        const back = await store.get(cid);
        expect(Buffer.from(back).equals(bytes)).to.equal(true);
        // reading by the string form (what routes receive) gives the same bytes
        expect(Buffer.from(await store.get(cid.toString())).equals(bytes)).to.equal(true);
      });
    }

    it("stores single-chunk records as a raw block and larger ones as a dag-pb DAG", async function () {
      const small = await store.put(randomBytes(CHUNK_SIZE));
      const large = await store.put(randomBytes(CHUNK_SIZE + 1));
      expect(small.code).to.equal(RAW_CODEC);
      expect(large.code).to.equal(DAG_PB_CODEC);
    });

    for (const size of [CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1]) {
      it(`gives the CID computeCid predicts at the chunk boundary (${size} bytes)`, async function () {
        const bytes = randomBytes(size);
        const expected = await computeCid(bytes);
        const cid = await store.put(bytes);
        expect(cid.toString()).to.equal(expected.toString());
        expect(Buffer.from(await store.get(expected)).equals(bytes)).to.equal(true);
      });
    }

    it("pins what it stores and reports the record size", async function () {
      const bytes = randomBytes(2 * MiB + 17);
      const cid = await store.put(bytes);
      expect(await store.has(cid)).to.equal(true);
      expect(await store.stat(cid)).to.deep.equal({ size: bytes.length, pinned: true });
    });

    it("unpins and re-pins a record, both idempotently, without losing it", async function () {
      const bytes = randomBytes(4096);
      const cid = await store.put(bytes);
      await store.unpin(cid);
      await store.unpin(cid);
      expect(await store.stat(cid)).to.deep.equal({ size: 4096, pinned: false });
      await store.pin(cid.toString());
      await store.pin(cid);
      expect(await store.stat(cid)).to.deep.equal({ size: 4096, pinned: true });
      expect(Buffer.from(await store.get(cid)).equals(bytes)).to.equal(true);
    });

    it("stores the same bytes twice under one CID", async function () {
      const bytes = randomBytes(5000);
      const a = await store.put(bytes);
      const b = await store.put(bytes);
      expect(a.equals(b)).to.equal(true);
    });

    it("fails with NotFoundError for a well-formed CID it does not hold", async function () {
      const unknown = await computeCid(randomBytes(64));
      expect(await store.has(unknown)).to.equal(false);
      expect(await store.stat(unknown)).to.equal(undefined);
      const err = await store.get(unknown).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(NotFoundError);
      expect((err as NotFoundError).code).to.equal("NOT_FOUND");
      const pinErr = await store.pin(unknown).catch((e: unknown) => e);
      expect(pinErr).to.be.instanceOf(NotFoundError);
    });

    for (const [label, input] of Object.entries(MALFORMED_CIDS)) {
      it(`rejects a malformed CID (${label}) with BadCidError on every operation`, async function () {
        for (const op of [
          () => store.get(input),
          () => store.pin(input),
          () => store.unpin(input),
          () => store.stat(input),
          () => store.has(input),
        ]) {
          const err = await op().catch((e: unknown) => e);
          expect(err, `${label}`).to.be.instanceOf(BadCidError);
          expect((err as BadCidError).code).to.equal("BAD_CID");
        }
      });
    }

    it("rejects a CID object MedVault does not use (CIDv0) with BadCidError", async function () {
      const v0 = CID.parse("QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR");
      const err = await store.get(v0).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(BadCidError);
    });

    it("describes itself", async function () {
      const info = await store.info();
      expect(["helia", "kubo"]).to.include(info.backend);
      expect(info.peerId).to.be.a("string").and.have.length.greaterThan(10);
    });
  });
}
