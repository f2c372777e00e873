import { expect } from "chai";
import { network } from "hardhat";
import {
  CATEGORY,
  DAY,
  LICENCE,
  PERMISSION,
  SCOPE,
  deployMedVault,
  digest,
  mask,
  registerDevice,
  terms,
  withCast,
} from "./fixture.ts";

const conn = await network.create();
const { ethers, networkHelpers } = conn;

async function recordsFixture() {
  return withCast(await deployMedVault(conn));
}

const soon = async () => BigInt(await networkHelpers.time.latest()) + BigInt(30 * DAY);

describe("MedVault records", function () {
  describe("anchorRecord by the patient", function () {
    it("anchors with an event carrying author, digest, category, flags and supersedes", async function () {
      const { medVault, patient } = await networkHelpers.loadFixture(recordsFixture);
      const p = medVault.connect(patient);
      expect(await p.anchorRecord.staticCall(patient.address, digest("a"), CATEGORY.Lab, 0x02, 0)).to.equal(1n);
      await expect(p.anchorRecord(patient.address, digest("a"), CATEGORY.Lab, 0x02, 0))
        .to.emit(medVault, "RecordAnchored")
        .withArgs(patient.address, 1, patient.address, digest("a"), CATEGORY.Lab, 0x02, 0);
      await expect(p.anchorRecord(patient.address, digest("a v2"), CATEGORY.Lab, 0, 1))
        .to.emit(medVault, "RecordAnchored")
        .withArgs(patient.address, 2, patient.address, digest("a v2"), CATEGORY.Lab, 0, 1);
      expect(await medVault.recordCount(patient.address)).to.equal(2n);
      expect(await medVault.getRecord(patient.address, 1)).to.deep.equal([digest("a"), BigInt(CATEGORY.Lab), 2n]);
      expect(await medVault.getRecord(patient.address, 2)).to.deep.equal([digest("a v2"), BigInt(CATEGORY.Lab), 0n]);
    });

    it("keeps each record's category and flags across index words (16 records per slot)", async function () {
      const { medVault, patient } = await networkHelpers.loadFixture(recordsFixture);
      const p = medVault.connect(patient);
      const n = 40;
      for (let i = 1; i <= n; i++) await p.anchorRecord(patient.address, digest(`r${i}`), i % 32, i % 2 ? 0x02 : 0, 0);
      for (let i = 1; i <= n; i++) {
        expect(await medVault.getRecord(patient.address, i)).to.deep.equal([
          digest(`r${i}`),
          BigInt(i % 32),
          i % 2 ? 2n : 0n,
        ]);
      }
      await expect(medVault.getRecord(patient.address, n + 1))
        .to.be.revertedWithCustomError(medVault, "RecordNotFound")
        .withArgs(patient.address, n + 1);
    });

    it("rejects bad arguments with the offending values", async function () {
      const { medVault, patient, stranger } = await networkHelpers.loadFixture(recordsFixture);
      const p = medVault.connect(patient);
      await expect(p.anchorRecord(patient.address, ethers.ZeroHash, 1, 0, 0)).to.be.revertedWithCustomError(
        medVault,
        "EmptyCid",
      );
      await expect(p.anchorRecord(patient.address, digest("x"), 32, 0, 0))
        .to.be.revertedWithCustomError(medVault, "InvalidCategory")
        .withArgs(32);
      for (const flags of [0x40, 0x80, 0xff]) {
        await expect(p.anchorRecord(patient.address, digest("x"), 1, flags, 0))
          .to.be.revertedWithCustomError(medVault, "InvalidFlags")
          .withArgs(flags);
      }
      await expect(medVault.connect(stranger).anchorRecord(stranger.address, digest("x"), 1, 0, 0))
        .to.be.revertedWithCustomError(medVault, "PatientNotRegistered")
        .withArgs(stranger.address);
      await expect(p.anchorRecord(patient.address, digest("x"), 1, 0, 1))
        .to.be.revertedWithCustomError(medVault, "RecordNotFound")
        .withArgs(patient.address, 1);
    });
  });

  describe("anchorRecord by a device", function () {
    it("anchors device readings for its own patient only", async function () {
      const { medVault, patient, otherPatient, device } = await networkHelpers.loadFixture(recordsFixture);
      const d = medVault.connect(device);
      await expect(d.anchorRecord(patient.address, digest("glucose"), CATEGORY.Device, 0, 0))
        .to.emit(medVault, "RecordAnchored")
        .withArgs(patient.address, 1, device.address, digest("glucose"), CATEGORY.Device, 0, 0);
      expect(await medVault.canWrite(device.address, patient.address, CATEGORY.Device)).to.equal(true);
      expect(await medVault.canWrite(device.address, patient.address, CATEGORY.Lab)).to.equal(false);
      await expect(d.anchorRecord(patient.address, digest("lab"), CATEGORY.Lab, 0, 0))
        .to.be.revertedWithCustomError(medVault, "DeviceCategoryNotAllowed")
        .withArgs(device.address, CATEGORY.Lab);
      // Another patient's records are out of reach: the device is nobody's clinician.
      await expect(d.anchorRecord(otherPatient.address, digest("glucose"), CATEGORY.Device, 0, 0))
        .to.be.revertedWithCustomError(medVault, "ClinicianNotVerified")
        .withArgs(device.address);
    });

    it("a device later verified as a clinician still writes other categories under its grant", async function () {
      const { medVault, registrar, patient, stranger: clinician } = await networkHelpers.loadFixture(recordsFixture);
      // A clinician cannot be registered as a device (#12), so this only happens the other way round.
      await registerDevice(medVault, patient, clinician, "ward monitor");
      await medVault.connect(registrar).verifyClinician(clinician.address, LICENCE, ethers.id("Dr. Ward"), "Dr. Ward");
      await medVault.connect(clinician).anchorRecord(patient.address, digest("reading"), CATEGORY.Device, 0, 0);
      await expect(medVault.connect(clinician).anchorRecord(patient.address, digest("dx"), CATEGORY.Diagnosis, 0, 0))
        .to.be.revertedWithCustomError(medVault, "NoGrant")
        .withArgs(patient.address, clinician.address);
      await medVault
        .connect(patient)
        .grantConsent(terms(clinician.address, await soon(), { permission: PERMISSION.ReadWrite }));
      await expect(medVault.connect(clinician).anchorRecord(patient.address, digest("dx"), CATEGORY.Diagnosis, 0, 0))
        .to.emit(medVault, "RecordAnchored")
        .withArgs(patient.address, 2, clinician.address, digest("dx"), CATEGORY.Diagnosis, 0, 0);
    });

    it("stops writing once revoked", async function () {
      const { medVault, patient, device } = await networkHelpers.loadFixture(recordsFixture);
      await medVault.connect(patient).revokeDevice(device.address);
      expect(await medVault.canWrite(device.address, patient.address, CATEGORY.Device)).to.equal(false);
      await expect(medVault.connect(device).anchorRecord(patient.address, digest("glucose"), CATEGORY.Device, 0, 0))
        .to.be.revertedWithCustomError(medVault, "ClinicianNotVerified")
        .withArgs(device.address);
    });
  });

  describe("anchorRecord by a clinician", function () {
    it("needs a live read+write grant covering the category", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(recordsFixture);
      const c = medVault.connect(clinician);
      const p = medVault.connect(patient);
      const write = () => c.anchorRecord(patient.address, digest("dx"), CATEGORY.Diagnosis, 0, 0);

      await expect(write())
        .to.be.revertedWithCustomError(medVault, "NoGrant")
        .withArgs(patient.address, clinician.address);

      await p.grantConsent(terms(clinician.address, await soon()));
      expect(await medVault.canWrite(clinician.address, patient.address, CATEGORY.Diagnosis)).to.equal(false);
      await expect(write())
        .to.be.revertedWithCustomError(medVault, "WriteNotPermitted")
        .withArgs(patient.address, clinician.address);

      await p.grantConsent(
        terms(clinician.address, await soon(), {
          scope: SCOPE.Categories,
          categoryMask: mask(CATEGORY.Prescription),
          permission: PERMISSION.ReadWrite,
        }),
      );
      await expect(write())
        .to.be.revertedWithCustomError(medVault, "CategoryOutOfScope")
        .withArgs(patient.address, clinician.address, CATEGORY.Diagnosis);
      expect(await medVault.canWrite(clinician.address, patient.address, CATEGORY.Prescription)).to.equal(true);

      await p.grantConsent(
        terms(clinician.address, await soon(), {
          scope: SCOPE.Categories,
          categoryMask: mask(CATEGORY.Prescription, CATEGORY.Diagnosis),
          permission: PERMISSION.ReadWrite,
        }),
      );
      await expect(write())
        .to.emit(medVault, "RecordAnchored")
        .withArgs(patient.address, 1, clinician.address, digest("dx"), CATEGORY.Diagnosis, 0, 0);

      await p.grantConsent(terms(clinician.address, await soon(), { permission: PERMISSION.ReadWrite }));
      expect(await medVault.canWrite(clinician.address, patient.address, CATEGORY.Imaging)).to.equal(true);
      await expect(c.anchorRecord(patient.address, digest("scan"), CATEGORY.Imaging, 0x02, 0)).to.emit(
        medVault,
        "RecordAnchored",
      );
    });

    it("a records-scoped write grant is refused at grant time, since it could anchor nothing (#15)", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(recordsFixture);
      await medVault.connect(patient).anchorRecord(patient.address, digest("a"), CATEGORY.Note, 0, 0);
      const g = terms(clinician.address, await soon(), {
        scope: SCOPE.Records,
        recordIds: [1],
        permission: PERMISSION.ReadWrite,
      });
      await expect(medVault.connect(patient).grantConsent(g))
        .to.be.revertedWithCustomError(medVault, "RecordsScopeCannotWrite")
        .withArgs(SCOPE.Records, PERMISSION.ReadWrite);
      // A records-scoped read grant never covers a write either.
      await medVault.connect(patient).grantConsent({ ...g, permission: PERMISSION.Read });
      await expect(medVault.connect(clinician).anchorRecord(patient.address, digest("b"), CATEGORY.Note, 0, 1))
        .to.be.revertedWithCustomError(medVault, "WriteNotPermitted")
        .withArgs(patient.address, clinician.address);
    });

    it("is refused when expired, suspended or never verified", async function () {
      const { medVault, registrar, patient, clinician, stranger } = await networkHelpers.loadFixture(recordsFixture);
      const expiry = await soon();
      await medVault
        .connect(patient)
        .grantConsent(terms(clinician.address, expiry, { permission: PERMISSION.ReadWrite }));
      await medVault
        .connect(patient)
        .grantConsent(terms(stranger.address, expiry, { permission: PERMISSION.ReadWrite }));
      await expect(medVault.connect(stranger).anchorRecord(patient.address, digest("x"), 1, 0, 0))
        .to.be.revertedWithCustomError(medVault, "ClinicianNotVerified")
        .withArgs(stranger.address);
      await medVault.connect(registrar).suspendClinician(clinician.address);
      expect(await medVault.canWrite(clinician.address, patient.address, 1)).to.equal(false);
      await expect(medVault.connect(clinician).anchorRecord(patient.address, digest("x"), 1, 0, 0))
        .to.be.revertedWithCustomError(medVault, "ClinicianSuspended")
        .withArgs(clinician.address);
      await medVault.connect(registrar).reinstateClinician(clinician.address);
      await networkHelpers.time.setNextBlockTimestamp(expiry);
      await expect(medVault.connect(clinician).anchorRecord(patient.address, digest("x"), 1, 0, 0))
        .to.be.revertedWithCustomError(medVault, "ConsentExpired")
        .withArgs(patient.address, clinician.address, expiry);
    });

    it("canWrite is false for bad categories and unregistered patients, true for the patient", async function () {
      const { medVault, patient, stranger } = await networkHelpers.loadFixture(recordsFixture);
      expect(await medVault.canWrite(patient.address, patient.address, 1)).to.equal(true);
      expect(await medVault.canWrite(patient.address, patient.address, 32)).to.equal(false);
      expect(await medVault.canWrite(stranger.address, stranger.address, 1)).to.equal(false);
      expect(await medVault.canWrite(stranger.address, ethers.ZeroAddress, 1)).to.equal(false);
    });
  });

  describe("supersedes", function () {
    it("names a live record of the same patient and category, else reverts with the values", async function () {
      const { medVault, patient, otherPatient } = await networkHelpers.loadFixture(recordsFixture);
      const p = medVault.connect(patient);
      await p.anchorRecord(patient.address, digest("dx"), CATEGORY.Diagnosis, 0, 0);
      await expect(p.anchorRecord(patient.address, digest("lab"), CATEGORY.Lab, 0, 1))
        .to.be.revertedWithCustomError(medVault, "SupersedesOtherCategory")
        .withArgs(patient.address, 1, CATEGORY.Diagnosis, CATEGORY.Lab);
      await expect(p.anchorRecord(patient.address, digest("dx"), CATEGORY.Diagnosis, 0, 2))
        .to.be.revertedWithCustomError(medVault, "RecordNotFound")
        .withArgs(patient.address, 2);
      // Another patient's record 1 is not this patient's record 1.
      await medVault.connect(otherPatient).anchorRecord(otherPatient.address, digest("o"), CATEGORY.Lab, 0, 0);
      await expect(
        medVault.connect(otherPatient).anchorRecord(otherPatient.address, digest("o2"), CATEGORY.Diagnosis, 0, 1),
      )
        .to.be.revertedWithCustomError(medVault, "SupersedesOtherCategory")
        .withArgs(otherPatient.address, 1, CATEGORY.Lab, CATEGORY.Diagnosis);
      await expect(p.anchorRecord(patient.address, digest("dx v2"), CATEGORY.Diagnosis, 0, 1))
        .to.emit(medVault, "RecordAnchored")
        .withArgs(patient.address, 2, patient.address, digest("dx v2"), CATEGORY.Diagnosis, 0, 1);
    });
  });

  describe("markErased", function () {
    it("marks the caller's record erased once, and it then authorises no reads", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(recordsFixture);
      const p = medVault.connect(patient);
      await p.anchorRecord(patient.address, digest("a"), CATEGORY.Note, 0x02, 0);
      await p.grantConsent(terms(clinician.address, await soon()));
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(true);
      await expect(p.markErased(1)).to.emit(medVault, "RecordErased").withArgs(patient.address, 1);
      expect(await medVault.getRecord(patient.address, 1)).to.deep.equal([digest("a"), BigInt(CATEGORY.Note), 0x42n]);
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(false);
      expect(await medVault.canRead(patient.address, patient.address, 1)).to.equal(false);
      await expect(medVault.checkRead(clinician.address, patient.address, 1))
        .to.be.revertedWithCustomError(medVault, "RecordIsErased")
        .withArgs(patient.address, 1);
      await expect(p.markErased(1))
        .to.be.revertedWithCustomError(medVault, "RecordIsErased")
        .withArgs(patient.address, 1);
      // An erased record is gone for good: nothing may supersede it (#11).
      await expect(p.anchorRecord(patient.address, digest("a v2"), CATEGORY.Note, 0, 1))
        .to.be.revertedWithCustomError(medVault, "RecordIsErased")
        .withArgs(patient.address, 1);
    });

    it("only touches the caller's own records", async function () {
      const { medVault, patient, otherPatient } = await networkHelpers.loadFixture(recordsFixture);
      await medVault.connect(patient).anchorRecord(patient.address, digest("a"), CATEGORY.Note, 0, 0);
      await expect(medVault.connect(otherPatient).markErased(1))
        .to.be.revertedWithCustomError(medVault, "RecordNotFound")
        .withArgs(otherPatient.address, 1);
      await expect(medVault.connect(patient).markErased(0))
        .to.be.revertedWithCustomError(medVault, "RecordNotFound")
        .withArgs(patient.address, 0);
      expect((await medVault.getRecord(patient.address, 1))[2]).to.equal(0n);
    });
  });
});
