/**
 * The on-chain facts the storage service needs beyond canRead: who may upload, whether a
 * reader opened a viewing session for a record, and whether an upload has been anchored.
 * Read through the chain client's public client, so tests and the server share them.
 */
import { decodeEventLog, isAddressEqual, zeroAddress, type Address, type Hex } from "viem";
import type { ChainClient } from "../chain/client.ts";
import { ClinicianStatusCode, REGISTRAR_ROLE } from "../chain/vocabulary.ts";
import { medVaultAbi } from "../chain/generated.ts";
import { HttpError } from "./http.ts";

function contract(chain: ChainClient): Address {
  if (!chain.contractAddress) throw new Error(`no MedVault contract is configured for chain ${chain.chainId}`);
  return chain.contractAddress;
}

/**
 * Why `account` may upload (a registered patient, a verified clinician, a registrar or
 * a device registered to a patient), or undefined when it is none of them.
 */
export async function uploaderRole(chain: ChainClient, account: Address): Promise<string | undefined> {
  const address = contract(chain);
  const read = { address, abi: medVaultAbi, args: [account] } as const;
  const [patient, status, owner, registrar] = await Promise.all([
    chain.publicClient.readContract({ ...read, functionName: "isPatient" }),
    chain.publicClient.readContract({ ...read, functionName: "clinicianStatus" }),
    chain.publicClient.readContract({ ...read, functionName: "deviceOwner" }),
    chain.hasRole(REGISTRAR_ROLE, account),
  ]);
  if (patient) return "patient";
  if (status === ClinicianStatusCode.Verified) return "clinician";
  if (registrar) return "registrar";
  if (owner !== zeroAddress) return "device";
  return undefined;
}

const isTxHash = (s: string): s is Hex => /^0x[0-9a-fA-F]{64}$/.test(s);

/**
 * Requires `session` to be the hash of a successful transaction that emitted, from the
 * MedVault contract, AccessSessionOpened(patient, reader, recordIds ∋ recordId) in a
 * block at most `windowSeconds` old. "Now" is the later of the wall clock and the chain's
 * latest block, so neither an idle local chain nor a time-travelled one stretches it.
 */
export async function requireViewingSession(
  chain: ChainClient,
  opts: { session: string | null; reader: Address; patient: Address; recordId: number; windowSeconds: number },
): Promise<void> {
  const { reader, patient, recordId } = opts;
  const need = `open a viewing session on-chain (openAccessSession for record ${recordId} of ${patient}) and pass its transaction hash as &session=`;
  if (opts.session === null) {
    throw new HttpError(
      403,
      "VIEWING_SESSION_REQUIRED",
      `reading another patient's record needs a viewing session: ${need}`,
    );
  }
  const hash = opts.session;
  if (!isTxHash(hash)) {
    throw new HttpError(400, "BAD_SESSION_TX", "session must be a transaction hash (0x and 64 hex digits)");
  }
  const address = contract(chain);
  let receipt;
  try {
    receipt = await chain.publicClient.getTransactionReceipt({ hash });
  } catch (err) {
    if ((err as Error).name === "TransactionReceiptNotFoundError") {
      throw new HttpError(403, "VIEWING_SESSION_NOT_FOUND", `no mined transaction ${hash} on this chain; ${need}`);
    }
    throw err;
  }
  if (receipt.status !== "success") {
    throw new HttpError(403, "VIEWING_SESSION_NOT_FOUND", `transaction ${hash} reverted; ${need}`);
  }
  const sessions = [];
  for (const log of receipt.logs) {
    if (!isAddressEqual(log.address, address)) continue;
    try {
      const ev = decodeEventLog({ abi: medVaultAbi, data: log.data, topics: log.topics });
      if (ev.eventName === "AccessSessionOpened") sessions.push(ev.args);
    } catch {
      // Another event of the contract.
    }
  }
  if (sessions.length === 0) {
    throw new HttpError(403, "VIEWING_SESSION_NOT_FOUND", `transaction ${hash} opened no viewing session; ${need}`);
  }
  const forPatient = sessions.filter((s) => isAddressEqual(s.patient, patient));
  if (forPatient.length === 0) {
    throw new HttpError(403, "VIEWING_SESSION_OTHER_PATIENT", `the session in ${hash} is for another patient; ${need}`);
  }
  const mine = forPatient.filter((s) => isAddressEqual(s.clinician, reader));
  if (mine.length === 0) {
    throw new HttpError(
      403,
      "VIEWING_SESSION_OTHER_READER",
      `the session in ${hash} was opened by ${forPatient[0]!.clinician}, not by ${reader}; ${need}`,
    );
  }
  if (!mine.some((s) => s.recordIds.includes(recordId))) {
    throw new HttpError(
      403,
      "VIEWING_SESSION_OTHER_RECORDS",
      `the session in ${hash} names records ${mine.flatMap((s) => s.recordIds).join(", ")}, not ${recordId}; ${need}`,
    );
  }
  const [block, latest] = await Promise.all([
    chain.publicClient.getBlock({ blockNumber: receipt.blockNumber }),
    chain.publicClient.getBlock(),
  ]);
  const now = Math.max(Math.floor(Date.now() / 1000), Number(latest.timestamp));
  const age = now - Number(block.timestamp);
  if (age > opts.windowSeconds) {
    throw new HttpError(
      403,
      "VIEWING_SESSION_EXPIRED",
      `the session in ${hash} was opened ${age} s ago; sessions last ${opts.windowSeconds} s. ${need}`,
    );
  }
}

/** Whether `patient` has a record anchored with this CID digest (RecordAnchored). */
export async function recordAnchored(chain: ChainClient, patient: Address, digest: Hex): Promise<boolean> {
  const logs = await chain.publicClient.getContractEvents({
    address: contract(chain),
    abi: medVaultAbi,
    eventName: "RecordAnchored",
    args: { patient },
    fromBlock: 0n,
  });
  return logs.some((l) => (l.args as { cidDigest?: Hex }).cidDigest?.toLowerCase() === digest.toLowerCase());
}

/** Whether a grant (ConsentGranted) or a release (EmergencyKeysReleased) of `patient` names this key share digest. */
export async function keyShareAnchored(chain: ChainClient, patient: Address, digest: Hex): Promise<boolean> {
  const address = contract(chain);
  const [grants, releases] = await Promise.all([
    chain.publicClient.getContractEvents({
      address,
      abi: medVaultAbi,
      eventName: "ConsentGranted",
      args: { patient },
      fromBlock: 0n,
    }),
    chain.publicClient.getContractEvents({
      address,
      abi: medVaultAbi,
      eventName: "EmergencyKeysReleased",
      args: { patient },
      fromBlock: 0n,
    }),
  ]);
  const d = digest.toLowerCase();
  return [...grants, ...releases].some((l) => (l.args as { keyShareDigest?: Hex }).keyShareDigest?.toLowerCase() === d);
}
