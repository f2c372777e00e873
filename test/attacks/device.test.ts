import { expect } from "chai";
import { CATEGORY, castFixture, digest, networkHelpers } from "./contract.ts";

describe("device against the contract", function () {
  it("(#11) a device cannot supersede the patient's profile or diagnosis with a reading", async function () {
    const { medVault, patient, device } = await networkHelpers.loadFixture(castFixture);
    // Record 1 is the profile, 2 a diagnosis.
    for (const victim of [1, 2]) {
      await expect(
        medVault.connect(device).anchorRecord(patient.address, digest(`fake ${victim}`), CATEGORY.Device, 0, victim),
      )
        .to.be.revertedWithCustomError(medVault, "SupersedesOtherCategory")
        .withArgs(patient.address, victim, victim === 1 ? CATEGORY.Profile : CATEGORY.Diagnosis, CATEGORY.Device);
    }
  });

  it("(#11) a device cannot supersede an erased reading", async function () {
    const { medVault, patient, device } = await networkHelpers.loadFixture(castFixture);
    await medVault.connect(patient).markErased(4);
    await expect(medVault.connect(device).anchorRecord(patient.address, digest("over erased"), CATEGORY.Device, 0, 4))
      .to.be.revertedWithCustomError(medVault, "RecordIsErased")
      .withArgs(patient.address, 4);
  });
});
