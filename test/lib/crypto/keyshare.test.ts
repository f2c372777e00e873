import { expect } from "chai";
import fc from "fast-check";
import {
  ContextMismatchError,
  DecryptionFailedError,
  InvalidInputError,
  KEY_SHARE_HEADER_LENGTH,
  MAX_KEY_SHARE_ENTRIES,
  NotAnEnvelopeError,
  TruncatedEnvelopeError,
  UnsupportedAlgorithmError,
  UnsupportedVersionError,
  WrongRecipientError,
  createKeyShare,
  decryptRecord,
  deriveCategoryKey,
  encryptRecord,
  entriesKeyResolver,
  epochOf,
  generateAccountKey,
  isEnvelope,
  isKeyShare,
  openKeyShare,
  parseKeyShareHeader,
  shareEntriesFor,
  type CategoryKeyEntry,
  type OpenKeyShareContext,
} from "../../../lib/crypto/index.ts";
import { toHex } from "viem";
import { CLINICIAN, OTHER_PATIENT, PATIENT, PATIENT_SECRET, ctx, enc, thrown } from "./fixtures.ts";
import { V1_GRANTEE_SECRET, V1_KEY_SHARE } from "./v1-fixtures.ts";

const clinician = generateAccountKey();
const deployment = { chainId: ctx.chainId, contract: ctx.contract };
/** `keyEpochs(patient)` as the contract returns it (uint32[32], index = category). */
function epochs(set: Record<number, number> = {}): number[] {
  return Array.from({ length: 32 }, (_, c) => set[c] ?? 0);
}
// Lab (2) is at epoch 1 after one rotation, note (1) and diagnosis (4) still at 0.
const KEY_EPOCHS = epochs({ 2: 1 });
const ENTRY_LENGTH = 1 + 4 + 32;

function share(entries: CategoryKeyEntry[], granteePublicKey = clinician.publicKeyHex) {
  return createKeyShare({ ctx: deployment, patient: PATIENT, grantee: CLINICIAN, granteePublicKey, entries });
}

const ENTRIES = shareEntriesFor(PATIENT_SECRET, ctx, [1, 2, 4], KEY_EPOCHS);
const SHARE = share(ENTRIES);
const open = (
  bytes: Uint8Array,
  secret = clinician.secretKey,
  c: OpenKeyShareContext = { ...ctx, grantee: CLINICIAN },
) => openKeyShare(bytes, secret, c);

