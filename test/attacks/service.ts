/**
 * The storage service under attack: a real stack (Hardhat chain, Helia, access log behind
 * node:http) with a victim patient, an attacker patient, a verified clinician holding the
 * victim's consent, and a signed-in client for each.
 */
import { expect } from "chai";
import { getAddress, keccak256, toHex, zeroHash, type Address, type Hex } from "viem";
import { REGISTRAR_ROLE } from "../../lib/chain/vocabulary.ts";
import {
  anchor,
  Client,
  envelopeFor,
  randomBytes,
  registerPatient,
  startStack,
  type Signer,
  type Stack,
} from "../service/harness.ts";

export { Client, envelopeFor, randomBytes, type Stack, type Signer };

export type Cast = {
  stack: Stack;
  admin: Signer;
  victim: Signer;
  attacker: Signer;
  doctor: Signer;
  stranger: Signer;
  victimClient: Client;
  attackerClient: Client;
  doctorClient: Client;
  strangerClient: Client;
};

export async function serviceCast(env: Record<string, string> = {}): Promise<Cast> {
  const stack = await startStack(env);
  const [admin, victim, attacker, doctor, stranger] = stack.signers as [Signer, Signer, Signer, Signer, Signer];
  await (await stack.medVault.connect(admin).grantRole(REGISTRAR_ROLE, admin.address)).wait();
  await (
    await stack.medVault
      .connect(admin)
      .verifyClinician(doctor.address, keccak256(toHex("GMC-1")), keccak256(toHex("Dr A")), "Dr A")
  ).wait();
  await registerPatient(stack, victim);
  await registerPatient(stack, attacker);
  const clients = [new Client(stack.url), new Client(stack.url), new Client(stack.url), new Client(stack.url)];
  for (const [i, s] of [victim, attacker, doctor, stranger].entries()) {
    const r = await clients[i]!.signIn(s);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
  }
  const [victimClient, attackerClient, doctorClient, strangerClient] = clients as [Client, Client, Client, Client];
  return {
    stack,
    admin,
    victim,
    attacker,
    doctor,
    stranger,
    victimClient,
    attackerClient,
    doctorClient,
    strangerClient,
  };
}

/** Uploads a v2 record of `owner` and anchors it; returns its CID, digest and record id. */
export async function storeRecord(cast: Cast, owner: Signer, client: Client, size = 2_000) {
  const up = await client.upload(envelopeFor(cast.stack, getAddress(owner.address), randomBytes(size)));
  expect(up.status, JSON.stringify(up.body)).to.equal(201);
  const id = await anchor(cast.stack, owner, up.body.digest, up.body.dagPb);
  return { cid: up.body.cid, digest: up.body.digest, dagPb: up.body.dagPb, id };
}

export async function grantAll(cast: Cast, patient: Signer, grantee: Address): Promise<void> {
  const now = Number((await cast.stack.conn.ethers.provider.getBlock("latest"))!.timestamp);
  await (
    await cast.stack.medVault.connect(patient).grantConsent({
      grantee,
      scope: 0,
      categoryMask: 0,
      recordIds: [],
      permission: 1,
      expiry: now + 86_400,
      purpose: 0,
      keyShareDigest: zeroHash,
    })
  ).wait();
}

/** Opens an on-chain viewing session; returns its transaction hash. */
export async function openSession(cast: Cast, clinician: Signer, patient: Address, recordIds: number[]): Promise<Hex> {
  const tx = await cast.stack.medVault.connect(clinician).openAccessSession(patient, recordIds, 0);
  await tx.wait();
  return tx.hash as Hex;
}

export const recordUrl = (cid: string, patient: string, record: number, session?: string) =>
  `/api/records/${cid}?patient=${patient}&record=${record}${session ? `&session=${session}` : ""}`;
