import { expect } from "chai";
import fc from "fast-check";
import { hexToBytes, toHex } from "viem";
import {
  ContextMismatchError,
  DecryptionFailedError,
  ENVELOPE_HEADER_LENGTH,
  ENVELOPE_OVERHEAD,
  ENVELOPE_V1_HEADER_LENGTH,
  InvalidInputError,
  MAX_EPOCH,
  MIN_ENVELOPE_LENGTH,
  MIN_ENVELOPE_V1_LENGTH,
  MedVaultCryptoError,
  MissingCategoryKeyError,
  NotAnEnvelopeError,
  TruncatedEnvelopeError,
  UnsupportedAlgorithmError,
  UnsupportedVersionError,
  assertEpoch,
  decryptRecord,
  deriveCategoryKey,
  derivedKeyResolver,
  encryptRecord,
  entriesKeyResolver,
  isEnvelope,
  parseEnvelopeHeader,
  reencryptRecord,
} from "../../../lib/crypto/index.ts";
import { OTHER_PATIENT, OTHER_PATIENT_SECRET, PATIENT, PATIENT_SECRET, ctx, dec, enc, thrown } from "./fixtures.ts";
import { encryptRecordV1 } from "./v1-encoder.ts";
import { V1_CATEGORY_KEYS, V1_ENVELOPE, V1_PLAINTEXT } from "./v1-fixtures.ts";

const RUNS = { numRuns: 200 };
const LAB = 2;
const own = derivedKeyResolver(PATIENT_SECRET, ctx);
const labKey0 = deriveCategoryKey(PATIENT_SECRET, ctx, LAB, 0);
const labKey1 = deriveCategoryKey(PATIENT_SECRET, ctx, LAB, 1);

/** One envelope shared by the properties: they mutate copies, never the original. */
const PLAINTEXT = enc('{"resourceType":"Observation","code":"HbA1c","value":6.1}');
const ENVELOPE = encryptRecord(PLAINTEXT, { ...ctx, category: LAB }, labKey0, 0);
/** The same record as the old app wrote it (test-only v1 encoder). */
const ENVELOPE_V1 = encryptRecordV1(PLAINTEXT, { ...ctx, category: LAB }, labKey0, 0);

// v2 header offsets (docs/crypto.md, "Record envelope v2").
const OFF_PATIENT = 7;
const OFF_EPOCH = 27;

