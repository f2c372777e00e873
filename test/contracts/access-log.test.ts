import { expect } from "chai";
import { network } from "hardhat";
import { CATEGORY, DAY, PERMISSION, SCOPE, deployMedVault, digest, mask, terms, withCast } from "./fixture.ts";

const conn = await network.create();
const { networkHelpers } = conn;

const MAX = 64;
// MAX records: odd ids are Lab results, even ids Notes; the clinician holds a category grant for both.
async function accessLogFixture() {
  const d = await withCast(await deployMedVault(conn));
  for (let i = 1; i <= MAX; i++) {
    await d.medVault
      .connect(d.patient)
      .anchorRecord(d.patient.address, digest(`r${i}`), i % 2 ? CATEGORY.Lab : CATEGORY.Note, 0, 0);
  }
  const expiry = BigInt(await networkHelpers.time.latest()) + BigInt(30 * DAY);
  await d.medVault
    .connect(d.patient)
    .grantConsent(
      terms(d.clinician.address, expiry, { scope: SCOPE.Categories, categoryMask: mask(CATEGORY.Lab, CATEGORY.Note) }),
    );
  return { ...d, expiry };
}

const ZERO = `0x${"00".repeat(32)}`;
const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const now = async () => BigInt(await networkHelpers.time.latest());

