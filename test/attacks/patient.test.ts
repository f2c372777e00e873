import { expect } from "chai";
import { signDevice } from "../contracts/fixture.ts";
import { CATEGORY, castFixture, inDays, mask, networkHelpers, PERMISSION, SCOPE, terms } from "./contract.ts";
import { getAddress } from "viem";
import { anchor } from "../service/harness.ts";
import { envelopeFor, randomBytes, recordUrl, serviceCast, storeRecord, type Cast } from "./service.ts";

// The honest patient the device's owner meant to pair it with.
const OWNER = `0x${"11".repeat(20)}`;

describe("patient against the contract", function () {
  it("(#12) a patient cannot claim a device address without the device's signature", async function () {
    const { medVault, otherPatient, stranger } = await networkHelpers.loadFixture(castFixture);
    // The victim's new meter (`stranger`'s key) never signed for the attacker: the attacker signs itself.
    const deadline = await inDays(1);
    const forged = await signDevice(medVault, otherPatient, otherPatient.address, deadline, 0n);
    await expect(medVault.connect(otherPatient).registerDevice(stranger.address, "my meter", deadline, forged))
      .to.be.revertedWithCustomError(medVault, "InvalidDeviceSignature")
      .withArgs(stranger.address);
    // A signature the device gave to another patient does not work for the attacker either.
    const forVictim = await signDevice(medVault, stranger, OWNER, deadline);
    await expect(medVault.connect(otherPatient).registerDevice(stranger.address, "my meter", deadline, forVictim))
      .to.be.revertedWithCustomError(medVault, "InvalidDeviceSignature")
      .withArgs(stranger.address);
  });

  it("(#12) a patient cannot register another patient's account or a clinician as its device", async function () {
    const { medVault, patient, otherPatient, clinician } = await networkHelpers.loadFixture(castFixture);
    const deadline = await inDays(1);
    for (const victim of [patient, clinician]) {
      const signature = await signDevice(medVault, victim, otherPatient.address, deadline);
      await expect(medVault.connect(otherPatient).registerDevice(victim.address, "my meter", deadline, signature))
        .to.be.revertedWithCustomError(medVault, "InvalidDevice")
        .withArgs(victim.address);
    }
  });

  it("(#12) a patient cannot re-register a revoked device with its old signature", async function () {
    const { medVault, patient, stranger } = await networkHelpers.loadFixture(castFixture);
    const deadline = await inDays(1);
    const signature = await signDevice(medVault, stranger, patient.address, deadline);
    await medVault.connect(patient).registerDevice(stranger.address, "meter", deadline, signature);
    await medVault.connect(patient).revokeDevice(stranger.address);
    await expect(medVault.connect(patient).registerDevice(stranger.address, "meter", deadline, signature))
      .to.be.revertedWithCustomError(medVault, "InvalidDeviceSignature")
      .withArgs(stranger.address);
  });

  it("(#13) a patient can rotate a category's key more than 255 times", async function () {
    const { medVault, patient } = await networkHelpers.loadFixture(castFixture);
    const asPatient = medVault.connect(patient);
    for (let i = 0; i < 256; i++) await asPatient.rotateKeys(mask(CATEGORY.Lab));
    const epochs = await medVault.keyEpochs(patient.address);
    expect(epochs[CATEGORY.Lab]).to.equal(256n);
  });

  it("(#15) a patient cannot make a read+write grant over single records that would allow no write", async function () {
    const { medVault, patient, clinician } = await networkHelpers.loadFixture(castFixture);
    const g = terms(clinician.address, await inDays(30), {
      scope: SCOPE.Records,
      recordIds: [1, 2],
      permission: PERMISSION.ReadWrite,
    });
    await expect(medVault.connect(patient).grantConsent(g))
      .to.be.revertedWithCustomError(medVault, "RecordsScopeCannotWrite")
      .withArgs(SCOPE.Records, PERMISSION.ReadWrite);
  });
});

describe("patient against the storage service", function () {
  let cast: Cast;
  before(async function () {
    cast = await serviceCast();
  });
  after(async function () {
    await cast?.stack.close();
  });

  it("(#1) a patient cannot fetch another patient's record by anchoring its CID as their own", async function () {
    const { stack, victim, attacker, attackerClient } = cast;
    const rec = await storeRecord(cast, victim, cast.victimClient);
    // Every CID digest is public in RecordAnchored: the attacker anchors the victim's as their own record.
    const aliasId = await anchor(stack, attacker, rec.digest, rec.dagPb);
    const res = await attackerClient.json(recordUrl(rec.cid, attacker.address, aliasId));
    expect(res.status).to.equal(403);
    expect(res.body.error).to.equal("NOT_THIS_PATIENTS_RECORD");
    // The victim sees the attempt in their own log.
    const log = await stack.accessLog.query(getAddress(victim.address), { limit: 10 });
    expect(log.entries[0]).to.include({ outcome: "refused", reason: "NOT_THIS_PATIENTS_RECORD", cid: rec.cid });
    expect(log.entries[0]!.actor).to.equal(getAddress(attacker.address));
  });

  it("(#1) a patient cannot unpin another patient's record by anchoring its CID and erasing it", async function () {
    const { stack, victim, attacker, attackerClient } = cast;
    const rec = await storeRecord(cast, victim, cast.victimClient);
    const aliasId = await anchor(stack, attacker, rec.digest, rec.dagPb);
    await (await stack.medVault.connect(attacker).markErased(aliasId)).wait();
    const res = await attackerClient.json(recordUrl(rec.cid, attacker.address, aliasId), { method: "DELETE" });
    expect(res.status).to.equal(403);
    expect(res.body.error).to.equal("NOT_THIS_PATIENTS_RECORD");
    expect((await stack.store.stat(rec.cid))?.pinned).to.equal(true);
  });

  it("(#6) a patient's upload that is never anchored is unpinned once the window passes", async function () {
    const short = await serviceCast({ UPLOAD_ANCHOR_WINDOW_SECONDS: "1" });
    try {
      const { stack, attacker, attackerClient } = short;
      const kept = await storeRecord(short, attacker, attackerClient);
      const parked = await attackerClient.upload(envelopeFor(stack, getAddress(attacker.address), randomBytes(5_000)));
      expect(parked.status).to.equal(201);
      await new Promise((r) => setTimeout(r, 1_100));
      // The background sweeper may have run already; either way the parked upload is gone.
      await stack.service.context.uploads.sweep();
      expect(stack.service.context.uploads.pendingOf(getAddress(attacker.address))).to.deep.equal([]);
      expect((await stack.store.stat(parked.body.cid))?.pinned ?? false).to.equal(false);
      expect((await stack.store.stat(kept.cid))?.pinned).to.equal(true);
    } finally {
      await short.stack.close();
    }
  });

  it("(#6) a patient cannot park more unanchored bytes than the quota", async function () {
    const small = await serviceCast({ MAX_PENDING_UPLOAD_BYTES: "20000" });
    try {
      const { stack, attacker, attackerClient } = small;
      const first = await attackerClient.upload(envelopeFor(stack, getAddress(attacker.address), randomBytes(15_000)));
      expect(first.status).to.equal(201);
      const second = await attackerClient.upload(envelopeFor(stack, getAddress(attacker.address), randomBytes(15_000)));
      expect(second.status).to.equal(413);
      expect(second.body.error).to.equal("UPLOAD_QUOTA_BYTES");
      expect(second.body.message).to.match(/20000 bytes/);
    } finally {
      await small.stack.close();
    }
  });
});
