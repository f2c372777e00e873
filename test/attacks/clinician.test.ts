import { expect } from "chai";
import type { Deployed } from "../contracts/fixture.ts";
import { castFixture, HOUR, inDays, networkHelpers, now, signGrant, signRevoke, terms } from "./contract.ts";
import { getAddress, keccak256, toHex } from "viem";
import { anchor, Client } from "../service/harness.ts";
import { grantAll, openSession, recordUrl, serviceCast, storeRecord, type Cast } from "./service.ts";

describe("clinician against the contract", function () {
  // The patient's signature nonce for `grantee`, as the app reads it before signing.
  const nonceOf = async (d: Deployed, grantee = d.clinician.address): Promise<bigint> =>
    d.medVault.consentNonce(d.patient.address, grantee);

  it("(#8) a clinician cannot re-open emergency access every 23 h for more than 24 h in any 7 days", async function () {
    const { medVault, patient, clinician } = await networkHelpers.loadFixture(castFixture);
    const asClinician = medVault.connect(clinician);
    await asClinician.openEmergencyAccess(patient.address, "unconscious in A&E", 23 * HOUR);
    await networkHelpers.time.increase(23 * HOUR);
    await expect(asClinician.openEmergencyAccess(patient.address, "still in A&E", 23 * HOUR))
      .to.be.revertedWithCustomError(medVault, "EmergencyAllowanceExceeded")
      .withArgs(patient.address, clinician.address, 23 * HOUR, 23 * HOUR, 24 * HOUR);
    // The rest of the 24 h stays usable, and nothing more, until the 7 days roll past.
    await asClinician.openEmergencyAccess(patient.address, "still in A&E", HOUR);
  });

  it("(#8) a clinician cannot re-open emergency access right after the patient ended it", async function () {
    const { medVault, patient, clinician } = await networkHelpers.loadFixture(castFixture);
    const asClinician = medVault.connect(clinician);
    await asClinician.openEmergencyAccess(patient.address, "unconscious in A&E", HOUR);
    await medVault.connect(patient).endEmergencyAccess(patient.address, clinician.address);
    const endedAt = await now();
    const coolDown = await medVault.EMERGENCY_COOLDOWN();
    await expect(asClinician.openEmergencyAccess(patient.address, "again", HOUR))
      .to.be.revertedWithCustomError(medVault, "EmergencyCoolingDown")
      .withArgs(patient.address, clinician.address, endedAt + coolDown);
  });

  it("(#8) a clinician's emergency access ends when the patient revokes them, grant or no grant", async function () {
    const { medVault, patient, clinician, otherClinician } = await networkHelpers.loadFixture(castFixture);
    // No grant at all: only break-glass.
    await medVault.connect(clinician).openEmergencyAccess(patient.address, "unconscious in A&E", 12 * HOUR);
    await expect(medVault.connect(patient).revokeConsent(clinician.address))
      .to.emit(medVault, "EmergencyAccessEnded")
      .withArgs(patient.address, clinician.address, patient.address);
    expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(false);
    // With a grant too.
    await medVault.connect(patient).grantConsent(terms(otherClinician.address, await inDays(30)));
    await medVault.connect(otherClinician).openEmergencyAccess(patient.address, "unconscious in A&E", 12 * HOUR);
    await medVault.connect(patient).revokeConsent(otherClinician.address);
    expect(await medVault.canRead(otherClinician.address, patient.address, 1)).to.equal(false);
    expect(await medVault.emergencyAccessUntil(patient.address, otherClinician.address)).to.equal(0n);
  });

  it("(#8) a suspended clinician does not get emergency access back on reinstatement", async function () {
    const { medVault, registrar, patient, clinician } = await networkHelpers.loadFixture(castFixture);
    await medVault.connect(clinician).openEmergencyAccess(patient.address, "unconscious in A&E", 12 * HOUR);
    await medVault.connect(registrar).suspendClinician(clinician.address);
    await medVault.connect(registrar).reinstateClinician(clinician.address);
    expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(false);
    expect(await medVault.emergencyAccessUntil(patient.address, clinician.address)).to.equal(0n);
    await expect(medVault.connect(clinician).openAccessSession(patient.address, [1], 0))
      .to.be.revertedWithCustomError(medVault, "NoGrant")
      .withArgs(patient.address, clinician.address);
  });

  it("(#8) a clinician gets past 24 h in 7 days only through a registrar's extension, with its reason", async function () {
    const { medVault, registrar, patient, clinician } = await networkHelpers.loadFixture(castFixture);
    const asClinician = medVault.connect(clinician);
    await asClinician.openEmergencyAccess(patient.address, "unconscious in A&E", 24 * HOUR);
    await networkHelpers.time.increase(24 * HOUR);
    await expect(
      asClinician.openEmergencyAccess(patient.address, "still in ICU", 12 * HOUR),
    ).to.be.revertedWithCustomError(medVault, "EmergencyAllowanceExceeded");
    await expect(
      medVault.connect(clinician).extendEmergencyAllowance(patient.address, clinician.address, 12 * HOUR, "ICU"),
    )
      .to.be.revertedWithCustomError(medVault, "AccessControlUnauthorizedAccount")
      .withArgs(clinician.address, await medVault.REGISTRAR_ROLE());
    await expect(
      medVault.connect(registrar).extendEmergencyAllowance(patient.address, clinician.address, 12 * HOUR, "ICU stay"),
    )
      .to.emit(medVault, "EmergencyAllowanceExtended")
      .withArgs(patient.address, clinician.address, registrar.address, 12 * HOUR, "ICU stay");
    await asClinician.openEmergencyAccess(patient.address, "still in ICU", 12 * HOUR);
    expect(await medVault.emergencyCredit(patient.address, clinician.address)).to.equal(0n);
  });

  it("(#9) a patient moves past a stale signed revoke, and cancels outstanding signatures", async function () {
    const d = await networkHelpers.loadFixture(castFixture);
    const { medVault, patient, clinician } = d;
    const deadline = await inDays(7);
    // A signed revoke for a grant that does not exist cannot be relayed and spends nothing...
    const stale = await signRevoke(d, patient, clinician.address, await nonceOf(d), deadline);
    await expect(medVault.connect(clinician).revokeConsentBySig(patient.address, clinician.address, deadline, stale))
      .to.be.revertedWithCustomError(medVault, "NoGrant")
      .withArgs(patient.address, clinician.address);
    // ...so the patient's next signature for that grantee still works, and spends the stale one.
    const grant = terms(clinician.address, await inDays(30));
    await medVault
      .connect(clinician)
      .grantConsentBySig(
        patient.address,
        grant,
        deadline,
        await signGrant(d, patient, grant, await nonceOf(d), deadline),
      );
    // An explicit cancellation voids whatever the patient signed for this grantee before.
    const unrelayed = await signRevoke(d, patient, clinician.address, await nonceOf(d), deadline);
    await expect(medVault.connect(patient).cancelSignatures(clinician.address))
      .to.emit(medVault, "SignaturesCancelled")
      .withArgs(patient.address, clinician.address, 2n);
    await expect(
      medVault.connect(clinician).revokeConsentBySig(patient.address, clinician.address, deadline, unrelayed),
    )
      .to.be.revertedWithCustomError(medVault, "InvalidSignature")
      .withArgs(patient.address);
  });

  it("(#9) a clinician cannot relay an old signed grant after the patient revoked by transaction", async function () {
    const d = await networkHelpers.loadFixture(castFixture);
    const { medVault, patient, clinician } = d;
    const grant = terms(clinician.address, await inDays(30));
    const deadline = await inDays(7);
    // The patient signed a grant, then changed their mind and granted and revoked directly.
    const signed = await signGrant(d, patient, grant, await nonceOf(d), deadline);
    await medVault.connect(patient).grantConsent(terms(clinician.address, await inDays(1)));
    await medVault.connect(patient).revokeConsent(clinician.address);
    await expect(medVault.connect(clinician).grantConsentBySig(patient.address, grant, deadline, signed))
      .to.be.revertedWithCustomError(medVault, "InvalidSignature")
      .withArgs(patient.address);
    expect((await medVault.getGrant(patient.address, clinician.address)).permission).to.equal(0n);
  });

  it("(#9) a clinician cannot replay a stale signed revoke against the patient's later grant", async function () {
    const d = await networkHelpers.loadFixture(castFixture);
    const { medVault, patient, clinician, otherClinician } = d;
    await medVault.connect(patient).grantConsent(terms(otherClinician.address, await inDays(30)));
    const deadline = await inDays(7);
    // Signed while a grant existed, but the patient revoked by transaction first.
    const staleRevoke = await signRevoke(
      d,
      patient,
      otherClinician.address,
      await nonceOf(d, otherClinician.address),
      deadline,
    );
    await medVault.connect(patient).revokeConsent(otherClinician.address);
    await medVault.connect(patient).grantConsent(terms(otherClinician.address, await inDays(30)));
    await expect(
      medVault.connect(clinician).revokeConsentBySig(patient.address, otherClinician.address, deadline, staleRevoke),
    )
      .to.be.revertedWithCustomError(medVault, "InvalidSignature")
      .withArgs(patient.address);
    expect((await medVault.getGrant(patient.address, otherClinician.address)).permission).to.equal(1n);
  });
});

