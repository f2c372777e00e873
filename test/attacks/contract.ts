/**
 * The contract-side cast shared by the attack suites' "… against the contract" blocks: MedVault
 * deployed through the real Ignition module on an in-process chain (unlimited code size, since
 * `hardhat test --coverage` may have left instrumented artifacts behind), the usual accounts, and
 * helpers to sign the EIP-712 messages an attacker may hold.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { network } from "hardhat";
import { grantConsentTypes, revokeConsentTypes } from "../../lib/chain/eip712.ts";
import { CATEGORY, DAY, deployMedVault, withCast, type Deployed, type Grant } from "../contracts/fixture.ts";

export {
  CATEGORY,
  DAY,
  digest,
  mask,
  terms,
  PERMISSION,
  SCOPE,
  KEY,
  KEY_SHARE,
  LICENCE,
} from "../contracts/fixture.ts";

export const conn = await network.create({ override: { allowUnlimitedContractSize: true } });
export const { ethers, networkHelpers } = conn;

export const HOUR = 60 * 60;
export const now = async (): Promise<bigint> => BigInt(await networkHelpers.time.latest());

/** Patient's records 1..4: Profile, Diagnosis, Lab, Device reading. */
export async function castFixture(): Promise<Deployed> {
  return withCast(await deployMedVault(conn), [CATEGORY.Profile, CATEGORY.Diagnosis, CATEGORY.Lab, CATEGORY.Device]);
}

type Types = Record<string, { name: string; type: string }[]>;
// ethers wants mutable arrays; the shared definitions are `as const`.
const GRANT_TYPES = structuredClone(grantConsentTypes) as unknown as Types;
const REVOKE_TYPES = structuredClone(revokeConsentTypes) as unknown as Types;

export async function domainOf(d: Deployed) {
  const { chainId } = await ethers.provider.getNetwork();
  return { name: "MedVault", version: "1", chainId, verifyingContract: await d.medVault.getAddress() };
}

export async function signGrant(d: Deployed, signer: HardhatEthersSigner, g: Grant, nonce: bigint, deadline: bigint) {
  return signer.signTypedData(await domainOf(d), GRANT_TYPES, { patient: signer.address, ...g, nonce, deadline });
}

export async function signRevoke(
  d: Deployed,
  signer: HardhatEthersSigner,
  grantee: string,
  nonce: bigint,
  deadline: bigint,
) {
  return signer.signTypedData(await domainOf(d), REVOKE_TYPES, { patient: signer.address, grantee, nonce, deadline });
}

export const later = async (seconds: number): Promise<bigint> => (await now()) + BigInt(seconds);
export const inDays = async (days: number): Promise<bigint> => later(days * DAY);
