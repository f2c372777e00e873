/**
 * Chain reads the dashboards are built from. Lists come from the contract's events
 * (filtered by the contract address and the indexed patient / grantee topic) joined with
 * the views that say what is true now (status, grant, erasure).
 */
import type { Address, Hash, Hex } from "viem";
import { medVaultAbi } from "../chain/generated.ts";
import { CLINICIAN_STATUSES, type ClinicianStatus } from "../chain/vocabulary.ts";
import { cidFromDigest, FLAG_DAG_PB } from "../storage/cid.ts";
import type { VaultContext } from "./context.ts";
import { events, type Log } from "./gateway.ts";

const blockTimes = new Map<string, number>();
/** Unix seconds of a block; cached per chain, since a mined block's time never changes. */
export async function blockTime(ctx: VaultContext, blockNumber: bigint): Promise<number> {
  const key = `${ctx.chainId}:${blockNumber}`;
  const hit = blockTimes.get(key);
  if (hit !== undefined) return hit;
  const block = await ctx.publicClient.getBlock({ blockNumber });
  blockTimes.set(key, Number(block.timestamp));
  return Number(block.timestamp);
}

export async function chainNow(ctx: VaultContext): Promise<number> {
  const block = await ctx.publicClient.getBlock();
  return Number(block.timestamp);
}

export type RecordInfo = {
  patient: Address;
  recordId: number;
  author: Address;
  cidDigest: Hex;
  cid: string;
  category: number;
  flags: number;
  supersedes: number;
  erased: boolean;
  txHash: Hash;
  blockNumber: bigint;
  /** Unix seconds of the anchoring block. */
  time: number;
};

export async function listRecords(ctx: VaultContext, patient: Address): Promise<RecordInfo[]> {
  const [anchored, erased] = await Promise.all([
    events(ctx, "RecordAnchored", { patient }),
    events(ctx, "RecordErased", { patient }),
  ]);
  const erasedIds = new Set(erased.map((e) => e.args.recordId));
  const out = await Promise.all(
    anchored.map(async ({ args: a, transactionHash, blockNumber }): Promise<RecordInfo> => ({
      patient,
      recordId: a.recordId,
      author: a.author,
      cidDigest: a.cidDigest,
      cid: cidFromDigest(a.cidDigest, (a.flags & FLAG_DAG_PB) !== 0).toString(),
      category: a.category,
      flags: a.flags,
      supersedes: a.supersedes,
      erased: erasedIds.has(a.recordId),
      txHash: transactionHash,
      blockNumber,
      time: await blockTime(ctx, blockNumber),
    })),
  );
  return out.sort((x, y) => y.recordId - x.recordId);
}

export type { ClinicianStatus };

export type ClinicianInfo = {
  address: Address;
  name: string;
  licenceId: Hex;
  status: ClinicianStatus;
  verifiedBy: Address;
  time: number;
};

export async function clinicianStatus(ctx: VaultContext, clinician: Address): Promise<ClinicianStatus> {
  const s = await ctx.publicClient.readContract({
    address: ctx.contract,
    abi: medVaultAbi,
    functionName: "clinicianStatus",
    args: [clinician],
  });
  return CLINICIAN_STATUSES[s] ?? "none";
}

/** Every clinician ever verified, with their current status (suspension is live state, not history). */
export async function listClinicians(ctx: VaultContext): Promise<ClinicianInfo[]> {
  const verified = await events(ctx, "ClinicianVerified");
  const latest = new Map<string, Log<"ClinicianVerified">>();
  for (const l of verified) latest.set(l.args.clinician.toLowerCase(), l);
  return Promise.all(
    [...latest.values()].map(async ({ args: a, blockNumber }) => ({
      address: a.clinician,
      name: a.name,
      licenceId: a.licenceId,
      status: await clinicianStatus(ctx, a.clinician),
      verifiedBy: a.registrar,
      time: await blockTime(ctx, blockNumber),
    })),
  );
}

export type GrantInfo = {
  patient: Address;
  grantee: Address;
  scope: number;
  categoryMask: number;
  recordIds: number[];
  permission: number;
  expiry: number;
  purpose: number;
  keyShareDigest: Hex;
  grantedAt: number;
  txHash: Hash;
  revoked: boolean;
  /** Live = not revoked, not expired, and the clinician is not suspended. */
  state: "active" | "expired" | "revoked" | "suspended";
};

type PairFilter = { patient?: Address; grantee?: Address };

async function grantsFrom(ctx: VaultContext, filter: PairFilter): Promise<GrantInfo[]> {
  const [granted, revoked, now] = await Promise.all([
    events(ctx, "ConsentGranted", filter),
    events(ctx, "ConsentRevoked", filter),
    chainNow(ctx),
  ]);
  // The latest event per (patient, grantee) pair decides: a grant after a revocation is live again.
  const pair = (a: { patient: Address; grantee: Address }) => `${a.patient.toLowerCase()}|${a.grantee.toLowerCase()}`;
  const order = (l: { blockNumber: bigint; logIndex: number }) => Number(l.blockNumber) * 1e6 + l.logIndex;
  const last = new Map<string, { log: Log<"ConsentGranted"> | Log<"ConsentRevoked">; kind: "grant" | "revoke" }>();
  for (const [kind, logs] of [
    ["grant", granted],
    ["revoke", revoked],
  ] as const) {
    for (const log of logs) {
      const prev = last.get(pair(log.args));
      if (!prev || order(prev.log) < order(log)) last.set(pair(log.args), { log, kind });
    }
  }
  const lastGrant = new Map<string, Log<"ConsentGranted">>();
  for (const log of granted) lastGrant.set(pair(log.args), log);
  const out: GrantInfo[] = [];
  for (const [k, { kind }] of last) {
    const g = lastGrant.get(k);
    if (!g) continue;
    const a = g.args;
    const status = await clinicianStatus(ctx, a.grantee);
    const state: GrantInfo["state"] =
      kind === "revoke" ? "revoked" : a.expiry <= now ? "expired" : status === "suspended" ? "suspended" : "active";
    out.push({
      patient: a.patient,
      grantee: a.grantee,
      scope: a.scope,
      categoryMask: a.categoryMask,
      recordIds: [...a.recordIds],
      permission: a.permission,
      expiry: a.expiry,
      purpose: a.purpose,
      keyShareDigest: a.keyShareDigest,
      grantedAt: await blockTime(ctx, g.blockNumber),
      txHash: g.transactionHash,
      revoked: kind === "revoke",
      state,
    });
  }
  return out;
}

/** A patient's grants, newest first. */
export async function listGrants(ctx: VaultContext, patient: Address): Promise<GrantInfo[]> {
  return (await grantsFrom(ctx, { patient })).sort((a, b) => b.grantedAt - a.grantedAt);
}

/** Patients who granted `grantee` access, live grants first and the soonest to expire first among them. */
export async function grantsTo(ctx: VaultContext, grantee: Address): Promise<GrantInfo[]> {
  const rank = (g: GrantInfo) => (g.state === "active" ? 0 : 1);
  return (await grantsFrom(ctx, { grantee })).sort((a, b) => rank(a) - rank(b) || a.expiry - b.expiry);
}

/** The category key epochs of a patient, as the contract's `keyEpochs` view returns them: uint32[32], index = category. */
export async function keyEpochs(ctx: VaultContext, patient: Address): Promise<readonly number[]> {
  return ctx.publicClient.readContract({
    address: ctx.contract,
    abi: medVaultAbi,
    functionName: "keyEpochs",
    args: [patient],
  });
}
