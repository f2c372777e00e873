import { expect } from "chai";
import { id } from "ethers";
import { REGISTRAR_ROLE } from "../../lib/chain/vocabulary.ts";
import {
  CATEGORY,
  DAY,
  castFixture,
  inDays,
  LICENCE,
  mask,
  networkHelpers,
  PERMISSION,
  SCOPE,
  terms,
} from "./contract.ts";

// The emergency kit as the app sets it up: an escrow grant to a registrar over the emergency categories.
const KIT_PERMISSION = PERMISSION.Escrow;
const kitTerms = async (registrar: string) =>
  terms(registrar, await inDays(3650), {
    scope: SCOPE.Categories,
    categoryMask: mask(CATEGORY.Profile, CATEGORY.Diagnosis, CATEGORY.Lab),
    permission: KIT_PERMISSION,
    purpose: 5,
  });

describe("registrar against the contract", function () {
  it("(#10) a registrar cannot verify itself as a clinician", async function () {
    const { medVault, registrar } = await networkHelpers.loadFixture(castFixture);
    await expect(medVault.connect(registrar).verifyClinician(registrar.address, LICENCE, id("Me"), "Me"))
      .to.be.revertedWithCustomError(medVault, "CannotVerifySelf")
      .withArgs(registrar.address);
  });

  it("(#10) a registrar cannot verify the admin or another registrar as a clinician", async function () {
    const { medVault, admin, registrar, stranger } = await networkHelpers.loadFixture(castFixture);
    await medVault.connect(admin).grantRole(REGISTRAR_ROLE, stranger.address);
    await expect(medVault.connect(registrar).verifyClinician(stranger.address, LICENCE, id("Puppet"), "Puppet"))
      .to.be.revertedWithCustomError(medVault, "CannotVerifyRegistrar")
      .withArgs(stranger.address);
    await expect(medVault.connect(registrar).verifyClinician(admin.address, LICENCE, id("Admin"), "Admin"))
      .to.be.revertedWithCustomError(medVault, "CannotVerifyAdmin")
      .withArgs(admin.address);
  });

  it("(#10) a registrar holding an emergency-kit escrow cannot read by becoming a clinician", async function () {
    const { medVault, admin, registrar, patient, stranger } = await networkHelpers.loadFixture(castFixture);
    await medVault.connect(patient).grantConsent(await kitTerms(registrar.address));
    // The escrow holder loses the role, and a colleague verifies it as a clinician.
    await medVault.connect(admin).grantRole(REGISTRAR_ROLE, stranger.address);
    await medVault.connect(admin).revokeRole(REGISTRAR_ROLE, registrar.address);
    await medVault.connect(stranger).verifyClinician(registrar.address, LICENCE, id("Dr. Escrow"), "Dr. Escrow");
    expect(await medVault.canRead(registrar.address, patient.address, 1)).to.equal(false);
    await expect(medVault.connect(registrar).openAccessSession(patient.address, [1], 0))
      .to.be.revertedWithCustomError(medVault, "EscrowNeverAuthorises")
      .withArgs(patient.address, registrar.address);
  });

  it("(#10) a verified clinician made registrar cannot read through the escrow it then receives", async function () {
    const { medVault, admin, patient, clinician } = await networkHelpers.loadFixture(castFixture);
    await medVault.connect(admin).grantRole(REGISTRAR_ROLE, clinician.address);
    await medVault.connect(patient).grantConsent(await kitTerms(clinician.address));
    expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(false);
  });

  it("(#10) a registrar without the patient's escrow cannot release emergency keys", async function () {
    const { medVault, registrar, patient, clinician } = await networkHelpers.loadFixture(castFixture);
    await medVault.connect(clinician).openEmergencyAccess(patient.address, "unconscious in A&E", 3600);
    await expect(medVault.connect(registrar).releaseEmergencyKeys(patient.address, clinician.address, id("share")))
      .to.be.revertedWithCustomError(medVault, "NoEscrow")
      .withArgs(patient.address, registrar.address);
  });

  it("(#14) the admin cannot hand its role over in one step, nor renounce it by accident", async function () {
    const { medVault, admin, stranger } = await networkHelpers.loadFixture(castFixture);
    const ADMIN = await medVault.DEFAULT_ADMIN_ROLE();
    await expect(medVault.connect(admin).grantRole(ADMIN, stranger.address)).to.be.revertedWithCustomError(
      medVault,
      "AccessControlEnforcedDefaultAdminRules",
    );
    await expect(medVault.connect(admin).renounceRole(ADMIN, admin.address))
      .to.be.revertedWithCustomError(medVault, "AccessControlEnforcedDefaultAdminDelay")
      .withArgs(0);
    expect(await medVault.hasRole(ADMIN, admin.address)).to.equal(true);
    // The two-step way works: begin, wait out the delay, accept.
    await medVault.connect(admin).beginDefaultAdminTransfer(stranger.address);
    await expect(medVault.connect(stranger).acceptDefaultAdminTransfer()).to.be.revertedWithCustomError(
      medVault,
      "AccessControlEnforcedDefaultAdminDelay",
    );
    await networkHelpers.time.increase(2 * DAY);
    await medVault.connect(stranger).acceptDefaultAdminTransfer();
    expect(await medVault.defaultAdmin()).to.equal(stranger.address);
  });
});
