import { expect } from "chai";
import fc from "fast-check";
import {
  ContextMismatchError,
  DecryptionFailedError,
  ENVELOPE_HEADER_LENGTH,
  ENVELOPE_OVERHEAD,
  InvalidInputError,
  MIN_ENVELOPE_LENGTH,
  MedVaultCryptoError,
  MissingCategoryKeyError,
  NotAnEnvelopeError,
  TruncatedEnvelopeError,
  UnsupportedAlgorithmError,
  UnsupportedVersionError,
  decryptRecord,
  deriveCategoryKey,
  derivedKeyResolver,
  encryptRecord,
  entriesKeyResolver,
  isEnvelope,
  parseEnvelopeHeader,
  reencryptRecord,
} from "../../../lib/crypto/index.ts";
import { OTHER_PATIENT, OTHER_PATIENT_SECRET, PATIENT_SECRET, ctx, dec, enc, thrown } from "./fixtures.ts";

const RUNS = { numRuns: 200 };
const LAB = 2;
const own = derivedKeyResolver(PATIENT_SECRET, ctx);
const labKey0 = deriveCategoryKey(PATIENT_SECRET, ctx, LAB, 0);
const labKey1 = deriveCategoryKey(PATIENT_SECRET, ctx, LAB, 1);

/** One envelope shared by the properties: they mutate copies, never the original. */
const PLAINTEXT = enc('{"resourceType":"Observation","code":"HbA1c","value":6.1}');
const ENVELOPE = encryptRecord(PLAINTEXT, { ...ctx, category: LAB }, labKey0, 0);