describe("lib/crypto key shares", () => {
  it("reads a category's epoch from keyEpochs (uint32[32], numbers or bigints)", () => {
    expect(epochOf(KEY_EPOCHS, 0)).to.equal(0);
    expect(epochOf(KEY_EPOCHS, 2)).to.equal(1);
    expect(epochOf(epochs({ 0: 7 }), 0)).to.equal(7);
    expect(epochOf(epochs({ 31: 2 ** 32 - 1 }), 31)).to.equal(2 ** 32 - 1);
    const big = epochs({ 5: 70_000 }).map(BigInt);
    big[31] = 2n ** 32n - 1n;
    expect(epochOf(big, 5)).to.equal(70_000);
    expect(epochOf(big, 31)).to.equal(2 ** 32 - 1);
    expect(() => epochOf(KEY_EPOCHS, 32)).to.throw(InvalidInputError, /category/);
  });

  it("refuses a keyEpochs that is not 32 epochs in 0..2^32-1, naming what is wrong", () => {
    expect(() => epochOf(KEY_EPOCHS.slice(0, 31), 0)).to.throw(
      InvalidInputError,
      "keyEpochs must hold 32 epochs (one per category), got 31",
    );
    expect(() => epochOf([...KEY_EPOCHS, 0], 0)).to.throw(InvalidInputError, /32 epochs.*got 33/);
    const packed = `0x${"00".repeat(29)}010000` as unknown as readonly number[];
    expect(() => epochOf(packed, 0)).to.throw(InvalidInputError, /array/);
    for (const bad of [2 ** 32, -1, 1.5, Number.NaN, 2n ** 32n, -1n]) {
      const list: (number | bigint)[] = epochs();
      list[9] = bad;
      expect(() => epochOf(list, 2), String(bad)).to.throw(
        InvalidInputError,
        `keyEpochs[9] must be an integer in 0..4294967295, got ${String(bad)}`,
      );
    }
  });

  it("shares every epoch up to the current one, so older records stay readable", () => {
    expect(ENTRIES.map((e) => [e.category, e.epoch])).to.deep.equal([
      [1, 0],
      [2, 0],
      [2, 1],
      [4, 0],
    ]);
  });

  it("round-trips: the grantee decrypts the patient's records in scope, and only those", () => {
    const entries = open(SHARE);
    expect(entries.map((e) => [e.category, e.epoch])).to.deep.equal(ENTRIES.map((e) => [e.category, e.epoch]));
    const resolver = entriesKeyResolver(entries);
    for (const [category, epoch] of [
      [2, 0],
      [2, 1],
      [4, 0],
    ] as const) {
      const envelope = encryptRecord(
        enc(`record ${category}/${epoch}`),
        { ...ctx, category },
        deriveCategoryKey(PATIENT_SECRET, ctx, category, epoch),
        epoch,
      );
      expect(new TextDecoder().decode(decryptRecord(envelope, ctx, resolver))).to.equal(`record ${category}/${epoch}`);
    }
    const allergy = encryptRecord(
      enc("penicillin"),
      { ...ctx, category: 7 },
      deriveCategoryKey(PATIENT_SECRET, ctx, 7, 0),
      0,
    );
    expect(thrown(() => decryptRecord(allergy, ctx, resolver))).to.have.property("code", "MISSING_CATEGORY_KEY");
  });

  it("costs O(categories × epochs), independent of how many records exist", () => {
    expect(SHARE.length).to.equal(KEY_SHARE_HEADER_LENGTH + ENTRIES.length * ENTRY_LENGTH + 16);
    expect(SHARE[3]).to.equal(2);
    expect(parseKeyShareHeader(SHARE)).to.include({
      version: 2,
      patient: PATIENT,
      grantee: CLINICIAN,
      entryCount: 4,
      recipientPublicKey: clinician.publicKeyHex,
    });
  });

  it("uses a fresh ephemeral key per share", () => {
    const again = share(ENTRIES);
    expect(parseKeyShareHeader(again).ephemeralPublicKey).not.to.deep.equal(
      parseKeyShareHeader(SHARE).ephemeralPublicKey,
    );
  });

  it("refuses the wrong grantee with WrongRecipientError", () => {
    const intruder = generateAccountKey();
    const error = thrown(() => open(SHARE, intruder.secretKey));
    expect(error)
      .to.be.instanceOf(WrongRecipientError)
      .and.include({ recipientPublicKey: clinician.publicKeyHex, ownPublicKey: intruder.publicKeyHex });
  });

  it("does not let an intruder relabel a share to their own key", () => {
    const intruder = generateAccountKey();
    const relabelled = SHARE.slice();
    relabelled.set(intruder.publicKey, 46);
    expect(thrown(() => open(relabelled, intruder.secretKey))).to.be.instanceOf(DecryptionFailedError);
  });

  it("fails for another patient, grantee, chain or contract", () => {
    expect(
      thrown(() => open(SHARE, clinician.secretKey, { ...ctx, patient: OTHER_PATIENT, grantee: CLINICIAN })),
    ).to.be.instanceOf(ContextMismatchError);
    expect(thrown(() => open(SHARE, clinician.secretKey, { ...ctx, grantee: OTHER_PATIENT }))).to.be.instanceOf(
      ContextMismatchError,
    );
    expect(thrown(() => open(SHARE, clinician.secretKey, { ...ctx, chainId: 1, grantee: CLINICIAN }))).to.be.instanceOf(
      DecryptionFailedError,
    );
    expect(
      thrown(() => open(SHARE, clinician.secretKey, { ...ctx, contract: OTHER_PATIENT, grantee: CLINICIAN })),
    ).to.be.instanceOf(DecryptionFailedError);
  });

  it("any flipped bit fails with a typed error, never with keys", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SHARE.length * 8 - 1 }), (bit) => {
        const bad = SHARE.slice();
        bad[bit >> 3]! ^= 1 << (bit & 7);
        const at = bit >> 3;
        const error = thrown(() => open(bad));
        if (at < 3) expect(error).to.be.instanceOf(NotAnEnvelopeError);
        else if (at === 3) expect(error).to.be.instanceOf(UnsupportedVersionError);
        else if (at < 6) expect(error).to.be.instanceOf(UnsupportedAlgorithmError);
        else if (at < 46)
          expect(error).to.be.instanceOf(ContextMismatchError); // patient or grantee address
        else if (at < 78) expect(error).to.be.instanceOf(WrongRecipientError);
        else if (at === 122 || at === 123) {
          // Entry count: out of range is malformed; larger than the body is truncated.
          const count = bad[122]! * 256 + bad[123]!;
          const inRangeButLonger = count > 4 && count <= MAX_KEY_SHARE_ENTRIES;
          expect(error).to.be.instanceOf(inRangeButLonger ? TruncatedEnvelopeError : NotAnEnvelopeError);
        } else expect(error).to.be.instanceOf(DecryptionFailedError);
      }),
      { numRuns: 200 },
    );
  });

  it("any truncation fails with a typed error", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SHARE.length - 1 }), (length) => {
        expect(thrown(() => open(SHARE.subarray(0, length)))).to.be.instanceOf(TruncatedEnvelopeError);
        expect(isKeyShare(SHARE.subarray(0, length))).to.equal(false);
      }),
      { numRuns: 200 },
    );
  });

  it("is told apart from record envelopes", () => {
    expect(isKeyShare(SHARE)).to.equal(true);
    expect(isEnvelope(SHARE)).to.equal(false);
    const envelope = encryptRecord(enc("x"), { ...ctx, category: 1 }, deriveCategoryKey(PATIENT_SECRET, ctx, 1, 0), 0);
    expect(isKeyShare(envelope)).to.equal(false);
    expect(thrown(() => open(envelope))).to.be.instanceOf(NotAnEnvelopeError);
  });

  it("rejects bad share requests", () => {
    expect(() => share([])).to.throw(InvalidInputError, /at least one/);
    expect(() => share([ENTRIES[0]!, ENTRIES[0]!])).to.throw(InvalidInputError, /duplicate/);
    expect(() => share([{ category: 40, epoch: 0, key: new Uint8Array(32) }])).to.throw(InvalidInputError, /category/);
    expect(() => share([{ category: 1, epoch: 0, key: new Uint8Array(16) }])).to.throw(InvalidInputError, /32 bytes/);
    expect(() => share(ENTRIES, `0x${"00".repeat(32)}`)).to.throw(InvalidInputError, /no encryption key/);
    expect(() => share(ENTRIES, "0x1234")).to.throw(InvalidInputError, /32-byte/);
    // u = 1 is a low-order point: the ECDH result would be all zero.
    expect(() => share(ENTRIES, `0x01${"00".repeat(31)}`)).to.throw(InvalidInputError, /low-order/);
    expect(() => share([{ category: 1, epoch: 2 ** 32, key: new Uint8Array(32) }])).to.throw(
      InvalidInputError,
      /epoch/,
    );
  });

  describe("v2 entries with 32-bit epochs; v1 shares stay readable", () => {
    it("round-trips wide epochs: 255, 256, 65536 and 2^32-1, each with its own key", () => {
      const wide = [255, 256, 65_536, 2 ** 32 - 1].map((epoch) => ({
        category: 2,
        epoch,
        key: deriveCategoryKey(PATIENT_SECRET, ctx, 2, epoch),
      }));
      const bytes = share(wide);
      expect(bytes.length).to.equal(KEY_SHARE_HEADER_LENGTH + 4 * ENTRY_LENGTH + 16);
      const opened = open(bytes);
      expect(opened.map((e) => e.epoch)).to.deep.equal([255, 256, 65_536, 2 ** 32 - 1]);
      opened.forEach((e, i) => expect(toHex(e.key)).to.equal(toHex(wide[i]!.key)));
      const resolver = entriesKeyResolver(opened);
      const envelope = encryptRecord(enc("late"), { ...ctx, category: 2 }, wide[3]!.key, 2 ** 32 - 1);
      expect(decryptRecord(envelope, ctx, resolver)).to.deep.equal(enc("late"));
    });

    it("shares every epoch up to a current epoch past 255", () => {
      const entries = shareEntriesFor(PATIENT_SECRET, ctx, [0, 2], epochs({ 2: 300 }));
      expect(entries).to.have.length(1 + 301);
      expect(entries.at(-1)).to.include({ category: 2, epoch: 300 });
      const opened = open(share(entries));
      expect(opened).to.have.length(302);
      expect(toHex(opened.at(-1)!.key)).to.equal(toHex(deriveCategoryKey(PATIENT_SECRET, ctx, 2, 300)));
    });

    it("holds up to MAX_KEY_SHARE_ENTRIES entries and refuses one more, before deriving anything", () => {
      expect(MAX_KEY_SHARE_ENTRIES).to.equal(65_535);
      const key = new Uint8Array(32).fill(7);
      const full = Array.from({ length: MAX_KEY_SHARE_ENTRIES }, (_, i) => ({ category: i % 32, epoch: i >> 5, key }));
      const bytes = share(full);
      expect(bytes.length).to.equal(KEY_SHARE_HEADER_LENGTH + MAX_KEY_SHARE_ENTRIES * ENTRY_LENGTH + 16);
      expect(parseKeyShareHeader(bytes).entryCount).to.equal(MAX_KEY_SHARE_ENTRIES);
      expect(open(bytes)).to.have.length(MAX_KEY_SHARE_ENTRIES);
      expect(() => share([...full, { category: 31, epoch: 5000, key }])).to.throw(
        InvalidInputError,
        `a key share holds at most ${MAX_KEY_SHARE_ENTRIES} entries, got ${MAX_KEY_SHARE_ENTRIES + 1}`,
      );
      // 2^32 epochs of one category: refused at once, not after billions of derivations.
      expect(() => shareEntriesFor(PATIENT_SECRET, ctx, [4], epochs({ 4: 2 ** 32 - 1 }))).to.throw(
        InvalidInputError,
        /category 4 at epoch 4294967295 needs 4294967296 keys; a key share holds at most 65535/,
      );
      expect(() => shareEntriesFor(PATIENT_SECRET, ctx, [0, 1], epochs({ 0: 40_000, 1: 30_000 }))).to.throw(
        InvalidInputError,
        /70002 keys/,
      );
    });

    it("opens a v1 share the old app wrote (committed fixture)", () => {
      expect(parseKeyShareHeader(V1_KEY_SHARE)).to.include({
        version: 1,
        patient: PATIENT,
        grantee: CLINICIAN,
        entryCount: 3,
      });
      expect(isKeyShare(V1_KEY_SHARE)).to.equal(true);
      const opened = openKeyShare(V1_KEY_SHARE, V1_GRANTEE_SECRET, { ...ctx, grantee: CLINICIAN });
      expect(opened.map((e) => [e.category, e.epoch])).to.deep.equal([
        [2, 0],
        [2, 7],
        [31, 255],
      ]);
      for (const e of opened) {
        expect(toHex(e.key)).to.equal(toHex(deriveCategoryKey(PATIENT_SECRET, ctx, e.category, e.epoch)));
      }
      const bad = V1_KEY_SHARE.slice();
      bad[bad.length - 1]! ^= 1;
      expect(thrown(() => openKeyShare(bad, V1_GRANTEE_SECRET, ctx))).to.be.instanceOf(DecryptionFailedError);
    });

    it("names an unknown share version", () => {
      const v3 = SHARE.slice();
      v3[3] = 3;
      expect(thrown(() => parseKeyShareHeader(v3)))
        .to.be.instanceOf(UnsupportedVersionError)
        .and.include({ version: 3 });
    });
  });
});
