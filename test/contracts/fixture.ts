import { id, type Signer } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";
import { medVaultDomain, registerDeviceTypes } from "../../lib/chain/eip712.ts";
import { ClinicianStatusCode, Permission, Scope } from "../../lib/chain/vocabulary.ts";
import { categoryByKey, type CategoryKey } from "../../lib/records/categories.ts";
import { buildMedVaultModule } from "../../ignition/modules/MedVault.ts";
import { MedVault__factory, type MedVault } from "../../types/ethers-contracts/index.ts";

// The contract's vocabulary comes from lib/ (its one definition), under the names these tests use.
const categoryId = (key: CategoryKey) => categoryByKey(key).id;
export const CATEGORY = {
  Profile: categoryId("profile"),
  Note: categoryId("note"),
  Lab: categoryId("lab"),
  Prescription: categoryId("prescription"),
  Diagnosis: categoryId("diagnosis"),
  Imaging: categoryId("imaging"),
  Device: categoryId("device"),
} as const;
export const SCOPE = Scope;
export const PERMISSION = Permission;
// ethers returns the enum as a bigint.
export const STATUS = {
  None: BigInt(ClinicianStatusCode.None),
  Verified: BigInt(ClinicianStatusCode.Verified),
  Suspended: BigInt(ClinicianStatusCode.Suspended),
} as const;
export const DAY = 24 * 60 * 60;

export type Grant = {
  grantee: string;
  scope: number;
  categoryMask: number;
  recordIds: number[];
  permission: number;
  expiry: bigint;
  purpose: number;
  keyShareDigest: string;
};

export type Deployed = {
  medVault: MedVault;
  admin: HardhatEthersSigner;
  registrar: HardhatEthersSigner;
  patient: HardhatEthersSigner;
  otherPatient: HardhatEthersSigner;
  clinician: HardhatEthersSigner;
  otherClinician: HardhatEthersSigner;
  device: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
};

/** Deploys through the real Ignition module (admin = account 0, one registrar) and names the accounts. */
export async function deployMedVault(conn: NetworkConnection): Promise<Deployed> {
  const { ethers, ignition } = conn;
  const [admin, registrar, patient, otherPatient, clinician, otherClinician, device, stranger] =
    await ethers.getSigners();
  const { medVault } = await ignition.deploy(buildMedVaultModule([registrar!.address]), { displayUi: false });
  const typed = MedVault__factory.connect(await medVault.getAddress(), admin!);
  return {
    medVault: typed,
    admin: admin!,
    registrar: registrar!,
    patient: patient!,
    otherPatient: otherPatient!,
    clinician: clinician!,
    otherClinician: otherClinician!,
    device: device!,
    stranger: stranger!,
  };
}

export const digest = (label: string): string =>
  // A stand-in for a CID's sha2-256 digest: any non-zero 32 bytes the contract stores verbatim.
  `0x${Buffer.from(label.padEnd(32, "#").slice(0, 32)).toString("hex")}`;

export const LICENCE = "0x474d432d31323334353637000000000000000000000000000000000000000000";
export const KEY = "0x1111111111111111111111111111111111111111111111111111111111111111";
export const KEY_SHARE = "0x2222222222222222222222222222222222222222222222222222222222222222";

/**
 * The usual cast on top of a deployment: two registered patients, two verified clinicians, a
 * device registered to `patient`, and `patient`'s records 1..n (categories given in order).
 */
export async function withCast(d: Deployed, categories: readonly number[] = []): Promise<Deployed> {
  const { medVault, registrar, patient, otherPatient, clinician, otherClinician, device } = d;
  await medVault.connect(patient).registerPatient(KEY);
  await medVault.connect(otherPatient).registerPatient(KEY);
  for (const [c, name] of [
    [clinician, "Dr. Grey"],
    [otherClinician, "Dr. House"],
  ] as const) {
    await medVault.connect(registrar).verifyClinician(c.address, LICENCE, id(name), name);
  }
  await registerDevice(medVault, patient, device, "glucose meter");
  for (const [i, category] of categories.entries()) {
    await medVault.connect(patient).anchorRecord(patient.address, digest(`record ${i + 1}`), category, 0, 0);
  }
  return d;
}

// ethers wants mutable arrays; the shared definition is `as const`.
export const DEVICE_TYPES = structuredClone(registerDeviceTypes) as unknown as Record<
  string,
  { name: string; type: string }[]
>;

/** The device key's EIP-712 consent to be registered to `patient` (nonce = deviceNonce(device)). */
export async function signDevice(
  medVault: MedVault,
  device: Signer,
  patient: string,
  deadline: bigint,
  nonce?: bigint,
): Promise<string> {
  const provider = device.provider!;
  const { chainId } = await provider.getNetwork();
  const address = await device.getAddress();
  const domain = medVaultDomain(chainId, await medVault.getAddress());
  const n = nonce ?? (await medVault.deviceNonce(address));
  return device.signTypedData(domain, DEVICE_TYPES, { device: address, patient, nonce: n, deadline });
}

/** `patient` registers `device` with the device's own signature (deadline an hour from the latest block). */
export async function registerDevice(medVault: MedVault, patient: Signer, device: Signer, label: string) {
  const block = await patient.provider!.getBlock("latest");
  const deadline = BigInt(block!.timestamp) + 3600n;
  const signature = await signDevice(medVault, device, await patient.getAddress(), deadline);
  return medVault.connect(patient).registerDevice(await device.getAddress(), label, deadline, signature);
}

export function terms(grantee: string, expiry: bigint, over: Partial<Grant> = {}): Grant {
  return {
    grantee,
    scope: SCOPE.All,
    categoryMask: 0,
    recordIds: [],
    permission: PERMISSION.Read,
    expiry,
    purpose: 0,
    keyShareDigest: KEY_SHARE,
    ...over,
  };
}

export const mask = (...categories: number[]): number => categories.reduce((m, c) => (m | (1 << c)) >>> 0, 0);
