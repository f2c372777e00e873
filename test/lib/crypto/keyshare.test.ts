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
import { CLINICIAN, OTHER_PATIENT, PATIENT, PATIENT_SECRET, ctx, enc, thrown } from "./fixtures.ts";

const clinician = generateAccountKey();
const deployment = { chainId: ctx.chainId, contract: ctx.contract };
// keyEpochs as the contract packs it: category i in the uint8 at bits 8i..8i+7.
// Lab (2) is at epoch 1 after one rotation, note (1) and diagnosis (4) still at 0.
const KEY_EPOCHS = `0x${"00".repeat(29)}010000` as const;

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
  it("reads keyEpochs with category i in the i-th lowest byte", () => {
    expect(epochOf(KEY_EPOCHS, 0)).to.equal(0);
    expect(epochOf(KEY_EPOCHS, 2)).to.equal(1);
    expect(epochOf(`0x${"00".repeat(31)}07`, 0)).to.equal(7);
    expect(epochOf(`0xff${"00".repeat(31)}`, 31)).to.equal(255);
    expect(() => epochOf("0x01", 0)).to.throw(InvalidInputError, /bytes32/);
    expect(() => epochOf(KEY_EPOCHS, 32)).to.throw(InvalidInputError, /category/);
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
    expect(SHARE.length).to.equal(KEY_SHARE_HEADER_LENGTH + ENTRIES.length * 34 + 16);
    expect(parseKeyShareHeader(SHARE)).to.include({
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
  });
});