describe("lib/crypto record envelope", () => {
  it("round-trips a record for its patient, with the documented layout", () => {
    const envelope = encryptRecord(PLAINTEXT, { ...ctx, category: LAB }, labKey1, 1);
    expect(envelope.length).to.equal(PLAINTEXT.length + ENVELOPE_OVERHEAD);
    expect(dec(envelope.subarray(0, 3))).to.equal("MVE");
    expect([...envelope.subarray(3, 8)]).to.deep.equal([1, 1, 1, LAB, 1]);
    const header = parseEnvelopeHeader(envelope);
    expect(header).to.include({ version: 1, category: LAB, epoch: 1, ciphertextLength: PLAINTEXT.length + 16 });
    expect(header.recordUid).to.have.length(16);
    expect(dec(decryptRecord(envelope, ctx, own))).to.equal(dec(PLAINTEXT));
  });

  it("round-trips any plaintext, including empty, and never repeats a uid or ciphertext", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.integer({ min: 0, max: 31 }),
        fc.integer({ min: 0, max: 255 }),
        (pt, category, epoch) => {
          const key = deriveCategoryKey(PATIENT_SECRET, ctx, category, epoch);
          const a = encryptRecord(pt, { ...ctx, category }, key, epoch);
          const b = encryptRecord(pt, { ...ctx, category }, key, epoch);
          expect(decryptRecord(a, ctx, own)).to.deep.equal(pt);
          expect(parseEnvelopeHeader(a).recordUidHex).not.to.equal(parseEnvelopeHeader(b).recordUidHex);
          expect(a.subarray(ENVELOPE_HEADER_LENGTH)).not.to.deep.equal(b.subarray(ENVELOPE_HEADER_LENGTH));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("carries no plaintext: a long repeated record does not appear in its envelope", () => {
    const pt = enc("PATIENT-NAME ".repeat(200));
    const envelope = encryptRecord(pt, { ...ctx, category: 0 }, deriveCategoryKey(PATIENT_SECRET, ctx, 0, 0), 0);
    expect(Buffer.from(envelope).includes(Buffer.from("PATIENT-NAME"))).to.equal(false);
  });

  describe("tampering and misuse fail with a typed error, never plaintext", () => {
    it("any single flipped bit", () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: ENVELOPE.length * 8 - 1 }), (bit) => {
          const bad = ENVELOPE.slice();
          bad[bit >> 3]! ^= 1 << (bit & 7);
          const error = thrown(() => decryptRecord(bad, ctx, own));
          const at = bit >> 3;
          if (at < 3) expect(error).to.be.instanceOf(NotAnEnvelopeError);
          else if (at === 3) expect(error).to.be.instanceOf(UnsupportedVersionError);
          else if (at < 6) expect(error).to.be.instanceOf(UnsupportedAlgorithmError);
          else if (at === 6 && bad[6]! > 31) expect(error).to.be.instanceOf(NotAnEnvelopeError);
          else expect(error).to.be.instanceOf(DecryptionFailedError);
        }),
        RUNS,
      );
    });

    it("any truncation", () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: ENVELOPE.length - 1 }), (length) => {
          const error = thrown(() => decryptRecord(ENVELOPE.subarray(0, length), ctx, own));
          expect(error).to.be.instanceOf(length < MIN_ENVELOPE_LENGTH ? TruncatedEnvelopeError : DecryptionFailedError);
        }),
        RUNS,
      );
    });

    it("appended bytes", () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (extra) => {
          const bad = new Uint8Array([...ENVELOPE, ...extra]);
          expect(thrown(() => decryptRecord(bad, ctx, own))).to.be.instanceOf(DecryptionFailedError);
        }),
        RUNS,
      );
    });

    it("an envelope swapped in from another patient, even when the reader holds both patients' keys", () => {
      const other = { ...ctx, patient: OTHER_PATIENT };
      const bothKeys = (c: number, e: number) => deriveCategoryKey(OTHER_PATIENT_SECRET, other, c, e);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), (pt) => {
          const foreign = encryptRecord(pt, { ...other, category: LAB }, bothKeys(LAB, 0), 0);
          expect(decryptRecord(foreign, other, bothKeys)).to.deep.equal(pt);
          // Read as this patient's record with the other patient's (correct) key: AAD differs.
          expect(thrown(() => decryptRecord(foreign, ctx, bothKeys))).to.be.instanceOf(DecryptionFailedError);
          // Read with this patient's own keys: the content key does not even unwrap.
          expect(thrown(() => decryptRecord(foreign, ctx, own))).to.be.instanceOf(DecryptionFailedError);
        }),
        { numRuns: 50 },
      );
    });

    it("an envelope swapped in from another record of the same patient, when the reader names the record", () => {
      const wanted = parseEnvelopeHeader(ENVELOPE);
      const other = encryptRecord(enc("another record"), { ...ctx, category: LAB }, labKey0, 0);
      const error = thrown(() => decryptRecord(other, { ...ctx, recordUid: wanted.recordUid }, own));
      expect(error).to.be.instanceOf(ContextMismatchError);
      expect(dec(decryptRecord(ENVELOPE, { ...ctx, recordUid: wanted.recordUidHex }, own))).to.equal(dec(PLAINTEXT));
      const note = encryptRecord(enc("note"), { ...ctx, category: 1 }, deriveCategoryKey(PATIENT_SECRET, ctx, 1, 0), 0);
      expect(thrown(() => decryptRecord(note, { ...ctx, category: LAB }, own))).to.be.instanceOf(ContextMismatchError);
    });

    it("a wrong authenticated context: other chain id or other contract", () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc
              .integer({ min: 1, max: 2 ** 40 })
              .filter((id) => id !== 31337)
              .map((chainId) => ({ ...ctx, chainId })),
            fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => ({
              ...ctx,
              contract: `0x${Buffer.from(b).toString("hex")}` as const,
            })),
          ),
          (wrong) => {
            fc.pre(wrong.contract.toLowerCase() !== ctx.contract.toLowerCase() || wrong.chainId !== ctx.chainId);
            // The reader's resolver hands over the right key: only the AAD differs.
            expect(thrown(() => decryptRecord(ENVELOPE, wrong, () => labKey0))).to.be.instanceOf(DecryptionFailedError);
          },
        ),
        RUNS,
      );
    });

    it("a wrong key: another epoch, another category, random bytes", () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
          expect(thrown(() => decryptRecord(ENVELOPE, ctx, () => key))).to.be.instanceOf(DecryptionFailedError);
        }),
        RUNS,
      );
      expect(thrown(() => decryptRecord(ENVELOPE, ctx, () => labKey1))).to.be.instanceOf(DecryptionFailedError);
      const noteKey = deriveCategoryKey(PATIENT_SECRET, ctx, 1, 0);
      expect(thrown(() => decryptRecord(ENVELOPE, ctx, () => noteKey))).to.be.instanceOf(DecryptionFailedError);
    });

    it("no key held for the category and epoch", () => {
      const grantee = entriesKeyResolver([{ category: LAB, epoch: 1, key: labKey1 }]);
      const error = thrown(() => decryptRecord(ENVELOPE, ctx, grantee));
      expect(error)
        .to.be.instanceOf(MissingCategoryKeyError)
        .and.include({ category: LAB, epoch: 0, code: "MISSING_CATEGORY_KEY" });
    });
  });

  describe("parseEnvelopeHeader / isEnvelope (the upload route's gate)", () => {
    it("accepts envelopes and rejects everything else", () => {
      expect(isEnvelope(ENVELOPE)).to.equal(true);
      for (const body of [
        new Uint8Array(),
        enc("MVE"),
        enc('{"resourceType":"Patient"}'),
        enc("%PDF-1.7 plaintext upload"),
        ENVELOPE.subarray(0, MIN_ENVELOPE_LENGTH - 1),
      ]) {
        expect(isEnvelope(body)).to.equal(false);
      }
    });

    it("rejects random bytes", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
          const magicPrefix = [0x4d, 0x56, 0x45].slice(0, bytes.length).every((b, i) => bytes[i] === b);
          fc.pre(!(magicPrefix && bytes.length >= 3));
          expect(isEnvelope(bytes)).to.equal(false);
          // "", "M" and "MV" could be the start of an envelope: truncated, not foreign.
          expect(thrown(() => parseEnvelopeHeader(bytes))).to.be.instanceOf(
            magicPrefix ? TruncatedEnvelopeError : NotAnEnvelopeError,
          );
        }),
        RUNS,
      );
    });

    it("names each structural failure with its own error", () => {
      const v2 = ENVELOPE.slice();
      v2[3] = 2;
      expect(thrown(() => parseEnvelopeHeader(v2)))
        .to.be.instanceOf(UnsupportedVersionError)
        .and.include({ version: 2 });
      const alg = ENVELOPE.slice();
      alg[4] = 7;
      expect(thrown(() => parseEnvelopeHeader(alg)))
        .to.be.instanceOf(UnsupportedAlgorithmError)
        .and.include({ id: 7 });
      const cat = ENVELOPE.slice();
      cat[6] = 32;
      expect(thrown(() => parseEnvelopeHeader(cat))).to.be.instanceOf(NotAnEnvelopeError);
      const cut = thrown(() => parseEnvelopeHeader(ENVELOPE.subarray(0, 50)));
      expect(cut).to.be.instanceOf(TruncatedEnvelopeError).and.include({ length: 50, minimum: MIN_ENVELOPE_LENGTH });
      expect(cut).to.be.instanceOf(MedVaultCryptoError);
      expect((cut as MedVaultCryptoError).code).to.equal("TRUNCATED_ENVELOPE");
    });
  });

  it("rejects bad encryption arguments", () => {
    expect(() => encryptRecord(PLAINTEXT, { ...ctx, category: 32 }, labKey0, 0)).to.throw(
      InvalidInputError,
      /category/,
    );
    expect(() => encryptRecord(PLAINTEXT, { ...ctx, category: LAB }, labKey0, 256)).to.throw(
      InvalidInputError,
      /epoch/,
    );
    expect(() => encryptRecord(PLAINTEXT, { ...ctx, category: LAB }, labKey0.subarray(0, 16), 0)).to.throw(
      InvalidInputError,
      /32 bytes/,
    );
    expect(() =>
      encryptRecord(PLAINTEXT, { ...ctx, patient: "0x1234" as `0x${string}`, category: LAB }, labKey0, 0),
    ).to.throw(InvalidInputError, /patient/);
    expect(() => encryptRecord(PLAINTEXT, { ...ctx, chainId: 0, category: LAB }, labKey0, 0)).to.throw(
      InvalidInputError,
      /chainId/,
    );
  });

  describe("reencryptRecord", () => {
    it("moves a record to the new epoch with a fresh uid and content key; the old key no longer opens it", () => {
      const fresh = reencryptRecord(ENVELOPE, own, labKey1, 1, ctx);
      const before = parseEnvelopeHeader(ENVELOPE);
      const after = parseEnvelopeHeader(fresh);
      expect(after).to.include({ category: LAB, epoch: 1 });
      expect(after.recordUidHex).not.to.equal(before.recordUidHex);
      expect(after.wrappedKey).not.to.deep.equal(before.wrappedKey);
      expect(decryptRecord(fresh, ctx, own)).to.deep.equal(PLAINTEXT);
      const revoked = entriesKeyResolver([{ category: LAB, epoch: 0, key: labKey0 }]);
      expect(decryptRecord(ENVELOPE, ctx, revoked)).to.deep.equal(PLAINTEXT);
      expect(thrown(() => decryptRecord(fresh, ctx, revoked))).to.be.instanceOf(MissingCategoryKeyError);
      // Even a resolver that hands the old key for every epoch fails: wrong key.
      expect(thrown(() => decryptRecord(fresh, ctx, () => labKey0))).to.be.instanceOf(DecryptionFailedError);
    });

    it("refuses to re-encrypt a record it cannot authenticate", () => {
      const bad = ENVELOPE.slice();
      bad[bad.length - 1]! ^= 0x80;
      expect(thrown(() => reencryptRecord(bad, own, labKey1, 1, ctx))).to.be.instanceOf(DecryptionFailedError);
    });
  });
});
