import { createHash, randomBytes } from "node:crypto";
import * as dagPb from "@ipld/dag-pb";
import { expect } from "chai";
import fc from "fast-check";
import { UnixFS } from "ipfs-unixfs";
import { base58btc } from "multiformats/bases/base58";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import {
  CHUNK_SIZE,
  cidFlags,
  cidFromDigest,
  cidToDigest,
  computeCid,
  DAG_PB_CODEC,
  FLAG_DAG_PB,
  parseCid,
  RAW_CODEC,
  toCid,
  verifyBytes,
} from "../../../lib/storage/cid.ts";
import { BadCidError, IntegrityError } from "../../../lib/storage/types.ts";
import { MALFORMED_CIDS } from "./store.behavior.ts";

const sha256 = (b: Uint8Array) => new Uint8Array(createHash("sha256").update(b).digest());
const rawCid = (b: Uint8Array) => CID.createV1(RAW_CODEC, Digest.create(0x12, sha256(b)));

/**
 * Builds the UnixFS file DAG by hand from the spec (raw 1 MiB leaves under one dag-pb
 * root), independently of ipfs-unixfs-importer, to pin down what the settings mean.
 */
function handBuiltFileCid(bytes: Uint8Array): CID {
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK_SIZE) leaves.push(bytes.subarray(i, i + CHUNK_SIZE));
  const file = new UnixFS({ type: "file", blockSizes: leaves.map((l) => BigInt(l.length)) });
  const root = dagPb.encode(
    dagPb.prepare({
      Data: file.marshal(),
      Links: leaves.map((l) => ({ Hash: rawCid(l), Name: "", Tsize: l.length })),
    }),
  );
  return CID.createV1(DAG_PB_CODEC, Digest.create(0x12, sha256(root)));
}

