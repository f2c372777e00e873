import { expect } from "chai";
import { network } from "hardhat";
import { buildMedVaultModule, DEFAULT_ADMIN_DELAY_SECONDS } from "../../ignition/modules/MedVault.ts";
import { MedVault__factory } from "../../types/ethers-contracts/index.ts";
import { DEVICE_TYPES, deployMedVault, registerDevice, signDevice, STATUS } from "./fixture.ts";

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
      expect(await vault.hasRole(await vault.DEFAULT_ADMIN_ROLE(), (await ethers.getSigners())[0]!.address)).to.equal(
        false,
      );
    });

    it("the Ignition module refuses a registrar that is not an address", function () {
      expect(() => buildMedVaultModule(["0x1234"])).to.throw(/registrar "0x1234" is not an address/);
      expect(() => buildMedVaultModule(["0x70997970C51812dc3A010C7d01b50e0aa3c0A6Dc"])).to.throw(/checksum/);
    });

    it("rejects a zero admin", async function () {
      const { medVault } = await networkHelpers.loadFixture(rolesFixture);
      const factory = await ethers.getContractFactory("MedVault");
      await expect(factory.deploy(ethers.ZeroAddress, DEFAULT_ADMIN_DELAY_SECONDS))
        .to.be.revertedWithCustomError(medVault, "AccessControlInvalidDefaultAdmin")
        .withArgs(ethers.ZeroAddress);
    });

    it("the Ignition module's adminDelay defaults to two days and can be set", async function () {
      const { medVault } = await networkHelpers.loadFixture(rolesFixture);
      expect(await medVault.defaultAdminDelay()).to.equal(BigInt(DEFAULT_ADMIN_DELAY_SECONDS));
      expect(DEFAULT_ADMIN_DELAY_SECONDS).to.equal(2 * 24 * 60 * 60);
      const { medVault: quick } = await conn.ignition.deploy(buildMedVaultModule(), {
        parameters: { MedVaultModule: { adminDelay: 60 } },
        deploymentId: "admin-delay-parameter",
        displayUi: false,
      });
      expect(await MedVault__factory.connect(await quick.getAddress(), ethers.provider).defaultAdminDelay()).to.equal(
        60n,
      );
    });

    it("hands the admin role over only in two steps, after the delay (#14)", async function () {
      const { medVault, admin, stranger } = await networkHelpers.loadFixture(rolesFixture);
      const ADMIN = await medVault.DEFAULT_ADMIN_ROLE();
      await expect(medVault.connect(admin).grantRole(ADMIN, stranger.address)).to.be.revertedWithCustomError(
        medVault,
        "AccessControlEnforcedDefaultAdminRules",
      );
      await expect(medVault.connect(stranger).beginDefaultAdminTransfer(stranger.address))
        .to.be.revertedWithCustomError(medVault, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, ADMIN);
      await medVault.connect(admin).beginDefaultAdminTransfer(stranger.address);
      const [pending, schedule] = await medVault.pendingDefaultAdmin();
      expect(pending).to.equal(stranger.address);
      await expect(medVault.connect(stranger).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(medVault, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(schedule);
      await networkHelpers.time.increaseTo(schedule + 1n);
      await expect(medVault.connect(admin).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(medVault, "AccessControlInvalidDefaultAdmin")
        .withArgs(admin.address);
      await medVault.connect(stranger).acceptDefaultAdminTransfer();
      expect(await medVault.defaultAdmin()).to.equal(stranger.address);
      expect(await medVault.hasRole(ADMIN, admin.address)).to.equal(false);
    });

    it("refuses a renounce of the admin role without the two-step schedule (#14)", async function () {
      const { medVault, admin } = await networkHelpers.loadFixture(rolesFixture);
      const ADMIN = await medVault.DEFAULT_ADMIN_ROLE();
      await expect(medVault.connect(admin).renounceRole(ADMIN, admin.address))
        .to.be.revertedWithCustomError(medVault, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(0);
      // Renouncing on purpose: schedule a transfer to nobody, wait, then renounce.
      await medVault.connect(admin).beginDefaultAdminTransfer(ethers.ZeroAddress);
      const [, schedule] = await medVault.pendingDefaultAdmin();
      await networkHelpers.time.increaseTo(schedule + 1n);
      await medVault.connect(admin).renounceRole(ADMIN, admin.address);
      expect(await medVault.defaultAdmin()).to.equal(ethers.ZeroAddress);
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

    it("refuses to verify the registrar itself, an admin or a registrar (#10)", async function () {
      const { medVault, admin, registrar, stranger } = await networkHelpers.loadFixture(rolesFixture);
      const r = medVault.connect(registrar);
      await expect(r.verifyClinician(registrar.address, LICENCE, ethers.id(NAME), NAME))
        .to.be.revertedWithCustomError(medVault, "CannotVerifySelf")
        .withArgs(registrar.address);
      await expect(r.verifyClinician(admin.address, LICENCE, ethers.id(NAME), NAME))
        .to.be.revertedWithCustomError(medVault, "CannotVerifyAdmin")
        .withArgs(admin.address);
      await medVault.connect(admin).grantRole(await medVault.REGISTRAR_ROLE(), stranger.address);
      await expect(r.verifyClinician(stranger.address, LICENCE, ethers.id(NAME), NAME))
        .to.be.revertedWithCustomError(medVault, "CannotVerifyRegistrar")
        .withArgs(stranger.address);
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
    it("a registered patient registers (with the device's signature) and revokes a device", async function () {
      const { medVault, patient, device } = await networkHelpers.loadFixture(rolesFixture);
      await medVault.connect(patient).registerPatient(KEY);
      expect(await medVault.DEVICE_TYPEHASH()).to.equal(
        ethers.id(ethers.TypedDataEncoder.from(DEVICE_TYPES).encodeType("RegisterDevice")),
      );
      await expect(registerDevice(medVault, patient, device, "glucose meter"))
        .to.emit(medVault, "DeviceRegistered")
        .withArgs(patient.address, device.address, "glucose meter");
      expect(await medVault.deviceOwner(device.address)).to.equal(patient.address);
      expect(await medVault.deviceNonce(device.address)).to.equal(1n);
      await expect(medVault.connect(patient).revokeDevice(device.address))
        .to.emit(medVault, "DeviceRevoked")
        .withArgs(patient.address, device.address);
      expect(await medVault.deviceOwner(device.address)).to.equal(ethers.ZeroAddress);
      // A fresh signature (next nonce) registers it again.
      await registerDevice(medVault, patient, device, "glucose meter");
      expect(await medVault.deviceNonce(device.address)).to.equal(2n);
    });

    it("refuses unregistered patients, bad devices, late or wrong signatures, taken devices and foreign revocations", async function () {
      const { medVault, patient, otherPatient, device } = await networkHelpers.loadFixture(rolesFixture);
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const sig = await signDevice(medVault, device, patient.address, deadline);
      await expect(medVault.connect(patient).registerDevice(device.address, "meter", deadline, sig))
        .to.be.revertedWithCustomError(medVault, "PatientNotRegistered")
        .withArgs(patient.address);
      await medVault.connect(patient).registerPatient(KEY);
      await medVault.connect(otherPatient).registerPatient(KEY);
      await expect(
        medVault.connect(patient).registerDevice(ethers.ZeroAddress, "meter", deadline, sig),
      ).to.be.revertedWithCustomError(medVault, "ZeroAddress");
      await expect(medVault.connect(patient).registerDevice(patient.address, "meter", deadline, sig))
        .to.be.revertedWithCustomError(medVault, "InvalidDevice")
        .withArgs(patient.address);
      await expect(medVault.connect(patient).registerDevice(device.address, "", deadline, sig))
        .to.be.revertedWithCustomError(medVault, "InvalidTextLength")
        .withArgs(0, 256);
      await expect(medVault.connect(otherPatient).registerDevice(device.address, "meter", deadline, sig))
        .to.be.revertedWithCustomError(medVault, "InvalidDeviceSignature")
        .withArgs(device.address);
      await networkHelpers.time.setNextBlockTimestamp(deadline + 1n);
      await expect(medVault.connect(patient).registerDevice(device.address, "meter", deadline, sig))
        .to.be.revertedWithCustomError(medVault, "SignatureExpired")
        .withArgs(deadline, deadline + 1n);
      await registerDevice(medVault, patient, device, "meter");
      const again = await signDevice(medVault, device, otherPatient.address, deadline + 7200n);
      await expect(medVault.connect(otherPatient).registerDevice(device.address, "meter", deadline + 7200n, again))
        .to.be.revertedWithCustomError(medVault, "DeviceAlreadyRegistered")
        .withArgs(device.address, patient.address);
      await expect(medVault.connect(otherPatient).revokeDevice(device.address))
        .to.be.revertedWithCustomError(medVault, "NotDeviceOwner")
        .withArgs(device.address, otherPatient.address);
    });
  });
});
