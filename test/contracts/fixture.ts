import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";
import { buildMedVaultModule } from "../../ignition/modules/MedVault.ts";
import { MedVault__factory, type MedVault } from "../../types/ethers-contracts/index.ts";

export const CATEGORY = {
  Profile: 0,
  Note: 1,
  Lab: 2,
  Prescription: 3,
  Diagnosis: 4,
  Imaging: 5,
  Device: 6,
} as const;
export const SCOPE = { All: 0, Categories: 1, Records: 2 } as const;
export const PERMISSION = { Read: 1, ReadWrite: 2 } as const;
export const STATUS = { None: 0n, Verified: 1n, Suspended: 2n } as const;
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

export const nameHash = (name: string, ethersLib: { id(s: string): string }): string => ethersLib.id(name);
