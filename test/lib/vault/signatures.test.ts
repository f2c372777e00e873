/**
 * The EIP-712 messages lib/vault builds for others to sign, against the real contract: a device's
 * consent to be paired with a patient, and a patient's relayable grant and revocation, each
 * signed with viem's signTypedData from the typed data the library returns.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { getAddress, type Address } from "viem";
import { medVaultAbi } from "../../../lib/chain/generated.ts";
import {
  cancelSignatures,
  deviceRegistrationTypedData,
  explainError,
  grantConsentTypedData,
  registerDevice,
  revokeConsentTypedData,
  sendTx,
  type VaultContext,
} from "../../../lib/vault/index.ts";
import MedVaultModule from "../../../ignition/modules/MedVault.ts";
import { vaultContexts } from "./context.ts";

describe("lib/vault signed messages", function () {
  this.timeout(60_000);
  let contexts: (address: string) => VaultContext;
  let accounts: Address[];

  before(async () => {
    const conn = await network.create({ override: { allowUnlimitedContractSize: true } });
    const { medVault } = await conn.ignition.deploy(MedVaultModule);
    const contract = getAddress(await medVault.getAddress());
    accounts = (await conn.ethers.getSigners()).map((s) => getAddress(s.address));
    // No storage service: these flows only sign and send to the chain.
    contexts = vaultContexts(conn.provider, contract, "http://127.0.0.1:1");
  });

  const deadlineIn = async (ctx: VaultContext, seconds: number) =>
    (await ctx.publicClient.getBlock()).timestamp + BigInt(seconds);

  it("a device signs its registration; the signature works once, for that patient only", async () => {
    const patient = contexts(accounts[3]!);
    const other = contexts(accounts[4]!);
    const device = contexts(accounts[9]!);
    await sendTx(patient, { functionName: "registerPatient", args: [`0x${"11".repeat(32)}`] });
    await sendTx(other, { functionName: "registerPatient", args: [`0x${"22".repeat(32)}`] });
    const deadline = await deadlineIn(patient, 600);
    const typed = await deviceRegistrationTypedData(patient, device.account, patient.account, deadline);
    const signature = await device.walletClient!.signTypedData({ account: device.account, ...typed });
    const stolen = await registerDevice(other, device.account, "meter", deadline, signature).catch((e: unknown) => e);
    expect(explainError(stolen)).to.include({ code: "InvalidDeviceSignature" });
    await registerDevice(patient, device.account, "glucose meter", deadline, signature);
    const owner = await patient.publicClient.readContract({
      address: patient.contract,
      abi: medVaultAbi,
      functionName: "deviceOwner",
      args: [device.account],
    });
    expect(owner).to.equal(patient.account);
    const empty = await registerDevice(patient, device.account, " ", deadline, signature).catch((e: unknown) => e);
    expect(empty).to.include({ code: "LABEL_REQUIRED" });
  });

  it("a patient's signed grant and revocation carry the pair's nonce; cancelling voids them", async () => {
    const patient = contexts(accounts[5]!);
    const relayer = contexts(accounts[6]!);
    const grantee = accounts[7]!;
    await sendTx(patient, { functionName: "registerPatient", args: [`0x${"33".repeat(32)}`] });
    const now = Number((await patient.publicClient.getBlock()).timestamp);
    const terms = {
      grantee,
      scope: 0,
      categoryMask: 0,
      recordIds: [] as number[],
      permission: 1,
      expiry: now + 86_400,
      purpose: 0,
      keyShareDigest: `0x${"44".repeat(32)}` as const,
    };
    const deadline = await deadlineIn(patient, 600);
    const grant = await grantConsentTypedData(patient, patient.account, terms, deadline);
    expect(grant.message.nonce).to.equal(0);
    const grantSig = await patient.walletClient!.signTypedData({ account: patient.account, ...grant });
    await sendTx(relayer, { functionName: "grantConsentBySig", args: [patient.account, terms, deadline, grantSig] });

    const revoke = await revokeConsentTypedData(patient, patient.account, grantee, deadline);
    expect(revoke.message.nonce).to.equal(1);
    const revokeSig = await patient.walletClient!.signTypedData({ account: patient.account, ...revoke });
    await cancelSignatures(patient, grantee);
    const voided = await sendTx(relayer, {
      functionName: "revokeConsentBySig",
      args: [patient.account, grantee, deadline, revokeSig],
    }).catch((e: unknown) => e);
    expect(explainError(voided)).to.include({ code: "InvalidSignature" });
  });
});