describe("lib/storage/cid", function () {
  describe("computeCid", function () {
    it("gives the well-known CIDv1 of the empty record", async function () {
      expect((await computeCid(new Uint8Array(0))).toString()).to.equal(
        "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
      );
    });

    it("gives the raw-leaf CIDv1 of a one-chunk record (up to exactly 1 MiB)", async function () {
      for (const size of [1, 11, CHUNK_SIZE - 1, CHUNK_SIZE]) {
        const bytes = randomBytes(size);
        const cid = await computeCid(bytes);
        expect(cid.toString(), `${size} bytes`).to.equal(rawCid(bytes).toString());
      }
      expect((await computeCid(new TextEncoder().encode("hello world"))).toString()).to.equal(
        "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e",
      );
    });

    it("gives a balanced dag-pb root over 1 MiB raw leaves for a larger record", async function () {
      for (const size of [CHUNK_SIZE + 1, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE + 12345]) {
        const bytes = randomBytes(size);
        const cid = await computeCid(bytes);
        expect(cid.code).to.equal(DAG_PB_CODEC);
        expect(cid.toString(), `${size} bytes`).to.equal(handBuiltFileCid(bytes).toString());
      }
    });
  });

  describe("verifyBytes", function () {
    it("accepts the exact bytes, by CID object and by string", async function () {
      const bytes = randomBytes(CHUNK_SIZE + 100);
      const cid = await computeCid(bytes);
      await verifyBytes(cid, bytes);
      await verifyBytes(cid.toString(), bytes);
    });

    it("throws IntegrityError for any flipped bit, truncation or extension", async function () {
      const bytes = randomBytes(3000);
      const cid = await computeCid(bytes);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: bytes.length * 8 - 1 }), async (bit) => {
          const tampered = Uint8Array.from(bytes);
          tampered[bit >> 3] = tampered[bit >> 3]! ^ (1 << (bit & 7));
          const err = await verifyBytes(cid, tampered).catch((e: unknown) => e);
          expect(err).to.be.instanceOf(IntegrityError);
          expect((err as IntegrityError).expected).to.equal(cid.toString());
        }),
        { numRuns: 50 },
      );
      for (const other of [bytes.subarray(0, 2999), Buffer.concat([bytes, Buffer.from([0])]), new Uint8Array(0)]) {
        expect(await verifyBytes(cid, other).catch((e: unknown) => e)).to.be.instanceOf(IntegrityError);
      }
    });

    it("catches a swapped chunk in a multi-chunk record", async function () {
      const bytes = randomBytes(2 * CHUNK_SIZE);
      const cid = await computeCid(bytes);
      const swapped = Buffer.concat([bytes.subarray(CHUNK_SIZE), bytes.subarray(0, CHUNK_SIZE)]);
      expect(await verifyBytes(cid, swapped).catch((e: unknown) => e)).to.be.instanceOf(IntegrityError);
    });

    it("rejects the right bytes under a dag-pb CID for a one-chunk record (settings are fixed)", async function () {
      const bytes = randomBytes(100);
      const wrapped = CID.createV1(DAG_PB_CODEC, (await computeCid(bytes)).multihash);
      expect(await verifyBytes(wrapped, bytes).catch((e: unknown) => e)).to.be.instanceOf(IntegrityError);
    });
  });

  describe("digests for the contract", function () {
    it("round-trips raw and dag-pb CIDs through (digest, flags)", async function () {
      for (const size of [10, CHUNK_SIZE + 10]) {
        const cid = await computeCid(randomBytes(size));
        const { digest, dagPb: isDagPb } = cidToDigest(cid);
        expect(digest).to.match(/^0x[0-9a-f]{64}$/);
        expect(isDagPb).to.equal(size > CHUNK_SIZE);
        expect(cidFlags(cid)).to.equal(isDagPb ? FLAG_DAG_PB : 0);
        expect(cidFromDigest(digest, isDagPb).toString()).to.equal(cid.toString());
      }
    });

    it("puts the sha2-256 of the block itself in the digest", async function () {
      const bytes = randomBytes(77);
      const { digest } = cidToDigest(await computeCid(bytes));
      expect(digest).to.equal(`0x${Buffer.from(sha256(bytes)).toString("hex")}`);
    });

    it("rejects digests that are not 32 bytes of hex", function () {
      for (const bad of ["", "0x", "0x1234", `0x${"zz".repeat(32)}`, "ab".repeat(32), `0x${"00".repeat(33)}`]) {
        expect(() => cidFromDigest(bad, false), bad).to.throw(BadCidError);
      }
    });
  });

  describe("parseCid", function () {
    it("accepts CIDv1 sha2-256 raw and dag-pb in any multibase CID.parse knows", async function () {
      const cid = await computeCid(randomBytes(5));
      expect(parseCid(cid.toString()).equals(cid)).to.equal(true);
      expect(parseCid(cid.toString(base58btc)).equals(cid)).to.equal(true);
      const pb = await computeCid(randomBytes(CHUNK_SIZE + 1));
      expect(parseCid(pb.toString()).code).to.equal(DAG_PB_CODEC);
    });

    for (const [label, input] of Object.entries(MALFORMED_CIDS)) {
      it(`rejects ${label} with BadCidError`, function () {
        expect(() => parseCid(input)).to.throw(BadCidError);
      });
    }

    it("names why a well-formed CID is refused", function () {
      const digest = Digest.create(0x12, new Uint8Array(32));
      const cbor = CID.createV1(0x71, digest).toString();
      expect(() => parseCid(cbor)).to.throw(BadCidError, /codec 0x71/);
      expect(() => parseCid(CID.createV0(digest).toString())).to.throw(BadCidError, /CIDv0/);
      const identity = CID.createV1(RAW_CODEC, Digest.create(0x00, new Uint8Array(4))).toString();
      expect(() => parseCid(identity)).to.throw(BadCidError, /sha2-256/);
      expect(() => parseCid("b".repeat(200))).to.throw(BadCidError, /too long/);
      expect(() => toCid(CID.createV0(digest))).to.throw(BadCidError);
    });

    it("never throws anything but BadCidError on arbitrary input", function () {
      fc.assert(
        fc.property(fc.string({ maxLength: 120 }), (s) => {
          try {
            parseCid(s);
          } catch (err) {
            expect(err).to.be.instanceOf(BadCidError);
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});
