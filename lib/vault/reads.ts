/**
 * Chain reads the dashboards are built from. Lists come from the contract's events
 * (filtered by the contract address and the indexed patient / grantee topic) joined with
 * the views that say what is true now (status, grant, erasure).
 */
import type { Address, Hash, Hex } from "viem";
import { medVaultAbi } from "../chain/generated.ts";
import { cidFromDigest, FLAG_DAG_PB } from "../storage/cid.ts";
import type { VaultContext } from "./context.ts";

export type Log = { args: Record<string, unknown>; blockNumber: bigint; transactionHash: Hash; logIndex: number };

/** Events by name; args are read by name below, so this stays one untyped seam over the ABI. */
export async function events(
  ctx: VaultContext,
  eventName: string,
  args?: Record<string, unknown>,
  range: { fromBlock?: bigint; toBlock?: bigint } = {},
): Promise<Log[]> {
  const logs = await ctx.publicClient.getContractEvents({
    address: ctx.contract,
    abi: medVaultAbi,
    eventName,
    args,
    fromBlock: range.fromBlock ?? ctx.fromBlock ?? 0n,
    toBlock: range.toBlock ?? "latest",
  } as never);
  return (logs as unknown as Log[]).filter((l) => l.blockNumber !== null);
}

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
  const [anchored, erased] = await Promise.all([events(ctx, "RecordAnchored", { patient }), events(ctx, "RecordErased", { patient })]);
  const erasedIds = new Set(erased.map((e) => Number(e.args.recordId)));
  const out = await Promise.all(
    anchored.map(async (l): Promise<RecordInfo> => {
      const a = l.args;
      const flags = Number(a.flags);
      return {
        patient,
        recordId: Number(a.recordId),
        author: a.author as Address,
        cidDigest: a.cidDigest as Hex,
        cid: cidFromDigest(a.cidDigest as Hex, (flags & FLAG_DAG_PB) !== 0).toString(),
        category: Number(a.category),
        flags,
        supersedes: Number(a.supersedes),
        erased: erasedIds.has(Number(a.recordId)),
        txHash: l.transactionHash,
        blockNumber: l.blockNumber,
        time: await blockTime(ctx, l.blockNumber),
      };
    }),
  );
  return out.sort((x, y) => y.recordId - x.recordId);
}

export type ClinicianStatus = "none" | "verified" | "suspended";
const STATUS: readonly ClinicianStatus[] = ["none", "verified", "suspended"];

export type ClinicianInfo = { address: Address; name: string; licenceId: Hex; status: ClinicianStatus; verifiedBy: Address; time: number };

export async function clinicianStatus(ctx: VaultContext, clinician: Address): Promise<ClinicianStatus> {
  const s = await ctx.publicClient.readContract({ address: ctx.contract, abi: medVaultAbi, functionName: "clinicianStatus", args: [clinician] });
  return STATUS[Number(s)] ?? "none";
}

/** Every clinician ever verified, with their current status (suspension is live state, not history). */
export async function listClinicians(ctx: VaultContext): Promise<ClinicianInfo[]> {
  const verified = await events(ctx, "ClinicianVerified");
  const latest = new Map<string, Log>();
  for (const l of verified) latest.set((l.args.clinician as string).toLowerCase(), l);
  return Promise.all(
    [...latest.values()].map(async (l) => ({
      address: l.args.clinician as Address,
      name: String(l.args.name),
      licenceId: l.args.licenceId as Hex,
      status: await clinicianStatus(ctx, l.args.clinician as Address),
      verifiedBy: l.args.registrar as Address,
      time: await blockTime(ctx, l.blockNumber),
    })),
  );
}

export const PURPOSES = ["Treatment", "Consultation", "Second opinion", "Research", "Insurance", "Other"] as const;
export const SCOPE_ALL = 0;
export const SCOPE_CATEGORIES = 1;
export const SCOPE_RECORDS = 2;
export const PERMISSION_READ = 1;
export const PERMISSION_READ_WRITE = 2;
/** An emergency kit held by a registrar: never authorises a read or a write (MedVault.PERMISSION_ESCROW). */
export const PERMISSION_ESCROW = 3;

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

async function grantsFrom(ctx: VaultContext, filter: Record<string, unknown>): Promise<GrantInfo[]> {
  const [granted, revoked, now] = await Promise.all([
    events(ctx, "ConsentGranted", filter),
    events(ctx, "ConsentRevoked", filter),
    chainNow(ctx),
  ]);
  // The latest event per (patient, grantee) pair decides: a grant after a revocation is live again.
  const last = new Map<string, { log: Log; kind: "grant" | "revoke" }>();
  const order = (l: Log) => Number(l.blockNumber) * 1e6 + l.logIndex;
  for (const [kind, logs] of [["grant", granted], ["revoke", revoked]] as const) {
    for (const log of logs) {
      const k = `${String(log.args.patient).toLowerCase()}|${String(log.args.grantee).toLowerCase()}`;
      const prev = last.get(k);
      if (kind === "grant" && (!prev || order(prev.log) < order(log))) last.set(k, { log, kind });
      if (kind === "revoke" && (!prev || order(prev.log) < order(log))) last.set(k, { log, kind });
    }
  }
  const lastGrant = new Map<string, Log>();
  for (const log of granted) lastGrant.set(`${String(log.args.patient).toLowerCase()}|${String(log.args.grantee).toLowerCase()}`, log);
  const out: GrantInfo[] = [];
  for (const [k, { kind }] of last) {
    const g = lastGrant.get(k);
    if (!g) continue;
    const a = g.args;
    const grantee = a.grantee as Address;
    const expiry = Number(a.expiry);
    const status = await clinicianStatus(ctx, grantee);
    const state: GrantInfo["state"] =
      kind === "revoke" ? "revoked" : expiry <= now ? "expired" : status === "suspended" ? "suspended" : "active";
    out.push({
      patient: a.patient as Address,
      grantee,
      scope: Number(a.scope),
      categoryMask: Number(a.categoryMask),
      recordIds: ((a.recordIds as readonly (number | bigint)[]) ?? []).map(Number),
      permission: Number(a.permission),
      expiry,
      purpose: Number(a.purpose),
      keyShareDigest: a.keyShareDigest as Hex,
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
  return ctx.publicClient.readContract({ address: ctx.contract, abi: medVaultAbi, functionName: "keyEpochs", args: [patient] });
}