describe("MedVault access log", function () {
  describe("openAccessSession", function () {
    it("logs one record in one event", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(accessLogFixture);
      await expect(medVault.connect(clinician).openAccessSession(patient.address, [7], 1))
        .to.emit(medVault, "AccessSessionOpened")
        .withArgs(patient.address, clinician.address, [7], 1, false);
    });

    it("logs MAX_SESSION_RECORDS records in one event, and no more", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(accessLogFixture);
      expect(await medVault.MAX_SESSION_RECORDS()).to.equal(BigInt(MAX));
      const tx = medVault.connect(clinician).openAccessSession(patient.address, ids(MAX), 0);
      await expect(tx)
        .to.emit(medVault, "AccessSessionOpened")
        .withArgs(patient.address, clinician.address, ids(MAX), 0, false);
      const receipt = await (await tx).wait();
      expect(receipt!.logs).to.have.length(1);
      await expect(medVault.connect(clinician).openAccessSession(patient.address, [...ids(MAX), 1], 0))
        .to.be.revertedWithCustomError(medVault, "TooManyRecords")
        .withArgs(MAX + 1, MAX);
      await expect(medVault.connect(clinician).openAccessSession(patient.address, [], 0)).to.be.revertedWithCustomError(
        medVault,
        "EmptyRecordList",
      );
      await expect(medVault.connect(clinician).openAccessSession(patient.address, [1], 6))
        .to.be.revertedWithCustomError(medVault, "InvalidPurpose")
        .withArgs(6);
    });

    it("ids may come in any order and repeat (each is checked)", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(accessLogFixture);
      await expect(medVault.connect(clinician).openAccessSession(patient.address, [40, 3, 40, 17, 2], 0))
        .to.emit(medVault, "AccessSessionOpened")
        .withArgs(patient.address, clinician.address, [40, 3, 40, 17, 2], 0, false);
    });

    it("refuses the whole session when any record is outside consent, naming it", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(accessLogFixture);
      const p = medVault.connect(patient);
      await p.anchorRecord(patient.address, digest("scan"), CATEGORY.Imaging, 0x02, 0); // record 65
      await p.markErased(9);
      const c = medVault.connect(clinician);
      await expect(c.openAccessSession(patient.address, [1, 2, 65], 0))
        .to.be.revertedWithCustomError(medVault, "OutOfScope")
        .withArgs(patient.address, clinician.address, 65);
      await expect(c.openAccessSession(patient.address, [1, 66], 0))
        .to.be.revertedWithCustomError(medVault, "RecordNotFound")
        .withArgs(patient.address, 66);
      await expect(c.openAccessSession(patient.address, [0], 0))
        .to.be.revertedWithCustomError(medVault, "RecordNotFound")
        .withArgs(patient.address, 0);
      await expect(c.openAccessSession(patient.address, [8, 9], 0))
        .to.be.revertedWithCustomError(medVault, "RecordIsErased")
        .withArgs(patient.address, 9);
      // The checks and the views agree record by record.
      for (const [id, ok] of [
        [1, true],
        [65, false],
        [66, false],
        [9, false],
      ] as const) {
        expect(await medVault.canRead(clinician.address, patient.address, id)).to.equal(ok);
      }
    });

    it("names a missing grant, an expired one and an unverified caller", async function () {
      const { medVault, patient, otherPatient, clinician, stranger, expiry } =
        await networkHelpers.loadFixture(accessLogFixture);
      await expect(medVault.connect(clinician).openAccessSession(otherPatient.address, [1], 0))
        .to.be.revertedWithCustomError(medVault, "NoGrant")
        .withArgs(otherPatient.address, clinician.address);
      await expect(medVault.connect(stranger).openAccessSession(patient.address, [1], 0))
        .to.be.revertedWithCustomError(medVault, "ClinicianNotVerified")
        .withArgs(stranger.address);
      await networkHelpers.time.increaseTo(expiry);
      await expect(medVault.connect(clinician).openAccessSession(patient.address, [1], 0))
        .to.be.revertedWithCustomError(medVault, "ConsentExpired")
        .withArgs(patient.address, clinician.address, expiry);
      await expect(medVault.checkRead(clinician.address, patient.address, 1))
        .to.be.revertedWithCustomError(medVault, "ConsentExpired")
        .withArgs(patient.address, clinician.address, expiry);
    });

    it("the patient may log a session over its own records", async function () {
      const { medVault, patient } = await networkHelpers.loadFixture(accessLogFixture);
      await expect(medVault.connect(patient).openAccessSession(patient.address, [1, 2], 0))
        .to.emit(medVault, "AccessSessionOpened")
        .withArgs(patient.address, patient.address, [1, 2], 0, false);
    });
  });

  describe("emergency access", function () {
    it("opens time-boxed access to every record, flagged on each session", async function () {
      const { medVault, patient, otherClinician } = await networkHelpers.loadFixture(accessLogFixture);
      const e = medVault.connect(otherClinician);
      await expect(e.openAccessSession(patient.address, [1], 0))
        .to.be.revertedWithCustomError(medVault, "NoGrant")
        .withArgs(patient.address, otherClinician.address);
      const openedAt = (await now()) + 1n;
      await networkHelpers.time.setNextBlockTimestamp(openedAt);
      await expect(e.openEmergencyAccess(patient.address, "unconscious in A&E", 3600))
        .to.emit(medVault, "EmergencyAccessOpened")
        .withArgs(patient.address, otherClinician.address, openedAt + 3600n, "unconscious in A&E");
      expect(await medVault.emergencyAccessUntil(patient.address, otherClinician.address)).to.equal(openedAt + 3600n);
      expect(await medVault.canRead(otherClinician.address, patient.address, MAX)).to.equal(true);
      await expect(e.openAccessSession(patient.address, [1, MAX], 0))
        .to.emit(medVault, "AccessSessionOpened")
        .withArgs(patient.address, otherClinician.address, [1, MAX], 0, true);

      // At the end time it is over.
      await networkHelpers.time.setNextBlockTimestamp(openedAt + 3600n);
      await expect(e.openAccessSession(patient.address, [1], 0))
        .to.be.revertedWithCustomError(medVault, "NoGrant")
        .withArgs(patient.address, otherClinician.address);
    });

    it("validates caller, patient, duration and reason", async function () {
      const { medVault, registrar, patient, otherClinician, stranger } =
        await networkHelpers.loadFixture(accessLogFixture);
      const e = medVault.connect(otherClinician);
      const max = await medVault.MAX_EMERGENCY_DURATION();
      expect(max).to.equal(24n * 3600n);
      await expect(medVault.connect(stranger).openEmergencyAccess(patient.address, "r", 60))
        .to.be.revertedWithCustomError(medVault, "ClinicianNotVerified")
        .withArgs(stranger.address);
      await expect(e.openEmergencyAccess(stranger.address, "r", 60))
        .to.be.revertedWithCustomError(medVault, "PatientNotRegistered")
        .withArgs(stranger.address);
      for (const duration of [0n, max + 1n]) {
        await expect(e.openEmergencyAccess(patient.address, "r", duration))
          .to.be.revertedWithCustomError(medVault, "InvalidEmergencyDuration")
          .withArgs(duration, max);
      }
      await expect(e.openEmergencyAccess(patient.address, "", 60))
        .to.be.revertedWithCustomError(medVault, "InvalidTextLength")
        .withArgs(0, 256);
      await expect(e.openEmergencyAccess(patient.address, "r", max)).to.emit(medVault, "EmergencyAccessOpened");
      await medVault.connect(registrar).suspendClinician(otherClinician.address);
      await expect(e.openEmergencyAccess(patient.address, "r", 60))
        .to.be.revertedWithCustomError(medVault, "ClinicianSuspended")
        .withArgs(otherClinician.address);
    });

    it("suspension blocks live emergency access at once", async function () {
      const { medVault, registrar, patient, otherClinician } = await networkHelpers.loadFixture(accessLogFixture);
      await medVault.connect(otherClinician).openEmergencyAccess(patient.address, "stroke", 3600);
      await medVault.connect(registrar).suspendClinician(otherClinician.address);
      expect(await medVault.canRead(otherClinician.address, patient.address, 1)).to.equal(false);
      await expect(medVault.connect(otherClinician).openAccessSession(patient.address, [1], 0))
        .to.be.revertedWithCustomError(medVault, "ClinicianSuspended")
        .withArgs(otherClinician.address);
    });

    for (const who of ["patient", "clinician", "registrar"] as const) {
      it(`the ${who} can end it`, async function () {
        const d = await networkHelpers.loadFixture(accessLogFixture);
        const { medVault, patient, otherClinician } = d;
        await medVault.connect(otherClinician).openEmergencyAccess(patient.address, "stroke", 3600);
        const ender = who === "patient" ? patient : who === "clinician" ? otherClinician : d.registrar;
        await expect(medVault.connect(ender).endEmergencyAccess(patient.address, otherClinician.address))
          .to.emit(medVault, "EmergencyAccessEnded")
          .withArgs(patient.address, otherClinician.address, ender.address);
        expect(await medVault.emergencyAccessUntil(patient.address, otherClinician.address)).to.equal(0n);
        expect(await medVault.canRead(otherClinician.address, patient.address, 1)).to.equal(false);
      });
    }

    it("nobody else can end it, and only live access can be ended", async function () {
      const { medVault, patient, otherPatient, clinician, otherClinician, stranger } =
        await networkHelpers.loadFixture(accessLogFixture);
      await expect(medVault.connect(patient).endEmergencyAccess(patient.address, otherClinician.address))
        .to.be.revertedWithCustomError(medVault, "NoEmergencyAccess")
        .withArgs(patient.address, otherClinician.address);
      await medVault.connect(otherClinician).openEmergencyAccess(patient.address, "stroke", 60);
      for (const caller of [stranger, otherPatient, clinician]) {
        await expect(medVault.connect(caller).endEmergencyAccess(patient.address, otherClinician.address))
          .to.be.revertedWithCustomError(medVault, "EmergencyEndNotAllowed")
          .withArgs(caller.address);
      }
      await networkHelpers.time.increase(60);
      await expect(medVault.connect(patient).endEmergencyAccess(patient.address, otherClinician.address))
        .to.be.revertedWithCustomError(medVault, "NoEmergencyAccess")
        .withArgs(patient.address, otherClinician.address);
    });

    it("lives beside a grant: a revocation ends both, ending the emergency keeps the grant (#8)", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(accessLogFixture);
      await medVault.connect(clinician).openEmergencyAccess(patient.address, "sepsis", 3600);
      await expect(medVault.connect(patient).revokeConsent(clinician.address))
        .to.emit(medVault, "ConsentRevoked")
        .withArgs(patient.address, clinician.address)
        .and.to.emit(medVault, "EmergencyAccessEnded")
        .withArgs(patient.address, clinician.address, patient.address);
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(false);
      await medVault
        .connect(patient)
        .grantConsent(terms(clinician.address, (await now()) + BigInt(DAY), { scope: SCOPE.Records, recordIds: [2] }));
      // The revocation started the cool-down; once it has passed the clinician may break glass again.
      await networkHelpers.time.increase(Number(await medVault.EMERGENCY_COOLDOWN()));
      await medVault
        .connect(patient)
        .grantConsent(terms(clinician.address, (await now()) + BigInt(DAY), { scope: SCOPE.Records, recordIds: [2] }));
      await medVault.connect(clinician).openEmergencyAccess(patient.address, "sepsis again", 3600);
      expect(await medVault.emergencyAccessUntil(patient.address, clinician.address)).to.not.equal(0n);
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(true);
      await medVault.connect(patient).endEmergencyAccess(patient.address, clinician.address);
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(false);
      expect(await medVault.canRead(clinician.address, patient.address, 2)).to.equal(true);
      expect((await medVault.getGrant(patient.address, clinician.address))[0]).to.equal(BigInt(SCOPE.Records));
    });
  });
  describe("emergency allowance (#8)", function () {
    const H = 3600;
    const open = (d: Awaited<ReturnType<typeof accessLogFixture>>, seconds: number, reason = "unconscious in A&E") =>
      d.medVault.connect(d.otherClinician).openEmergencyAccess(d.patient.address, reason, seconds);

    it("counts 24 h over any rolling 7 days, not calendar windows", async function () {
      const d = await networkHelpers.loadFixture(accessLogFixture);
      const { medVault, patient, otherClinician } = d;
      expect(await medVault.EMERGENCY_ALLOWANCE()).to.equal(BigInt(24 * H));
      expect(await medVault.EMERGENCY_WINDOW()).to.equal(BigInt(7 * DAY));
      await open(d, 12 * H);
      const t0 = await now();
      await networkHelpers.time.increaseTo(t0 + BigInt(6 * DAY));
      await open(d, 12 * H);
      // Both 12 h openings are inside the window that would end an hour from now.
      await networkHelpers.time.increaseTo(t0 + BigInt(6 * DAY + 12 * H));
      await expect(open(d, H))
        .to.be.revertedWithCustomError(medVault, "EmergencyAllowanceExceeded")
        .withArgs(patient.address, otherClinician.address, 24 * H, H, 24 * H);
      // Seven days and an hour after the first: a 12 h access would end when the first has rolled out of
      // its window, so it fits beside the second; a second more does not (calendar weeks would allow 24 h).
      await networkHelpers.time.setNextBlockTimestamp(t0 + BigInt(7 * DAY + H));
      await expect(open(d, 12 * H + 2))
        .to.be.revertedWithCustomError(medVault, "EmergencyAllowanceExceeded")
        .withArgs(patient.address, otherClinician.address, 12 * H, 12 * H + 2, 24 * H);
      await open(d, 12 * H);
    });

    it("re-opening while live ends the live access and counts only the time it ran", async function () {
      const d = await networkHelpers.loadFixture(accessLogFixture);
      const { medVault, patient, otherClinician } = d;
      await open(d, 10 * H);
      const s0 = await now();
      // The first ran 1 h; its unused 9 h do not count, so 23 h more fit.
      await networkHelpers.time.setNextBlockTimestamp(s0 + BigInt(H));
      await open(d, 23 * H, "still unconscious");
      expect(await medVault.emergencyAccessUntil(patient.address, otherClinician.address)).to.equal(
        s0 + BigInt(24 * H),
      );
      // An hour later: 1 h + 1 h ran, so 22 h are left.
      await networkHelpers.time.setNextBlockTimestamp(s0 + BigInt(2 * H));
      await expect(open(d, 22 * H + 1))
        .to.be.revertedWithCustomError(medVault, "EmergencyAllowanceExceeded")
        .withArgs(patient.address, otherClinician.address, 2 * H, 22 * H + 1, 24 * H);
      await networkHelpers.time.setNextBlockTimestamp(s0 + BigInt(2 * H + 10));
      await open(d, 22 * H - 10);
    });

    it("allows at most MAX_EMERGENCY_OPENINGS openings within the window", async function () {
      const d = await networkHelpers.loadFixture(accessLogFixture);
      const { medVault, patient, otherClinician } = d;
      const max = Number(await medVault.MAX_EMERGENCY_OPENINGS());
      for (let i = 0; i < max; i++) {
        await open(d, 60);
        await networkHelpers.time.increase(60);
      }
      await expect(open(d, 60))
        .to.be.revertedWithCustomError(medVault, "EmergencyOpeningsExhausted")
        .withArgs(patient.address, otherClinician.address, max);
      await networkHelpers.time.increase(7 * DAY);
      await open(d, 60);
    });

    it("after the patient ends it, the clinician waits out the cool-down; after anyone else, not", async function () {
      const d = await networkHelpers.loadFixture(accessLogFixture);
      const { medVault, patient, otherClinician } = d;
      await open(d, H);
      await medVault.connect(otherClinician).endEmergencyAccess(patient.address, otherClinician.address);
      await open(d, H);
      await medVault.connect(patient).endEmergencyAccess(patient.address, otherClinician.address);
      const until = (await now()) + (await medVault.EMERGENCY_COOLDOWN());
      await expect(open(d, H))
        .to.be.revertedWithCustomError(medVault, "EmergencyCoolingDown")
        .withArgs(patient.address, otherClinician.address, until);
      await networkHelpers.time.setNextBlockTimestamp(until);
      await open(d, H);
    });

    it("refuses an opening in the same second as the clinician's last suspension", async function () {
      const d = await networkHelpers.loadFixture(accessLogFixture);
      const { medVault, registrar, patient, otherClinician } = d;
      // Suspend, reinstate and break glass in one block: the access would count as opened before
      // the suspension, so it is refused rather than opened dead.
      await conn.provider.request({ method: "evm_setAutomine", params: [false] });
      try {
        await medVault.connect(registrar).suspendClinician(otherClinician.address, { gasLimit: 200_000 });
        await medVault.connect(registrar).reinstateClinician(otherClinician.address, { gasLimit: 200_000 });
        const tx = await medVault
          .connect(otherClinician)
          .openEmergencyAccess(patient.address, "stroke", 3600, { gasLimit: 300_000 });
        await conn.provider.request({ method: "evm_mine", params: [] });
        await expect(tx).to.be.revertedWithCustomError(medVault, "ClinicianSuspended").withArgs(otherClinician.address);
      } finally {
        await conn.provider.request({ method: "evm_setAutomine", params: [true] });
      }
      expect(await medVault.emergencyAccessUntil(patient.address, otherClinician.address)).to.equal(0n);
      await expect(open(d, 3600)).to.emit(medVault, "EmergencyAccessOpened");
    });

    it("a registrar's extension is credit spent by openings past the allowance, and is validated", async function () {
      const d = await networkHelpers.loadFixture(accessLogFixture);
      const { medVault, registrar, patient, otherClinician, stranger } = d;
      const r = medVault.connect(registrar);
      const max = Number(await medVault.MAX_EMERGENCY_EXTENSION());
      for (const extra of [0, max + 1]) {
        await expect(r.extendEmergencyAllowance(patient.address, otherClinician.address, extra, "ICU"))
          .to.be.revertedWithCustomError(medVault, "InvalidEmergencyExtension")
          .withArgs(extra, max);
      }
      await expect(r.extendEmergencyAllowance(patient.address, stranger.address, H, "ICU"))
        .to.be.revertedWithCustomError(medVault, "ClinicianNotVerified")
        .withArgs(stranger.address);
      await expect(r.extendEmergencyAllowance(stranger.address, otherClinician.address, H, "ICU"))
        .to.be.revertedWithCustomError(medVault, "PatientNotRegistered")
        .withArgs(stranger.address);
      await expect(r.extendEmergencyAllowance(patient.address, otherClinician.address, H, ""))
        .to.be.revertedWithCustomError(medVault, "InvalidTextLength")
        .withArgs(0, 256);
      await open(d, 24 * H);
      await networkHelpers.time.increase(24 * H);
      await r.extendEmergencyAllowance(patient.address, otherClinician.address, 3 * H, "ICU stay");
      await open(d, 2 * H);
      expect(await medVault.emergencyCredit(patient.address, otherClinician.address)).to.equal(BigInt(H));
      await networkHelpers.time.increase(2 * H);
      await expect(open(d, 2 * H))
        .to.be.revertedWithCustomError(medVault, "EmergencyAllowanceExceeded")
        .withArgs(patient.address, otherClinician.address, 26 * H, 2 * H, 25 * H);
    });
  });

  describe("emergency kit", function () {
    // The kit: Profile, Prescription, Diagnosis, Allergy (7), Immunization (8), Escrow, purpose Other.
    const KIT_MASK = mask(CATEGORY.Profile, CATEGORY.Prescription, CATEGORY.Diagnosis, 7, 8);
    const RELEASED = digest("key share for the clinician");
    const kitTerms = async (registrar: string) =>
      terms(registrar, (await now()) + BigInt(3650 * DAY), {
        scope: SCOPE.Categories,
        categoryMask: KIT_MASK,
        permission: PERMISSION.Escrow,
        purpose: 5,
      });
    async function kitFixture() {
      const d = await accessLogFixture();
      await d.medVault.connect(d.patient).grantConsent(await kitTerms(d.registrar.address));
      return d;
    }

    it("an escrow goes to registrars only and never authorises, whatever its holder becomes (#10)", async function () {
      const { medVault, admin, patient, clinician } = await networkHelpers.loadFixture(kitFixture);
      await expect(medVault.connect(patient).grantConsent(await kitTerms(clinician.address)))
        .to.be.revertedWithCustomError(medVault, "EscrowNeedsRegistrar")
        .withArgs(clinician.address);
      // A verified clinician made registrar may hold an escrow; it still reads nothing through it.
      await medVault.connect(admin).grantRole(await medVault.REGISTRAR_ROLE(), clinician.address);
      await medVault.connect(patient).grantConsent(await kitTerms(clinician.address));
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(false);
      expect(await medVault.canWrite(clinician.address, patient.address, CATEGORY.Profile)).to.equal(false);
      await expect(medVault.checkRead(clinician.address, patient.address, 1))
        .to.be.revertedWithCustomError(medVault, "EscrowNeverAuthorises")
        .withArgs(patient.address, clinician.address);
      await expect(medVault.connect(clinician).anchorRecord(patient.address, digest("x"), CATEGORY.Profile, 0, 0))
        .to.be.revertedWithCustomError(medVault, "EscrowNeverAuthorises")
        .withArgs(patient.address, clinician.address);
    });

    it("only a registrar holding a live escrow from the patient releases (#10)", async function () {
      const { medVault, admin, patient, registrar, otherClinician, stranger } =
        await networkHelpers.loadFixture(kitFixture);
      await medVault.connect(admin).grantRole(await medVault.REGISTRAR_ROLE(), stranger.address);
      await medVault.connect(otherClinician).openEmergencyAccess(patient.address, "anaphylaxis", 3600);
      await expect(medVault.connect(stranger).releaseEmergencyKeys(patient.address, otherClinician.address, RELEASED))
        .to.be.revertedWithCustomError(medVault, "NoEscrow")
        .withArgs(patient.address, stranger.address);
      await medVault.connect(patient).revokeConsent(registrar.address);
      await expect(medVault.connect(registrar).releaseEmergencyKeys(patient.address, otherClinician.address, RELEASED))
        .to.be.revertedWithCustomError(medVault, "NoEscrow")
        .withArgs(patient.address, registrar.address);
    });

    it("a registrar holding the kit grant can neither read nor open a session", async function () {
      const { medVault, patient, registrar } = await networkHelpers.loadFixture(accessLogFixture);
      await medVault.connect(patient).anchorRecord(patient.address, digest("profile"), CATEGORY.Profile, 0, 0); // record 65
      await medVault.connect(patient).grantConsent(
        terms(registrar.address, (await now()) + BigInt(3650 * DAY), {
          scope: SCOPE.Categories,
          categoryMask: KIT_MASK,
          permission: PERMISSION.Escrow,
          purpose: 5,
        }),
      );
      expect((await medVault.getGrant(patient.address, registrar.address))[1]).to.equal(BigInt(KIT_MASK));
      expect(await medVault.canRead(registrar.address, patient.address, MAX + 1)).to.equal(false);
      await expect(medVault.checkRead(registrar.address, patient.address, MAX + 1))
        .to.be.revertedWithCustomError(medVault, "ClinicianNotVerified")
        .withArgs(registrar.address);
      await expect(medVault.connect(registrar).openAccessSession(patient.address, [MAX + 1], 5))
        .to.be.revertedWithCustomError(medVault, "ClinicianNotVerified")
        .withArgs(registrar.address);
      await expect(medVault.connect(registrar).openEmergencyAccess(patient.address, "r", 60))
        .to.be.revertedWithCustomError(medVault, "ClinicianNotVerified")
        .withArgs(registrar.address);
    });

    it("a registrar releases keys to a clinician with live emergency access: one event, no storage", async function () {
      const { medVault, patient, registrar, otherClinician } = await networkHelpers.loadFixture(kitFixture);
      await medVault.connect(otherClinician).openEmergencyAccess(patient.address, "anaphylaxis", 3600);
      const tx = medVault.connect(registrar).releaseEmergencyKeys(patient.address, otherClinician.address, RELEASED);
      await expect(tx)
        .to.emit(medVault, "EmergencyKeysReleased")
        .withArgs(patient.address, otherClinician.address, registrar.address, RELEASED);
      expect((await (await tx).wait())!.logs).to.have.length(1);
      // A release grants nothing by itself: access still ends with the emergency.
      await medVault.connect(patient).endEmergencyAccess(patient.address, otherClinician.address);
      expect(await medVault.canRead(otherClinician.address, patient.address, 1)).to.equal(false);
    });

    it("refuses a non-registrar, an empty share, and a clinician without live emergency access", async function () {
      const { medVault, patient, registrar, clinician, otherClinician, stranger } =
        await networkHelpers.loadFixture(kitFixture);
      const r = medVault.connect(registrar);
      const role = await medVault.REGISTRAR_ROLE();
      await expect(r.releaseEmergencyKeys(patient.address, otherClinician.address, RELEASED))
        .to.be.revertedWithCustomError(medVault, "NoEmergencyAccess")
        .withArgs(patient.address, otherClinician.address);
      await medVault.connect(otherClinician).openEmergencyAccess(patient.address, "stroke", 60);
      // A live grant is not emergency access.
      await expect(r.releaseEmergencyKeys(patient.address, clinician.address, RELEASED))
        .to.be.revertedWithCustomError(medVault, "NoEmergencyAccess")
        .withArgs(patient.address, clinician.address);
      for (const caller of [patient, otherClinician, stranger]) {
        await expect(medVault.connect(caller).releaseEmergencyKeys(patient.address, otherClinician.address, RELEASED))
          .to.be.revertedWithCustomError(medVault, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
      await expect(r.releaseEmergencyKeys(patient.address, otherClinician.address, ZERO)).to.be.revertedWithCustomError(
        medVault,
        "EmptyKeyShare",
      );
      await expect(r.releaseEmergencyKeys(patient.address, stranger.address, RELEASED))
        .to.be.revertedWithCustomError(medVault, "ClinicianNotVerified")
        .withArgs(stranger.address);
      await networkHelpers.time.increase(60);
      await expect(r.releaseEmergencyKeys(patient.address, otherClinician.address, RELEASED))
        .to.be.revertedWithCustomError(medVault, "NoEmergencyAccess")
        .withArgs(patient.address, otherClinician.address);
    });

    it("ended access or a suspended clinician stops a release, and reinstatement does not restore it (#8)", async function () {
      const { medVault, patient, registrar, otherClinician } = await networkHelpers.loadFixture(kitFixture);
      const r = medVault.connect(registrar);
      await medVault.connect(otherClinician).openEmergencyAccess(patient.address, "stroke", 3600);
      await r.suspendClinician(otherClinician.address);
      await expect(r.releaseEmergencyKeys(patient.address, otherClinician.address, RELEASED))
        .to.be.revertedWithCustomError(medVault, "ClinicianSuspended")
        .withArgs(otherClinician.address);
      await r.reinstateClinician(otherClinician.address);
      await expect(r.releaseEmergencyKeys(patient.address, otherClinician.address, RELEASED))
        .to.be.revertedWithCustomError(medVault, "NoEmergencyAccess")
        .withArgs(patient.address, otherClinician.address);
      await medVault.connect(otherClinician).openEmergencyAccess(patient.address, "stroke, again", 3600);
      await expect(r.releaseEmergencyKeys(patient.address, otherClinician.address, RELEASED)).to.emit(
        medVault,
        "EmergencyKeysReleased",
      );
      await medVault.connect(otherClinician).endEmergencyAccess(patient.address, otherClinician.address);
      await expect(r.releaseEmergencyKeys(patient.address, otherClinician.address, RELEASED))
        .to.be.revertedWithCustomError(medVault, "NoEmergencyAccess")
        .withArgs(patient.address, otherClinician.address);
    });
  });
});
