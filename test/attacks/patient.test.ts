import { expect } from "chai";
import { signDevice } from "../contracts/fixture.ts";
import { CATEGORY, castFixture, inDays, mask, networkHelpers, PERMISSION, SCOPE, terms } from "./contract.ts";

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
