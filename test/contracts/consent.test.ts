import { expect } from "chai";
import { network } from "hardhat";
import { CATEGORY, DAY, KEY_SHARE, PERMISSION, SCOPE, deployMedVault, mask, terms, withCast } from "./fixture.ts";

const conn = await network.create();
const { ethers, networkHelpers } = conn;

// Records 1..4: Note, Lab, Lab, Imaging.
async function consentFixture() {
  return withCast(await deployMedVault(conn), [CATEGORY.Note, CATEGORY.Lab, CATEGORY.Lab, CATEGORY.Imaging]);
}

const now = async () => BigInt(await networkHelpers.time.latest());

describe("MedVault consent", function () {
  describe("grantConsent", function () {
    it("stores the grant and emits every term", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(consentFixture);
      const expiry = (await now()) + BigInt(7 * DAY);
      const g = terms(clinician.address, expiry, {
        scope: SCOPE.Categories,
        categoryMask: mask(CATEGORY.Lab),
        permission: PERMISSION.ReadWrite,
        purpose: 2,
      });
      await expect(medVault.connect(patient).grantConsent(g))
        .to.emit(medVault, "ConsentGranted")
        .withArgs(
          patient.address,
          clinician.address,
          SCOPE.Categories,
          mask(CATEGORY.Lab),
          [],
          2,
          expiry,
          2,
          KEY_SHARE,
        );
      expect(await medVault.getGrant(patient.address, clinician.address)).to.deep.equal([
        1n,
        BigInt(mask(CATEGORY.Lab)),
        2n,
        expiry,
        2n,
      ]);
      expect(await medVault.canRead(clinician.address, patient.address, 2)).to.equal(true);
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(false);
      await expect(medVault.checkRead(clinician.address, patient.address, 1))
        .to.be.revertedWithCustomError(medVault, "OutOfScope")
        .withArgs(patient.address, clinician.address, 1);
    });

    it("rejects bad terms with the offending values", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(consentFixture);
      const p = medVault.connect(patient);
      const expiry = (await now()) + BigInt(DAY);
      const bad = async (over: Parameters<typeof terms>[2], error: string, args: unknown[]) =>
        expect(p.grantConsent(terms(clinician.address, expiry, over)))
          .to.be.revertedWithCustomError(medVault, error)
          .withArgs(...args);
      await bad({ grantee: ethers.ZeroAddress }, "InvalidGrantee", [ethers.ZeroAddress]);
      await bad({ grantee: patient.address }, "InvalidGrantee", [patient.address]);
      await bad({ permission: 0 }, "InvalidPermission", [0]);
      await bad({ permission: 4 }, "InvalidPermission", [4]);
      await bad({ permission: PERMISSION.Escrow }, "EscrowNeedsRegistrar", [clinician.address]);
      await bad({ scope: SCOPE.Records, recordIds: [1], permission: PERMISSION.ReadWrite }, "RecordsScopeCannotWrite", [
        SCOPE.Records,
        PERMISSION.ReadWrite,
      ]);
      await bad({ purpose: 6 }, "InvalidPurpose", [6]);
      await bad({ scope: 3 }, "InvalidScope", [3]);
      await bad({ scope: SCOPE.All, recordIds: [1] }, "ScopeMismatch", [SCOPE.All, 1]);
      await bad({ scope: SCOPE.Categories, categoryMask: 4, recordIds: [1, 2] }, "ScopeMismatch", [
        SCOPE.Categories,
        2,
      ]);
      await bad({ scope: SCOPE.Records }, "ScopeMismatch", [SCOPE.Records, 0]);
      await bad({ scope: SCOPE.Categories, categoryMask: 0 }, "InvalidCategoryMask", [SCOPE.Categories, 0]);
      await bad({ scope: SCOPE.All, categoryMask: 4 }, "InvalidCategoryMask", [SCOPE.All, 4]);
      await bad({ scope: SCOPE.Records, categoryMask: 4, recordIds: [1] }, "InvalidCategoryMask", [SCOPE.Records, 4]);
      await bad({ scope: SCOPE.Records, recordIds: [0] }, "RecordNotFound", [patient.address, 0]);
      await bad({ scope: SCOPE.Records, recordIds: [1, 5] }, "RecordNotFound", [patient.address, 5]);
      const latest = await now();
      await networkHelpers.time.setNextBlockTimestamp(latest + 10n);
      await expect(p.grantConsent(terms(clinician.address, latest + 10n)))
        .to.be.revertedWithCustomError(medVault, "ExpiryNotInFuture")
        .withArgs(latest + 10n, latest + 10n);
    });

    it("bounds a records scope at MAX_GRANT_RECORDS", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(consentFixture);
      const p = medVault.connect(patient);
      const max = Number(await medVault.MAX_GRANT_RECORDS());
      expect(max).to.equal(32);
      for (let i = 5; i <= max + 1; i++) await p.anchorRecord(patient.address, ethers.id(`r${i}`), CATEGORY.Note, 0, 0);
      const expiry = (await now()) + BigInt(DAY);
      const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
      await expect(p.grantConsent(terms(clinician.address, expiry, { scope: SCOPE.Records, recordIds: ids(max + 1) })))
        .to.be.revertedWithCustomError(medVault, "TooManyRecords")
        .withArgs(max + 1, max);
      await expect(p.grantConsent(terms(clinician.address, expiry, { scope: SCOPE.Records, recordIds: ids(max) })))
        .to.emit(medVault, "ConsentGranted")
        .withArgs(patient.address, clinician.address, SCOPE.Records, 0, ids(max), 1, expiry, 0, KEY_SHARE);
      expect(await medVault.canRead(clinician.address, patient.address, max)).to.equal(true);
      expect(await medVault.canRead(clinician.address, patient.address, max + 1)).to.equal(false);
    });

    it("replacing a records scope forgets the old record ids", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(consentFixture);
      const p = medVault.connect(patient);
      const expiry = (await now()) + BigInt(DAY);
      await p.grantConsent(terms(clinician.address, expiry, { scope: SCOPE.Records, recordIds: [1, 3] }));
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(true);
      expect(await medVault.canRead(clinician.address, patient.address, 2)).to.equal(false);
      await p.grantConsent(terms(clinician.address, expiry, { scope: SCOPE.Records, recordIds: [2] }));
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(false);
      expect(await medVault.canRead(clinician.address, patient.address, 2)).to.equal(true);
      expect(await medVault.canRead(clinician.address, patient.address, 3)).to.equal(false);
      // Revoke then re-grant in the same scope kind: the revoked ids stay forgotten too.
      await p.revokeConsent(clinician.address);
      await p.grantConsent(terms(clinician.address, expiry, { scope: SCOPE.Records, recordIds: [4] }));
      expect(await medVault.canRead(clinician.address, patient.address, 2)).to.equal(false);
      expect(await medVault.canRead(clinician.address, patient.address, 4)).to.equal(true);
    });

    it("records ids far apart land in separate bitmap words", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(consentFixture);
      const p = medVault.connect(patient);
      for (let i = 5; i <= 300; i++) await p.anchorRecord(patient.address, ethers.id(`r${i}`), CATEGORY.Note, 0, 0);
      const expiry = (await now()) + BigInt(DAY);
      await p.grantConsent(terms(clinician.address, expiry, { scope: SCOPE.Records, recordIds: [255, 256, 300] }));
      for (const [id, ok] of [
        [254, false],
        [255, true],
        [256, true],
        [257, false],
        [300, true],
        [44, false],
      ] as const) {
        expect(await medVault.canRead(clinician.address, patient.address, id)).to.equal(ok, `record ${id}`);
      }
    });
  });

  describe("expiry edges: a grant authorises while block.timestamp < expiry", function () {
    for (const [offset, allowed] of [
      [-1, true],
      [0, false],
      [1, false],
    ] as const) {
      it(`${offset < 0 ? "one second before" : offset === 0 ? "at" : "one second after"} expiry: ${allowed ? "allowed" : "ConsentExpired"}`, async function () {
        const { medVault, patient, clinician } = await networkHelpers.loadFixture(consentFixture);
        const expiry = (await now()) + 1000n;
        await medVault.connect(patient).grantConsent(terms(clinician.address, expiry));
        const at = expiry + BigInt(offset);
        await networkHelpers.time.setNextBlockTimestamp(at);
        const session = medVault.connect(clinician).openAccessSession(patient.address, [1], 0);
        if (allowed) {
          await expect(session)
            .to.emit(medVault, "AccessSessionOpened")
            .withArgs(patient.address, clinician.address, [1], 0, false);
        } else {
          await expect(session)
            .to.be.revertedWithCustomError(medVault, "ConsentExpired")
            .withArgs(patient.address, clinician.address, expiry);
        }
        // The view agrees, evaluated on a block at the same time (a refused session mined none).
        if (!allowed) await networkHelpers.time.increaseTo(at);
        expect(await now()).to.equal(at);
        expect(await medVault.canRead(clinician.address, patient.address, 1, { blockTag: "latest" })).to.equal(allowed);
      });
    }
  });

  describe("revokeConsent", function () {
    it("revokes at once, with an event, and only an existing grant", async function () {
      const { medVault, patient, clinician, otherClinician } = await networkHelpers.loadFixture(consentFixture);
      const p = medVault.connect(patient);
      await p.grantConsent(terms(clinician.address, (await now()) + BigInt(DAY)));
      await expect(p.revokeConsent(clinician.address))
        .to.emit(medVault, "ConsentRevoked")
        .withArgs(patient.address, clinician.address);
      expect(await medVault.getGrant(patient.address, clinician.address)).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(false);
      await expect(medVault.checkRead(clinician.address, patient.address, 1))
        .to.be.revertedWithCustomError(medVault, "NoGrant")
        .withArgs(patient.address, clinician.address);
      await expect(p.revokeConsent(clinician.address))
        .to.be.revertedWithCustomError(medVault, "NoGrant")
        .withArgs(patient.address, clinician.address);
      await expect(p.revokeConsent(otherClinician.address))
        .to.be.revertedWithCustomError(medVault, "NoGrant")
        .withArgs(patient.address, otherClinician.address);
    });

    it("an expired grant can still be revoked", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(consentFixture);
      const expiry = (await now()) + 10n;
      await medVault.connect(patient).grantConsent(terms(clinician.address, expiry));
      await networkHelpers.time.increaseTo(expiry + 5n);
      await expect(medVault.connect(patient).revokeConsent(clinician.address)).to.emit(medVault, "ConsentRevoked");
    });

    it("nobody but the patient changes the patient's consent", async function () {
      const { medVault, patient, clinician, registrar, admin } = await networkHelpers.loadFixture(consentFixture);
      await medVault.connect(patient).grantConsent(terms(clinician.address, (await now()) + BigInt(DAY)));
      // Every other caller's revokeConsent/grantConsent addresses its own consent, never the patient's.
      for (const who of [clinician, registrar, admin]) {
        await expect(medVault.connect(who).revokeConsent(clinician.address))
          .to.be.revertedWithCustomError(medVault, "NoGrant")
          .withArgs(who.address, clinician.address);
      }
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(true);
    });
  });

  describe("clinician status", function () {
    it("a grant to an unverified grantee is stored but idle until verification", async function () {
      const { medVault, registrar, patient, stranger } = await networkHelpers.loadFixture(consentFixture);
      await medVault.connect(patient).grantConsent(terms(stranger.address, (await now()) + BigInt(DAY)));
      expect((await medVault.getGrant(patient.address, stranger.address))[2]).to.equal(1n);
      expect(await medVault.canRead(stranger.address, patient.address, 1)).to.equal(false);
      await expect(medVault.checkRead(stranger.address, patient.address, 1))
        .to.be.revertedWithCustomError(medVault, "ClinicianNotVerified")
        .withArgs(stranger.address);
      await medVault.connect(registrar).verifyClinician(stranger.address, ethers.id("L"), ethers.id("Dr. S"), "Dr. S");
      expect(await medVault.canRead(stranger.address, patient.address, 1)).to.equal(true);
    });

    it("suspension blocks at once; reinstatement restores live grants", async function () {
      const { medVault, registrar, patient, clinician } = await networkHelpers.loadFixture(consentFixture);
      await medVault.connect(patient).grantConsent(terms(clinician.address, (await now()) + BigInt(DAY)));
      await medVault.connect(registrar).suspendClinician(clinician.address);
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(false);
      await expect(medVault.checkRead(clinician.address, patient.address, 1))
        .to.be.revertedWithCustomError(medVault, "ClinicianSuspended")
        .withArgs(clinician.address);
      await expect(medVault.connect(clinician).openAccessSession(patient.address, [1], 0))
        .to.be.revertedWithCustomError(medVault, "ClinicianSuspended")
        .withArgs(clinician.address);
      await medVault.connect(registrar).reinstateClinician(clinician.address);
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(true);
    });
  });

  describe("reads by the patient", function () {
    it("the patient reads its own existing, unerased records", async function () {
      const { medVault, patient, otherPatient } = await networkHelpers.loadFixture(consentFixture);
      expect(await medVault.canRead(patient.address, patient.address, 1)).to.equal(true);
      expect(await medVault.canRead(patient.address, patient.address, 5)).to.equal(false);
      await expect(medVault.checkRead(patient.address, patient.address, 5))
        .to.be.revertedWithCustomError(medVault, "RecordNotFound")
        .withArgs(patient.address, 5);
      await medVault.checkRead(patient.address, patient.address, 1);
      expect(await medVault.canRead(otherPatient.address, patient.address, 1)).to.equal(false);
    });
  });

  describe("key epochs", function () {
    // The storage slot of `patient`'s epoch word `w` (uint32[32] = 4 words of 8 epochs), found by probing
    // for the word that holds exactly "category 1 at epoch 1".
    async function epochWordSlot(address: string, patient: string, w: number): Promise<bigint> {
      for (let base = 0n; base < 64n; base++) {
        const root = BigInt(
          ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [patient, base])),
        );
        if (BigInt(await ethers.provider.getStorage(address, root)) === 1n << 32n) return root + BigInt(w);
      }
      throw new Error("key epoch slot not found (rotate category 1 once first)");
    }

    it("rotateKeys increments one uint32 epoch per category in the mask", async function () {
      const { medVault, patient } = await networkHelpers.loadFixture(consentFixture);
      const p = medVault.connect(patient);
      await expect(p.rotateKeys(mask(CATEGORY.Lab, CATEGORY.Imaging)))
        .to.emit(medVault, "KeysRotated")
        .withArgs(patient.address, mask(CATEGORY.Lab, CATEGORY.Imaging));
      await p.rotateKeys(mask(CATEGORY.Lab, 31));
      const epochs = await medVault.keyEpochs(patient.address);
      expect(epochs).to.have.length(32);
      expect(epochs[CATEGORY.Lab]).to.equal(2n);
      expect(epochs[CATEGORY.Imaging]).to.equal(1n);
      expect(epochs[31]).to.equal(1n);
      expect(epochs[CATEGORY.Profile]).to.equal(0n);
    });

    it("refuses an empty mask and unregistered callers", async function () {
      const { medVault, patient, stranger } = await networkHelpers.loadFixture(consentFixture);
      await expect(medVault.connect(patient).rotateKeys(0)).to.be.revertedWithCustomError(
        medVault,
        "EmptyCategoryMask",
      );
      await expect(medVault.connect(stranger).rotateKeys(1))
        .to.be.revertedWithCustomError(medVault, "PatientNotRegistered")
        .withArgs(stranger.address);
    });

    it("rotates past 255 and 65535, and refuses only past 2^32 - 1, naming the category", async function () {
      const { medVault, otherPatient: patient } = await networkHelpers.loadFixture(consentFixture);
      const p = medVault.connect(patient);
      const address = await medVault.getAddress();
      await p.rotateKeys(mask(CATEGORY.Note));
      // Category 1 sits in word 0 at bits [32, 64); category 12 in word 1 at bits [128, 160).
      const word0 = await epochWordSlot(address, patient.address, 0);
      await networkHelpers.setStorageAt(address, word0, 255n << 32n);
      await p.rotateKeys(mask(CATEGORY.Note));
      expect((await medVault.keyEpochs(patient.address))[CATEGORY.Note]).to.equal(256n);
      await networkHelpers.setStorageAt(address, word0, 65_535n << 32n);
      await p.rotateKeys(mask(CATEGORY.Note));
      expect((await medVault.keyEpochs(patient.address))[CATEGORY.Note]).to.equal(65_536n);
      await networkHelpers.setStorageAt(address, word0 + 1n, 0xffff_fffen << 128n);
      await p.rotateKeys(mask(12));
      const epochs = await medVault.keyEpochs(patient.address);
      expect(epochs[12]).to.equal(2n ** 32n - 1n);
      expect(epochs[11]).to.equal(0n);
      expect(epochs[13]).to.equal(0n);
      await expect(p.rotateKeys(mask(CATEGORY.Lab, 12)))
        .to.be.revertedWithCustomError(medVault, "KeyEpochOverflow")
        .withArgs(12);
    });
  });

  describe("multicall", function () {
    it("revokes and rotates in one transaction", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(consentFixture);
      const p = medVault.connect(patient);
      await p.grantConsent(terms(clinician.address, (await now()) + BigInt(DAY)));
      const calls = [
        medVault.interface.encodeFunctionData("revokeConsent", [clinician.address]),
        medVault.interface.encodeFunctionData("rotateKeys", [mask(CATEGORY.Lab)]),
      ];
      const tx = p.multicall(calls);
      await expect(tx).to.emit(medVault, "ConsentRevoked").withArgs(patient.address, clinician.address);
      await expect(tx).to.emit(medVault, "KeysRotated").withArgs(patient.address, mask(CATEGORY.Lab));
      expect(await medVault.canRead(clinician.address, patient.address, 2)).to.equal(false);
    });

    it("is all-or-nothing", async function () {
      const { medVault, patient, clinician } = await networkHelpers.loadFixture(consentFixture);
      const p = medVault.connect(patient);
      await p.grantConsent(terms(clinician.address, (await now()) + BigInt(DAY)));
      const calls = [
        medVault.interface.encodeFunctionData("revokeConsent", [clinician.address]),
        medVault.interface.encodeFunctionData("rotateKeys", [0]),
      ];
      await expect(p.multicall(calls)).to.be.revertedWithCustomError(medVault, "EmptyCategoryMask");
      expect(await medVault.canRead(clinician.address, patient.address, 2)).to.equal(true);
    });
  });
});
