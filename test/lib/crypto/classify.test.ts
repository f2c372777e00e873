import { expect } from "chai";
import { createKeyShare, deriveCategoryKey, encryptRecord, generateAccountKey } from "../../../lib/crypto/index.ts";
import {
  ENVELOPE_PREFIX_BYTES,
  KEY_SHARE_HEADER_PREFIX_BYTES,
  RECORD_HEADER_PREFIX_BYTES,
  classifyEnvelope,
} from "../../../lib/service/envelope.ts";
import { CLINICIAN, OTHER_PATIENT, PATIENT, PATIENT_SECRET, ctx, enc } from "./fixtures.ts";
import { encryptRecordV1 } from "./v1-encoder.ts";
import { V1_ENVELOPE, V1_KEY_SHARE } from "./v1-fixtures.ts";

// The storage service's only view of an object: what it is and whose it is, without keys.
const key = (c: number, e: number) => deriveCategoryKey(PATIENT_SECRET, ctx, c, e);
const RECORD = encryptRecord(enc("x".repeat(300)), { ...ctx, category: 4 }, key(4, 70_000), 70_000);
const SHARE = createKeyShare({
  ctx: { chainId: ctx.chainId, contract: ctx.contract },
  patient: PATIENT,
  grantee: CLINICIAN,
  granteePublicKey: generateAccountKey().publicKeyHex,
  entries: [{ category: 4, epoch: 70_000, key: key(4, 70_000) }],
});

describe("lib/service classifyEnvelope (the storage service's gate)", () => {
  it("names the patient, category and 32-bit epoch of a v2 record", () => {
    expect(classifyEnvelope(RECORD)).to.deep.equal({
      ok: true,
      kind: "record",
      version: 2,
      category: 4,
      epoch: 70_000,
      patient: PATIENT,
    });
    const lower = encryptRecord(
      enc("y"),
      { ...ctx, patient: OTHER_PATIENT.toLowerCase() as `0x${string}`, category: 1 },
      key(1, 0),
      0,
    );
    expect(classifyEnvelope(lower)).to.include({ ok: true, version: 2, patient: OTHER_PATIENT });
  });

  it("classifies a v1 record without a patient: v1 does not say whose it is", () => {
    for (const v1 of [V1_ENVELOPE, encryptRecordV1(enc("z"), { ...ctx, category: 2 }, key(2, 255), 255)]) {
      const check = classifyEnvelope(v1);
      expect(check).to.include({ ok: true, kind: "record", version: 1, category: 2 });
      expect(check).not.to.have.property("patient");
    }
    expect(classifyEnvelope(V1_ENVELOPE)).to.deep.equal({
      ok: true,
      kind: "record",
      version: 1,
      category: 2,
      epoch: 7,
    });
  });

  it("names the version, patient and grantee of a key share (v2 and v1)", () => {
    expect(classifyEnvelope(SHARE)).to.deep.equal({
      ok: true,
      kind: "keyshare",
      version: 2,
      patient: PATIENT,
      grantee: CLINICIAN,
    });
    expect(classifyEnvelope(V1_KEY_SHARE)).to.deep.equal({
      ok: true,
      kind: "keyshare",
      version: 1,
      patient: PATIENT,
      grantee: CLINICIAN,
    });
  });

  it("says why anything else is refused", () => {
    expect(classifyEnvelope(new Uint8Array())).to.deep.equal({ ok: false, reason: "the body is empty" });
    expect(classifyEnvelope(enc("%PDF-1.7")))
      .to.include({ ok: false })
      .and.have.property("reason")
      .that.match(/neither "MVE"/);
    const v9 = RECORD.slice();
    v9[3] = 9;
    expect(classifyEnvelope(v9))
      .to.include({ ok: false })
      .and.have.property("reason")
      .that.match(/version 9/);
    expect(classifyEnvelope(RECORD.subarray(0, 60)))
      .to.include({ ok: false })
      .and.have.property("reason")
      .that.match(/truncated: 60 bytes/);
    const shareCut = SHARE.subarray(0, SHARE.length - 1);
    expect(classifyEnvelope(shareCut)).to.include({ ok: false });
  });

  it("classifies an object from its first bytes and its length, as the read route does before streaming", () => {
    expect(RECORD_HEADER_PREFIX_BYTES).to.equal(99);
    expect(KEY_SHARE_HEADER_PREFIX_BYTES).to.equal(124);
    expect(ENVELOPE_PREFIX_BYTES).to.equal(124);
    for (const object of [RECORD, V1_ENVELOPE, SHARE, V1_KEY_SHARE]) {
      const prefix = object.slice(0, ENVELOPE_PREFIX_BYTES);
      expect(classifyEnvelope(prefix, object.length)).to.deep.equal(classifyEnvelope(object));
    }
    // A record's patient is known from its first RECORD_HEADER_PREFIX_BYTES bytes.
    expect(classifyEnvelope(RECORD.slice(0, RECORD_HEADER_PREFIX_BYTES), RECORD.length)).to.include({
      patient: PATIENT,
    });
    // A length that does not fit the header is caught without the body.
    expect(classifyEnvelope(SHARE.slice(0, ENVELOPE_PREFIX_BYTES), SHARE.length + 1)).to.include({ ok: false });
    expect(classifyEnvelope(RECORD.slice(0, 20), RECORD.length)).to.include({ ok: false });
  });
});
