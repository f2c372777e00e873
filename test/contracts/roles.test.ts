import { expect } from "chai";
import { network } from "hardhat";
import { buildMedVaultModule } from "../../ignition/modules/MedVault.ts";
import { MedVault__factory } from "../../types/ethers-contracts/index.ts";
import { deployMedVault, STATUS } from "./fixture.ts";

const conn = await network.create();
const { ethers, networkHelpers } = conn;

const KEY = ethers.id("patient x25519 key");
const LICENCE = ethers.encodeBytes32String("GMC-7654321");
const NAME = "Dr. Ada Lovelace";

async function rolesFixture() {
  return deployMedVault(conn);
}

describe("MedVault roles", function () {
  describe("deployment", function () {
    it("makes the module's admin DEFAULT_ADMIN_ROLE and its registrars REGISTRAR_ROLE", async function () {
      const { medVault, admin, registrar, stranger } = await networkHelpers.loadFixture(rolesFixture);
      const REGISTRAR_ROLE = await medVault.REGISTRAR_ROLE();
      expect(REGISTRAR_ROLE).to.equal(ethers.id("REGISTRAR_ROLE"));
      expect(await medVault.hasRole(await medVault.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      expect(await medVault.hasRole(REGISTRAR_ROLE, registrar.address)).to.equal(true);
      expect(await medVault.hasRole(REGISTRAR_ROLE, stranger.address)).to.equal(false);
    });

    it("the Ignition module takes the admin as a parameter", async function () {
      await networkHelpers.loadFixture(rolesFixture);
      const [, , , , , , , other] = await ethers.getSigners();
      const { medVault } = await conn.ignition.deploy(buildMedVaultModule(), {
        parameters: { MedVaultModule: { admin: other!.address } },
        deploymentId: "admin-parameter",
        displayUi: false,
      });
      const vault = MedVault__factory.connect(await medVault.getAddress(), other!);
      expect(await vault.hasRole(await vault.DEFAULT_ADMIN_ROLE(), other!.address)).to.equal(true);
      expect(await vault.hasRole(await vault.DEFAULT_ADMIN_ROLE(), (await ethers.getSigners())[0]!.address)).to.equal(false);
    });

    it("the Ignition module refuses a registrar that is not an address", function () {
      expect(() => buildMedVaultModule(["0x1234"])).to.throw(/registrar "0x1234" is not an address/);
      expect(() => buildMedVaultModule(["0x70997970C51812dc3A010C7d01b50e0aa3c0A6Dc"])).to.throw(/checksum/);
    });

    it("rejects a zero admin", async function () {
      const { medVault } = await networkHelpers.loadFixture(rolesFixture);
      const factory = await ethers.getContractFactory("MedVault");
      await expect(factory.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(medVault, "ZeroAddress");
    });

    it("lets only the admin appoint registrars", async function () {
      const { medVault, admin, stranger } = await networkHelpers.loadFixture(rolesFixture);
      const role = await medVault.REGISTRAR_ROLE();
      await expect(medVault.connect(stranger).grantRole(role, stranger.address))
        .to.be.revertedWithCustomError(medVault, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, await medVault.DEFAULT_ADMIN_ROLE());
      await expect(medVault.connect(admin).grantRole(role, stranger.address))
        .to.emit(medVault, "RoleGranted")
        .withArgs(role, stranger.address, admin.address);
    });
  });

  describe("patients", function () {
    it("registers a patient with its encryption key", async function () {
      const { medVault, patient } = await networkHelpers.loadFixture(rolesFixture);
      expect(await medVault.isPatient(patient.address)).to.equal(false);
      await expect(medVault.connect(patient).registerPatient(KEY))
        .to.emit(medVault, "PatientRegistered")
        .withArgs(patient.address, KEY);
      expect(await medVault.isPatient(patient.address)).to.equal(true);
      expect(await medVault.encryptionKeyOf(patient.address)).to.equal(KEY);
    });

    it("refuses a zero key and a second registration", async function () {
      const { medVault, patient } = await networkHelpers.loadFixture(rolesFixture);
      await expect(medVault.connect(patient).registerPatient(ethers.ZeroHash)).to.be.revertedWithCustomError(
        medVault,
        "EmptyEncryptionKey",
      );
      await medVault.connect(patient).registerPatient(KEY);
      await expect(medVault.connect(patient).registerPatient(KEY))
        .to.be.revertedWithCustomError(medVault, "PatientAlreadyRegistered")
        .withArgs(patient.address);
    });

    it("lets any account rotate its encryption key", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(rolesFixture);
      await medVault.connect(patient).registerPatient(KEY);
      const next = ethers.id("rotated");
      await expect(medVault.connect(patient).setEncryptionKey(next))
        .to.emit(medVault, "EncryptionKeyChanged")
        .withArgs(patient.address, next);
      expect(await medVault.encryptionKeyOf(patient.address)).to.equal(next);
      await expect(medVault.connect(clinician).setEncryptionKey(next))
        .to.emit(medVault, "EncryptionKeyChanged")
        .withArgs(clinician.address, next);
      await expect(medVault.connect(clinician).setEncryptionKey(ethers.ZeroHash)).to.be.revertedWithCustomError(
        medVault,
        "EmptyEncryptionKey",
      );
    });
  });

  describe("clinicians", function () {
    it("a registrar verifies a clinician with licence and name", async function () {
      const { medVault, registrar, clinician } = await networkHelpers.loadFixture(rolesFixture);
      await expect(medVault.connect(registrar).verifyClinician(clinician.address, LICENCE, ethers.id(NAME), NAME))
        .to.emit(medVault, "ClinicianVerified")
        .withArgs(clinician.address, registrar.address, LICENCE, ethers.id(NAME), NAME);
      expect(await medVault.clinicianStatus(clinician.address)).to.equal(STATUS.Verified);
      expect(await medVault.getClinician(clinician.address)).to.deep.equal([STATUS.Verified, LICENCE, ethers.id(NAME)]);
    });

    it("only registrars verify, suspend and reinstate", async function () {
      const { medVault, clinician, stranger } = await networkHelpers.loadFixture(rolesFixture);
      const role = await medVault.REGISTRAR_ROLE();
      for (const call of [
        medVault.connect(stranger).verifyClinician(clinician.address, LICENCE, ethers.id(NAME), NAME),
        medVault.connect(stranger).suspendClinician(clinician.address),
        medVault.connect(stranger).reinstateClinician(clinician.address),
      ]) {
        await expect(call)
          .to.be.revertedWithCustomError(medVault, "AccessControlUnauthorizedAccount")
          .withArgs(stranger.address, role);
      }
    });

    it("validates the verification's arguments", async function () {
      const { medVault, registrar, clinician } = await networkHelpers.loadFixture(rolesFixture);
      const r = medVault.connect(registrar);
      await expect(r.verifyClinician(ethers.ZeroAddress, LICENCE, ethers.id(NAME), NAME)).to.be.revertedWithCustomError(
        medVault,
        "ZeroAddress",
      );
      await expect(r.verifyClinician(clinician.address, ethers.ZeroHash, ethers.id(NAME), NAME))
        .to.be.revertedWithCustomError(medVault, "EmptyLicenceId")
        .withArgs(clinician.address);
      await expect(r.verifyClinician(clinician.address, LICENCE, ethers.id("someone else"), NAME))
        .to.be.revertedWithCustomError(medVault, "NameHashMismatch")
        .withArgs(ethers.id("someone else"), ethers.id(NAME));
      await expect(r.verifyClinician(clinician.address, LICENCE, ethers.id(""), ""))
        .to.be.revertedWithCustomError(medVault, "InvalidTextLength")
        .withArgs(0, 256);
      const long = "x".repeat(257);
      await expect(r.verifyClinician(clinician.address, LICENCE, ethers.id(long), long))
        .to.be.revertedWithCustomError(medVault, "InvalidTextLength")
        .withArgs(257, 256);
      await r.verifyClinician(clinician.address, LICENCE, ethers.id(NAME), NAME);
      await expect(r.verifyClinician(clinician.address, LICENCE, ethers.id(NAME), NAME))
        .to.be.revertedWithCustomError(medVault, "ClinicianAlreadyVerified")
        .withArgs(clinician.address);
    });

    it("suspends and reinstates, each once", async function () {
      const { medVault, registrar, clinician, stranger } = await networkHelpers.loadFixture(rolesFixture);
      const r = medVault.connect(registrar);
      await expect(r.suspendClinician(stranger.address))
        .to.be.revertedWithCustomError(medVault, "ClinicianNotVerified")
        .withArgs(stranger.address);
      await r.verifyClinician(clinician.address, LICENCE, ethers.id(NAME), NAME);
      await expect(r.reinstateClinician(clinician.address))
        .to.be.revertedWithCustomError(medVault, "ClinicianNotSuspended")
        .withArgs(clinician.address);
      await expect(r.suspendClinician(clinician.address))
        .to.emit(medVault, "ClinicianStatusChanged")
        .withArgs(clinician.address, registrar.address, STATUS.Suspended);
      expect(await medVault.clinicianStatus(clinician.address)).to.equal(STATUS.Suspended);
      await expect(r.suspendClinician(clinician.address))
        .to.be.revertedWithCustomError(medVault, "ClinicianSuspended")
        .withArgs(clinician.address);
      await expect(r.verifyClinician(clinician.address, LICENCE, ethers.id(NAME), NAME))
        .to.be.revertedWithCustomError(medVault, "ClinicianAlreadyVerified")
        .withArgs(clinician.address);
      await expect(r.reinstateClinician(clinician.address))
        .to.emit(medVault, "ClinicianStatusChanged")
        .withArgs(clinician.address, registrar.address, STATUS.Verified);
      expect(await medVault.clinicianStatus(clinician.address)).to.equal(STATUS.Verified);
    });
  });

  describe("devices", function () {
    it("a registered patient registers and revokes a device", async function () {
      const { medVault, patient, device } = await networkHelpers.loadFixture(rolesFixture);
      await medVault.connect(patient).registerPatient(KEY);
      await expect(medVault.connect(patient).registerDevice(device.address, "glucose meter"))
        .to.emit(medVault, "DeviceRegistered")
        .withArgs(patient.address, device.address, "glucose meter");
      expect(await medVault.deviceOwner(device.address)).to.equal(patient.address);
      await expect(medVault.connect(patient).revokeDevice(device.address))
        .to.emit(medVault, "DeviceRevoked")
        .withArgs(patient.address, device.address);
      expect(await medVault.deviceOwner(device.address)).to.equal(ethers.ZeroAddress);
    });

    it("refuses unregistered patients, bad devices, taken devices and foreign revocations", async function () {
      const { medVault, patient, otherPatient, device } = await networkHelpers.loadFixture(rolesFixture);
      await expect(medVault.connect(patient).registerDevice(device.address, "meter"))
        .to.be.revertedWithCustomError(medVault, "PatientNotRegistered")
        .withArgs(patient.address);
      await medVault.connect(patient).registerPatient(KEY);
      await medVault.connect(otherPatient).registerPatient(KEY);
      await expect(medVault.connect(patient).registerDevice(ethers.ZeroAddress, "meter")).to.be.revertedWithCustomError(
        medVault,
        "ZeroAddress",
      );
      await expect(medVault.connect(patient).registerDevice(patient.address, "meter"))
        .to.be.revertedWithCustomError(medVault, "InvalidDevice")
        .withArgs(patient.address);
      await expect(medVault.connect(patient).registerDevice(device.address, ""))
        .to.be.revertedWithCustomError(medVault, "InvalidTextLength")
        .withArgs(0, 256);
      await medVault.connect(patient).registerDevice(device.address, "meter");
      await expect(medVault.connect(otherPatient).registerDevice(device.address, "meter"))
        .to.be.revertedWithCustomError(medVault, "DeviceAlreadyRegistered")
        .withArgs(device.address, patient.address);
      await expect(medVault.connect(otherPatient).revokeDevice(device.address))
        .to.be.revertedWithCustomError(medVault, "NotDeviceOwner")
        .withArgs(device.address, otherPatient.address);
    });
  });
});
