import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { network } from "hardhat";
import { OwnedSmartAccount__factory } from "../../types/ethers-contracts/index.ts";
import {
  CATEGORY,
  DAY,
  KEY,
  KEY_SHARE,
  SCOPE,
  deployMedVault,
  digest,
  mask,
  terms,
  withCast,
  type Grant,
} from "./fixture.ts";
import { grantConsentTypes, revokeConsentTypes } from "../../lib/chain/eip712.ts";

const conn = await network.create();
const { ethers, networkHelpers } = conn;

async function signaturesFixture() {
  return withCast(await deployMedVault(conn), [CATEGORY.Note, CATEGORY.Lab]);
}

// ethers wants mutable arrays; the shared definitions are `as const`.
const GRANT_TYPES = structuredClone(grantConsentTypes) as unknown as Record<string, { name: string; type: string }[]>;
const REVOKE_TYPES = structuredClone(revokeConsentTypes) as unknown as Record<string, { name: string; type: string }[]>;

type Domain = { name: string; version: string; chainId: bigint; verifyingContract: string };

const now = async () => BigInt(await networkHelpers.time.latest());

describe("MedVault EIP-712 consent", function () {
  async function domainOf(address: string): Promise<Domain> {
    const { chainId } = await ethers.provider.getNetwork();
    return { name: "MedVault", version: "1", chainId, verifyingContract: address };
  }

  async function signGrant(
    signer: HardhatEthersSigner,
    domain: Domain,
    patient: string,
    g: Grant,
    nonce: bigint,
    deadline: bigint,
  ): Promise<string> {
    return signer.signTypedData(domain, GRANT_TYPES, { patient, ...g, nonce, deadline });
  }

  it("exposes the EIP-712 domain and type hashes the app signs with", async function () {
    const { medVault } = await networkHelpers.loadFixture(signaturesFixture);
    const address = await medVault.getAddress();
    const domain = await medVault.eip712Domain();
    expect(domain.name).to.equal("MedVault");
    expect(domain.version).to.equal("1");
    expect(domain.chainId).to.equal((await domainOf(address)).chainId);
    expect(domain.verifyingContract).to.equal(address);
    expect(await medVault.GRANT_TYPEHASH()).to.equal(
      ethers.id(ethers.TypedDataEncoder.from(GRANT_TYPES).encodeType("GrantConsent")),
    );
    expect(await medVault.REVOKE_TYPEHASH()).to.equal(
      ethers.id(ethers.TypedDataEncoder.from(REVOKE_TYPES).encodeType("RevokeConsent")),
    );
  });

  describe("grantConsentBySig", function () {
    it("a relayer submits the patient's signed grant; the nonce advances", async function () {
      const { medVault, patient, clinician, stranger } = await networkHelpers.loadFixture(signaturesFixture);
      const domain = await domainOf(await medVault.getAddress());
      const expiry = (await now()) + BigInt(DAY);
      const g = terms(clinician.address, expiry, { scope: SCOPE.Records, recordIds: [2], purpose: 1 });
      const deadline = (await now()) + 600n;
      const sig = await signGrant(patient, domain, patient.address, g, 0n, deadline);
      await expect(medVault.connect(stranger).grantConsentBySig(patient.address, g, deadline, sig))
        .to.emit(medVault, "ConsentGranted")
        .withArgs(patient.address, clinician.address, SCOPE.Records, 0, [2], 1, expiry, 1, KEY_SHARE);
      expect(await medVault.consentNonce(patient.address, clinician.address)).to.equal(1n);
      expect(await medVault.canRead(clinician.address, patient.address, 2)).to.equal(true);
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(false);
    });

    it("refuses a replayed signature", async function () {
      const { medVault, patient, clinician, stranger } = await networkHelpers.loadFixture(signaturesFixture);
      const domain = await domainOf(await medVault.getAddress());
      const g = terms(clinician.address, (await now()) + BigInt(DAY));
      const deadline = (await now()) + 600n;
      const sig = await signGrant(patient, domain, patient.address, g, 0n, deadline);
      await medVault.connect(stranger).grantConsentBySig(patient.address, g, deadline, sig);
      await medVault.connect(patient).revokeConsent(clinician.address);
      await expect(medVault.connect(stranger).grantConsentBySig(patient.address, g, deadline, sig))
        .to.be.revertedWithCustomError(medVault, "InvalidSignature")
        .withArgs(patient.address);
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(false);
    });

    it("refuses forged, tampered, wrong-chain, wrong-contract and malformed signatures", async function () {
      const { medVault, patient, clinician, otherClinician, stranger } =
        await networkHelpers.loadFixture(signaturesFixture);
      const address = await medVault.getAddress();
      const domain = await domainOf(address);
      const g = terms(clinician.address, (await now()) + BigInt(DAY));
      const deadline = (await now()) + 600n;
      const relay = (sig: string, grant: Grant = g) =>
        expect(medVault.connect(stranger).grantConsentBySig(patient.address, grant, deadline, sig))
          .to.be.revertedWithCustomError(medVault, "InvalidSignature")
          .withArgs(patient.address);

      // Signed by someone else (here: the grantee granting itself access).
      await relay(await signGrant(clinician, domain, patient.address, g, 0n, deadline));
      // The patient's signature, with different terms submitted.
      const sig = await signGrant(patient, domain, patient.address, g, 0n, deadline);
      await relay(sig, { ...g, grantee: otherClinician.address });
      await relay(sig, { ...g, scope: SCOPE.Categories, categoryMask: mask(CATEGORY.Lab) });
      await relay(sig, { ...g, expiry: g.expiry + 1n });
      await relay(sig, { ...g, keyShareDigest: ethers.ZeroHash });
      // Signed for another chain or another deployment.
      await relay(
        await signGrant(patient, { ...domain, chainId: domain.chainId + 1n }, patient.address, g, 0n, deadline),
      );
      await relay(
        await signGrant(patient, { ...domain, verifyingContract: stranger.address }, patient.address, g, 0n, deadline),
      );
      // Signed with a future nonce.
      await relay(await signGrant(patient, domain, patient.address, g, 1n, deadline));
      // Not a signature at all.
      await relay("0x");
      await relay(`0x${"11".repeat(65)}`);
      expect(await medVault.consentNonce(patient.address, clinician.address)).to.equal(0n);
    });

    it("accepts up to and including the deadline, then SignatureExpired", async function () {
      const { medVault, patient, clinician, stranger } = await networkHelpers.loadFixture(signaturesFixture);
      const domain = await domainOf(await medVault.getAddress());
      const g = terms(clinician.address, (await now()) + BigInt(DAY));
      const deadline = (await now()) + 100n;
      const sig = await signGrant(patient, domain, patient.address, g, 0n, deadline);
      await networkHelpers.time.setNextBlockTimestamp(deadline + 1n);
      await expect(medVault.connect(stranger).grantConsentBySig(patient.address, g, deadline, sig))
        .to.be.revertedWithCustomError(medVault, "SignatureExpired")
        .withArgs(deadline, deadline + 1n);

      const deadline2 = deadline + 50n;
      const sig2 = await signGrant(patient, domain, patient.address, g, 0n, deadline2);
      await networkHelpers.time.setNextBlockTimestamp(deadline2);
      await expect(medVault.connect(stranger).grantConsentBySig(patient.address, g, deadline2, sig2)).to.emit(
        medVault,
        "ConsentGranted",
      );
    });

    it("validates the signed terms like a direct grant", async function () {
      const { medVault, patient, stranger } = await networkHelpers.loadFixture(signaturesFixture);
      const domain = await domainOf(await medVault.getAddress());
      const g = terms(patient.address, (await now()) + BigInt(DAY));
      const deadline = (await now()) + 600n;
      const sig = await signGrant(patient, domain, patient.address, g, 0n, deadline);
      await expect(medVault.connect(stranger).grantConsentBySig(patient.address, g, deadline, sig))
        .to.be.revertedWithCustomError(medVault, "InvalidGrantee")
        .withArgs(patient.address);
    });
  });

  describe("smart-account patients (ERC-1271)", function () {
    it("a contract account's signed grant and revocation are accepted; its owner's key is the signer", async function () {
      const { medVault, patient, clinician, stranger } = await networkHelpers.loadFixture(signaturesFixture);
      // `patient`'s EOA owns the account; the account is the patient on-chain.
      const account = await new OwnedSmartAccount__factory(patient).deploy(patient.address);
      const accountAddress = await account.getAddress();
      const vault = await medVault.getAddress();
      await account.execute(vault, medVault.interface.encodeFunctionData("registerPatient", [KEY]));
      await account.execute(
        vault,
        medVault.interface.encodeFunctionData("anchorRecord", [accountAddress, digest("note"), CATEGORY.Note, 0, 0]),
      );
      const domain = await domainOf(vault);
      const g = terms(clinician.address, (await now()) + BigInt(DAY));
      const deadline = (await now()) + 600n;
      const sig = await signGrant(patient, domain, accountAddress, g, 0n, deadline);
      await expect(medVault.connect(stranger).grantConsentBySig(accountAddress, g, deadline, sig))
        .to.emit(medVault, "ConsentGranted")
        .withArgs(accountAddress, clinician.address, SCOPE.All, 0, [], 1, g.expiry, 0, KEY_SHARE);
      expect(await medVault.canRead(clinician.address, accountAddress, 1)).to.equal(true);

      // A key that does not own the account cannot speak for it.
      const forged = await signGrant(stranger, domain, accountAddress, g, 1n, deadline);
      await expect(medVault.connect(stranger).grantConsentBySig(accountAddress, g, deadline, forged))
        .to.be.revertedWithCustomError(medVault, "InvalidSignature")
        .withArgs(accountAddress);

      const revoke = await patient.signTypedData(domain, REVOKE_TYPES, {
        patient: accountAddress,
        grantee: clinician.address,
        nonce: 1n,
        deadline,
      });
      await expect(medVault.connect(stranger).revokeConsentBySig(accountAddress, clinician.address, deadline, revoke))
        .to.emit(medVault, "ConsentRevoked")
        .withArgs(accountAddress, clinician.address);
      expect(await medVault.canRead(clinician.address, accountAddress, 1)).to.equal(false);
    });
  });

  describe("per-grantee nonces (#9)", function () {
    it("a direct grant or revoke voids that grantee's unrelayed signatures, and only that grantee's", async function () {
      const { medVault, patient, clinician, otherClinician, stranger } =
        await networkHelpers.loadFixture(signaturesFixture);
      const domain = await domainOf(await medVault.getAddress());
      const deadline = (await now()) + 600n;
      const forClinician = terms(clinician.address, (await now()) + BigInt(DAY));
      const forOther = terms(otherClinician.address, (await now()) + BigInt(DAY));
      const sigClinician = await signGrant(patient, domain, patient.address, forClinician, 0n, deadline);
      const sigOther = await signGrant(patient, domain, patient.address, forOther, 0n, deadline);
      await medVault.connect(patient).grantConsent(terms(clinician.address, (await now()) + BigInt(DAY)));
      expect(await medVault.consentNonce(patient.address, clinician.address)).to.equal(1n);
      expect(await medVault.consentNonce(patient.address, otherClinician.address)).to.equal(0n);
      await expect(medVault.connect(stranger).grantConsentBySig(patient.address, forClinician, deadline, sigClinician))
        .to.be.revertedWithCustomError(medVault, "InvalidSignature")
        .withArgs(patient.address);
      await expect(medVault.connect(stranger).grantConsentBySig(patient.address, forOther, deadline, sigOther)).to.emit(
        medVault,
        "ConsentGranted",
      );
    });

    it("cancelSignatures advances the pair's nonce, with an event, for any grantee", async function () {
      const { medVault, patient, clinician, stranger } = await networkHelpers.loadFixture(signaturesFixture);
      const domain = await domainOf(await medVault.getAddress());
      const deadline = (await now()) + 600n;
      const g = terms(clinician.address, (await now()) + BigInt(DAY));
      const sig = await signGrant(patient, domain, patient.address, g, 0n, deadline);
      await expect(medVault.connect(patient).cancelSignatures(clinician.address))
        .to.emit(medVault, "SignaturesCancelled")
        .withArgs(patient.address, clinician.address, 1n);
      await expect(medVault.connect(stranger).grantConsentBySig(patient.address, g, deadline, sig))
        .to.be.revertedWithCustomError(medVault, "InvalidSignature")
        .withArgs(patient.address);
      // It touches nothing but the nonce, and never another patient's.
      expect((await medVault.getGrant(patient.address, clinician.address)).permission).to.equal(0n);
      await medVault.connect(stranger).cancelSignatures(clinician.address);
      expect(await medVault.consentNonce(patient.address, clinician.address)).to.equal(1n);
      const next = await signGrant(patient, domain, patient.address, g, 1n, deadline);
      await expect(medVault.connect(stranger).grantConsentBySig(patient.address, g, deadline, next)).to.emit(
        medVault,
        "ConsentGranted",
      );
    });
  });

  describe("revokeConsentBySig", function () {
    it("a relayer submits the patient's signed revocation, once", async function () {
      const { medVault, patient, clinician, stranger } = await networkHelpers.loadFixture(signaturesFixture);
      const domain = await domainOf(await medVault.getAddress());
      await medVault.connect(patient).grantConsent(terms(clinician.address, (await now()) + BigInt(DAY)));
      const deadline = (await now()) + 600n;
      // The direct grant advanced the pair's nonce to 1.
      const message = { patient: patient.address, grantee: clinician.address, nonce: 1n, deadline };
      const sig = await patient.signTypedData(domain, REVOKE_TYPES, message);
      await expect(medVault.connect(stranger).revokeConsentBySig(patient.address, clinician.address, deadline, sig))
        .to.emit(medVault, "ConsentRevoked")
        .withArgs(patient.address, clinician.address);
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(false);
      await medVault.connect(patient).grantConsent(terms(clinician.address, (await now()) + BigInt(DAY)));
      await expect(medVault.connect(stranger).revokeConsentBySig(patient.address, clinician.address, deadline, sig))
        .to.be.revertedWithCustomError(medVault, "InvalidSignature")
        .withArgs(patient.address);
    });

    it("refuses forged and expired revocations", async function () {
      const { medVault, patient, clinician, stranger } = await networkHelpers.loadFixture(signaturesFixture);
      const domain = await domainOf(await medVault.getAddress());
      await medVault.connect(patient).grantConsent(terms(clinician.address, (await now()) + BigInt(DAY)));
      const deadline = (await now()) + 600n;
      // The direct grant advanced the pair's nonce to 1.
      const message = { patient: patient.address, grantee: clinician.address, nonce: 1n, deadline };
      // The grantee cannot sign away someone else's grant, nor keep its own by forging.
      const forged = await clinician.signTypedData(domain, REVOKE_TYPES, message);
      await expect(medVault.connect(stranger).revokeConsentBySig(patient.address, clinician.address, deadline, forged))
        .to.be.revertedWithCustomError(medVault, "InvalidSignature")
        .withArgs(patient.address);
      const wrongChain = await patient.signTypedData({ ...domain, chainId: 1n }, REVOKE_TYPES, message);
      await expect(
        medVault.connect(stranger).revokeConsentBySig(patient.address, clinician.address, deadline, wrongChain),
      )
        .to.be.revertedWithCustomError(medVault, "InvalidSignature")
        .withArgs(patient.address);
      const sig = await patient.signTypedData(domain, REVOKE_TYPES, message);
      await networkHelpers.time.setNextBlockTimestamp(deadline + 1n);
      await expect(medVault.connect(stranger).revokeConsentBySig(patient.address, clinician.address, deadline, sig))
        .to.be.revertedWithCustomError(medVault, "SignatureExpired")
        .withArgs(deadline, deadline + 1n);
      expect(await medVault.canRead(clinician.address, patient.address, 1)).to.equal(true);
    });
  });
});