describe("lib/crypto record envelope", () => {
  it("round-trips a record for its patient as a v2 envelope, with the documented layout", () => {
    const envelope = encryptRecord(PLAINTEXT, { ...ctx, category: LAB }, labKey1, 1);
    expect(ENVELOPE_HEADER_LENGTH).to.equal(99);
    expect(envelope.length).to.equal(PLAINTEXT.length + ENVELOPE_OVERHEAD);
    expect(ENVELOPE_OVERHEAD).to.equal(115);
    expect(dec(envelope.subarray(0, 3))).to.equal("MVE");
    expect([...envelope.subarray(3, 7)]).to.deep.equal([2, 1, 1, LAB]);
    expect(toHex(envelope.subarray(OFF_PATIENT, OFF_PATIENT + 20))).to.equal(PATIENT.toLowerCase());
    expect([...envelope.subarray(OFF_EPOCH, OFF_EPOCH + 4)]).to.deep.equal([0, 0, 0, 1]);
    const header = parseEnvelopeHeader(envelope);
    expect(header).to.include({
      version: 2,
      patient: PATIENT,
      category: LAB,
      epoch: 1,
      ciphertextLength: PLAINTEXT.length + 16,
    });
    expect(header.recordUid).to.have.length(16);
    expect(dec(decryptRecord(envelope, ctx, own))).to.equal(dec(PLAINTEXT));
  });

  it("round-trips any plaintext, including empty, and never repeats a uid or ciphertext", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.integer({ min: 0, max: 31 }),
        fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 256, max: 2 ** 32 - 1 })),
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
    it("any single flipped bit of a v2 envelope; a changed patient field is named as such", () => {
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
          else if (at >= OFF_PATIENT && at < OFF_EPOCH) expect(error).to.be.instanceOf(ContextMismatchError);
          else expect(error).to.be.instanceOf(DecryptionFailedError);
        }),
        RUNS,
      );
    });

    it("any single flipped bit of a v1 envelope", () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: ENVELOPE_V1.length * 8 - 1 }), (bit) => {
          const bad = ENVELOPE_V1.slice();
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
      for (const [envelope, minimum] of [
        [ENVELOPE, MIN_ENVELOPE_LENGTH],
        [ENVELOPE_V1, MIN_ENVELOPE_V1_LENGTH],
      ] as const) {
        fc.assert(
          fc.property(fc.integer({ min: 0, max: envelope.length - 1 }), (length) => {
            const error = thrown(() => decryptRecord(envelope.subarray(0, length), ctx, own));
            expect(error).to.be.instanceOf(length < minimum ? TruncatedEnvelopeError : DecryptionFailedError);
          }),
          RUNS,
        );
      }
    });

    it("appended bytes", () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (extra) => {
          for (const envelope of [ENVELOPE, ENVELOPE_V1]) {
            const bad = new Uint8Array([...envelope, ...extra]);
            expect(thrown(() => decryptRecord(bad, ctx, own))).to.be.instanceOf(DecryptionFailedError);
          }
        }),
        RUNS,
      );
    });

    it("a v2 envelope swapped in from another patient is refused by name, even when the reader holds both patients' keys", () => {
      const other = { ...ctx, patient: OTHER_PATIENT };
      const bothKeys = (c: number, e: number) => deriveCategoryKey(OTHER_PATIENT_SECRET, other, c, e);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), (pt) => {
          const foreign = encryptRecord(pt, { ...other, category: LAB }, bothKeys(LAB, 0), 0);
          expect(decryptRecord(foreign, other, bothKeys)).to.deep.equal(pt);
          // The header names the other patient: refused before any key is looked up.
          const error = thrown(() => decryptRecord(foreign, ctx, bothKeys));
          expect(error).to.be.instanceOf(ContextMismatchError);
          expect((error as Error).message)
            .to.include(OTHER_PATIENT)
            .and.include(PATIENT);
          expect(thrown(() => decryptRecord(foreign, ctx, own))).to.be.instanceOf(ContextMismatchError);
        }),
        { numRuns: 50 },
      );
    });

    it("a v1 envelope swapped in from another patient fails authentication, even with both patients' keys", () => {
      const other = { ...ctx, patient: OTHER_PATIENT };
      const bothKeys = (c: number, e: number) => deriveCategoryKey(OTHER_PATIENT_SECRET, other, c, e);
      const foreign = encryptRecordV1(PLAINTEXT, { ...other, category: LAB }, bothKeys(LAB, 0), 0);
      expect(decryptRecord(foreign, other, bothKeys)).to.deep.equal(PLAINTEXT);
      // Read as this patient's record with the other patient's (correct) key: AAD differs.
      expect(thrown(() => decryptRecord(foreign, ctx, bothKeys))).to.be.instanceOf(DecryptionFailedError);
      // Read with this patient's own keys: the content key does not even unwrap.
      expect(thrown(() => decryptRecord(foreign, ctx, own))).to.be.instanceOf(DecryptionFailedError);
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
      expect(isEnvelope(ENVELOPE_V1)).to.equal(true);
      expect(isEnvelope(V1_ENVELOPE)).to.equal(true);
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
      const v3 = ENVELOPE.slice();
      v3[3] = 3;
      expect(thrown(() => parseEnvelopeHeader(v3)))
        .to.be.instanceOf(UnsupportedVersionError)
        .and.include({ version: 3 });
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
    for (const epoch of [2 ** 32, -1, 1.5, Number.NaN]) {
      expect(() => encryptRecord(PLAINTEXT, { ...ctx, category: LAB }, labKey0, epoch)).to.throw(
        InvalidInputError,
        /epoch/,
      );
    }
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

  describe("v2 names the patient; v1 stays readable", () => {
    it("decrypts the v1 envelope the old app wrote (committed fixture)", () => {
      const header = parseEnvelopeHeader(V1_ENVELOPE);
      expect(header).to.include({ version: 1, category: LAB, epoch: 7, ciphertextLength: V1_PLAINTEXT.length + 16 });
      expect(header).not.to.have.property("patient");
      expect(dec(decryptRecord(V1_ENVELOPE, ctx, own))).to.equal(V1_PLAINTEXT);
      expect(dec(decryptRecord(V1_ENVELOPE, { ...ctx, category: LAB, recordUid: header.recordUidHex }, own))).to.equal(
        V1_PLAINTEXT,
      );
      expect(thrown(() => decryptRecord(V1_ENVELOPE, { ...ctx, patient: OTHER_PATIENT }, own))).to.be.instanceOf(
        DecryptionFailedError,
      );
      expect(ENVELOPE_V1_HEADER_LENGTH).to.equal(76);
      expect(MIN_ENVELOPE_V1_LENGTH).to.equal(92);
    });

    it("refuses a v2 envelope read for another patient with ContextMismatchError before looking up any key", () => {
      const asked: [number, number][] = [];
      const spy = (c: number, e: number) => {
        asked.push([c, e]);
        return labKey0;
      };
      const error = thrown(() => decryptRecord(ENVELOPE, { ...ctx, patient: OTHER_PATIENT, category: 9 }, spy));
      expect(error).to.be.instanceOf(ContextMismatchError).and.have.property("code", "CONTEXT_MISMATCH");
      expect((error as Error).message).to.equal(`envelope is a record of patient ${PATIENT}, not of ${OTHER_PATIENT}`);
      expect(asked).to.deep.equal([]);
    });

    it("names the patient checksummed, whatever case the writer passed", () => {
      const lower = { ...ctx, patient: PATIENT.toLowerCase() as `0x${string}` };
      const envelope = encryptRecord(PLAINTEXT, { ...lower, category: LAB }, labKey0, 0);
      expect(parseEnvelopeHeader(envelope).patient).to.equal(PATIENT);
      expect(decryptRecord(envelope, ctx, own)).to.deep.equal(PLAINTEXT);
      expect(decryptRecord(ENVELOPE, lower, own)).to.deep.equal(PLAINTEXT);
    });

    it("fails when the patient field is rewritten to the reader's patient (the relabelled copy does not authenticate)", () => {
      const relabelled = ENVELOPE.slice();
      relabelled.set(hexToBytes(OTHER_PATIENT), OFF_PATIENT);
      expect(parseEnvelopeHeader(relabelled).patient).to.equal(OTHER_PATIENT);
      const other = { ...ctx, patient: OTHER_PATIENT };
      // Even handed the victim's right category key, the AAD binds the original patient.
      expect(thrown(() => decryptRecord(relabelled, other, () => labKey0))).to.be.instanceOf(DecryptionFailedError);
    });

    it("fails on a flipped bit in the patient or the epoch field", () => {
      for (let bit = 0; bit < 160; bit++) {
        const bad = ENVELOPE.slice();
        bad[OFF_PATIENT + (bit >> 3)]! ^= 1 << (bit & 7);
        expect(
          thrown(() => decryptRecord(bad, ctx, own)),
          `patient bit ${bit}`,
        ).to.be.instanceOf(ContextMismatchError);
        expect(
          thrown(() => decryptRecord(bad, { ...ctx, patient: parseEnvelopeHeader(bad).patient! }, () => labKey0)),
        ).to.be.instanceOf(DecryptionFailedError);
      }
      for (let bit = 0; bit < 32; bit++) {
        const bad = ENVELOPE.slice();
        bad[OFF_EPOCH + (bit >> 3)]! ^= 1 << (bit & 7);
        expect(
          thrown(() => decryptRecord(bad, ctx, own)),
          `epoch bit ${bit}`,
        ).to.be.instanceOf(DecryptionFailedError);
        // A resolver that ignores the epoch and hands the right key: the AAD still catches it.
        expect(thrown(() => decryptRecord(bad, ctx, () => labKey0))).to.be.instanceOf(DecryptionFailedError);
      }
    });

    it("re-encrypts a v1 record into a v2 envelope that names its patient", () => {
      const labKey8 = deriveCategoryKey(PATIENT_SECRET, ctx, LAB, 8);
      const fresh = reencryptRecord(V1_ENVELOPE, own, labKey8, 8, ctx);
      expect(parseEnvelopeHeader(fresh)).to.include({ version: 2, patient: PATIENT, category: LAB, epoch: 8 });
      expect(dec(decryptRecord(fresh, ctx, own))).to.equal(V1_PLAINTEXT);
    });

    it("reads the header from the first bytes of an object when told its full length", () => {
      const prefix = ENVELOPE.slice(0, ENVELOPE_HEADER_LENGTH);
      const header = parseEnvelopeHeader(prefix, ENVELOPE.length);
      expect(header).to.include({ version: 2, patient: PATIENT, category: LAB, epoch: 0 });
      expect(header.ciphertextLength).to.equal(ENVELOPE.length - ENVELOPE_HEADER_LENGTH);
      expect(parseEnvelopeHeader(V1_ENVELOPE.slice(0, ENVELOPE_V1_HEADER_LENGTH), V1_ENVELOPE.length)).to.include({
        version: 1,
        epoch: 7,
      });
      expect(thrown(() => parseEnvelopeHeader(prefix, MIN_ENVELOPE_LENGTH - 1)))
        .to.be.instanceOf(TruncatedEnvelopeError)
        .and.include({ length: MIN_ENVELOPE_LENGTH - 1, minimum: MIN_ENVELOPE_LENGTH });
      expect(() => parseEnvelopeHeader(prefix.subarray(0, 40), ENVELOPE.length)).to.throw(
        InvalidInputError,
        /first 99 bytes/,
      );
      expect(() => parseEnvelopeHeader(ENVELOPE, 10)).to.throw(InvalidInputError, /objectLength/);
    });
  });

  describe("32-bit key epochs", () => {
    const WIDE = [255, 256, 65_536, 2 ** 32 - 1];

    it("round-trips records at epochs 255, 256, 65536 and 2^32-1, each under its own key", () => {
      expect(MAX_EPOCH).to.equal(2 ** 32 - 1);
      const keys = WIDE.map((epoch) => deriveCategoryKey(PATIENT_SECRET, ctx, LAB, epoch));
      expect(new Set(keys.map((k) => toHex(k))).size).to.equal(WIDE.length);
      WIDE.forEach((epoch, i) => {
        const envelope = encryptRecord(PLAINTEXT, { ...ctx, category: LAB }, keys[i]!, epoch);
        expect(parseEnvelopeHeader(envelope).epoch).to.equal(epoch);
        expect(decryptRecord(envelope, ctx, own)).to.deep.equal(PLAINTEXT);
        const holder = entriesKeyResolver([{ category: LAB, epoch, key: keys[i]! }]);
        expect(decryptRecord(envelope, ctx, holder)).to.deep.equal(PLAINTEXT);
        // The neighbouring epochs' keys do not open it.
        for (const j of WIDE.keys()) {
          if (j !== i) expect(thrown(() => decryptRecord(envelope, ctx, () => keys[j]))).to.be.instanceOf(Error);
        }
      });
    });

    it("derives distinct keys across the v1/v2 boundary and across categories", () => {
      const seen = new Map<string, string>();
      for (const category of [0, 1, 2, 31]) {
        for (const epoch of [0, 1, 255, 256, 257, 511, 512, 65_536, 2 ** 24, 2 ** 32 - 1]) {
          const key = toHex(deriveCategoryKey(PATIENT_SECRET, ctx, category, epoch));
          expect(seen.get(key), `K(${category}, ${epoch})`).to.equal(undefined);
          seen.set(key, `${category}/${epoch}`);
        }
      }
    });

    it("keeps every v1-range key exactly as the old derivation made it", () => {
      for (const { category, epoch, key } of V1_CATEGORY_KEYS) {
        expect(toHex(deriveCategoryKey(PATIENT_SECRET, ctx, category, epoch)), `K(${category}, ${epoch})`).to.equal(
          key,
        );
      }
    });

    it("refuses epoch 2^32 and non-integers everywhere an epoch enters", () => {
      for (const epoch of [2 ** 32, 2 ** 53, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => assertEpoch(epoch)).to.throw(InvalidInputError, /epoch must be an integer in 0\.\.4294967295/);
        expect(() => deriveCategoryKey(PATIENT_SECRET, ctx, LAB, epoch)).to.throw(InvalidInputError, /epoch/);
        expect(() => encryptRecord(PLAINTEXT, { ...ctx, category: LAB }, labKey0, epoch)).to.throw(
          InvalidInputError,
          /epoch/,
        );
        expect(() => entriesKeyResolver([{ category: LAB, epoch, key: labKey0 }])).to.throw(InvalidInputError, /epoch/);
      }
    });

    it("keeps keys apart that a category*256+epoch index would have merged", () => {
      const a = deriveCategoryKey(PATIENT_SECRET, ctx, 0, 256);
      const b = deriveCategoryKey(PATIENT_SECRET, ctx, 1, 0);
      const resolver = entriesKeyResolver([
        { category: 0, epoch: 256, key: a },
        { category: 1, epoch: 0, key: b },
      ]);
      expect(resolver(0, 256)).to.deep.equal(a);
      expect(resolver(1, 0)).to.deep.equal(b);
      expect(resolver(0, 2 ** 32 - 1)).to.equal(undefined);
      expect(resolver(1, 256)).to.equal(undefined);
    });
  });
});