describe("clinician against the storage service", function () {
  let cast: Cast;
  before(async function () {
    cast = await serviceCast();
    await grantAll(cast, cast.victim, getAddress(cast.doctor.address));
  });
  after(async function () {
    await cast?.stack.close();
  });

  it("(#1) a revoked clinician cannot fetch a record through a puppet patient that anchored its CID", async function () {
    const { stack, victim, attacker, doctor } = cast;
    const rec = await storeRecord(cast, victim, cast.victimClient);
    // The clinician's puppet (a patient account) anchors the victim's CID and grants the clinician.
    const aliasId = await anchor(stack, attacker, rec.digest, rec.dagPb);
    await grantAll(cast, attacker, getAddress(doctor.address));
    const session = await openSession(cast, doctor, getAddress(attacker.address), [aliasId]);
    const res = await cast.doctorClient.json(recordUrl(rec.cid, attacker.address, aliasId, session));
    expect(res.status).to.equal(403);
    expect(res.body.error).to.equal("NOT_THIS_PATIENTS_RECORD");
    const log = await stack.accessLog.query(getAddress(victim.address), { limit: 5 });
    expect(log.entries[0]).to.include({ reason: "NOT_THIS_PATIENTS_RECORD", actor: getAddress(doctor.address) });
  });

  it("(#3) a clinician with consent cannot read a record without opening a viewing session on-chain", async function () {
    const rec = await storeRecord(cast, cast.victim, cast.victimClient);
    const res = await cast.doctorClient.json(recordUrl(rec.cid, cast.victim.address, rec.id));
    expect(res.status).to.equal(403);
    expect(res.body.error).to.equal("VIEWING_SESSION_REQUIRED");
    const session = await openSession(cast, cast.doctor, getAddress(cast.victim.address), [rec.id]);
    const ok = await cast.doctorClient.request(recordUrl(rec.cid, cast.victim.address, rec.id, session));
    expect(ok.status).to.equal(200);
  });

  it("(#3) a clinician cannot read under a session for other records, another reader's session or a stale one", async function () {
    const { stack, victim, doctor, stranger } = cast;
    const V = getAddress(victim.address);
    const a = await storeRecord(cast, victim, cast.victimClient);
    const b = await storeRecord(cast, victim, cast.victimClient);
    const forA = await openSession(cast, doctor, V, [a.id]);
    const other = await cast.doctorClient.json(recordUrl(b.cid, V, b.id, forA));
    expect([other.status, other.body.error]).to.deep.equal([403, "VIEWING_SESSION_OTHER_RECORDS"]);
    // A second clinician with consent of their own cannot read under the first one's session.
    await (
      await stack.medVault
        .connect(cast.admin)
        .verifyClinician(stranger.address, keccak256(toHex("GMC-2")), keccak256(toHex("Dr B")), "Dr B")
    ).wait();
    await grantAll(cast, victim, getAddress(stranger.address));
    const strangers = await cast.strangerClient.json(recordUrl(a.cid, V, a.id, forA));
    expect([strangers.status, strangers.body.error]).to.deep.equal([403, "VIEWING_SESSION_OTHER_READER"]);
    const bad = await cast.doctorClient.json(recordUrl(a.cid, V, a.id, "0x1234"));
    expect([bad.status, bad.body.error]).to.deep.equal([400, "BAD_SESSION_TX"]);
    // A transaction that is not a session (the grant) proves nothing.
    const tx = await stack.medVault.connect(victim).rotateKeys(1);
    await tx.wait();
    const notSession = await cast.doctorClient.json(recordUrl(a.cid, V, a.id, tx.hash));
    expect([notSession.status, notSession.body.error]).to.deep.equal([403, "VIEWING_SESSION_NOT_FOUND"]);
    await stack.conn.networkHelpers.time.increase(2 * 3600);
    await (await stack.medVault.connect(victim).rotateKeys(1)).wait();
    const stale = await cast.doctorClient.json(recordUrl(a.cid, V, a.id, forA));
    expect([stale.status, stale.body.error]).to.deep.equal([403, "VIEWING_SESSION_EXPIRED"]);
  });

  it("(#2) a clinician's served read stays on the patient's timeline after 500 refused requests", async function () {
    const { stack, victim } = cast;
    const V = getAddress(victim.address);
    const rec = await storeRecord(cast, victim, cast.victimClient);
    const session = await openSession(cast, cast.doctor, V, [rec.id]);
    expect((await cast.doctorClient.request(recordUrl(rec.cid, V, rec.id, session))).status).to.equal(200);
    const anonymous = new Client(stack.url);
    await Promise.all(
      Array.from({ length: 500 }, (_, i) => anonymous.request(recordUrl(rec.cid, V, rec.id)).then(() => i)),
    );
    for (let i = 0; i < 100; i++) await cast.strangerClient.request(recordUrl(rec.cid, V, rec.id));
    const served = await cast.victimClient.json<{ entries: { outcome: string; actor: string }[] }>(
      `/api/access-log?patient=${V}&outcome=served&limit=500`,
    );
    expect(served.body.entries.some((e) => e.actor === getAddress(cast.doctor.address))).to.equal(true);
    // Anonymous refusals never reach the patient's log.
    const all = await stack.accessLog.query(V, { limit: 10_000 });
    expect(all.entries.filter((e) => e.actor === null)).to.have.length(0);
  });
});
