/**
 * A patient's access timeline: viewing sessions, emergency accesses and consent changes
 * from the chain, beside the storage service's log of served and refused reads.
 * Emergency accesses come first (the patient must not miss them), then newest first.
 */
import type { Address, Hash } from "viem";
import { requestJson } from "./api.ts";
import type { VaultContext } from "./context.ts";
import { blockTime, events } from "./reads.ts";

export type TimelineEntry = {
  id: string;
  kind: "session" | "emergency" | "emergency-ended" | "granted" | "revoked" | "refused" | "served";
  /** Unix seconds. */
  time: number;
  actor: Address | null;
  recordIds: number[];
  purpose?: number;
  reason?: string;
  expiresAt?: number;
  txHash?: Hash;
  source: "chain" | "service";
};

type ServiceLogEntry = {
  seq: number;
  time: string;
  action: string;
  outcome: string;
  actor: Address | null;
  recordId: number | null;
  reason: string | null;
};

export function orderTimeline(entries: TimelineEntry[]): TimelineEntry[] {
  const rank = (e: TimelineEntry) => (e.kind === "emergency" ? 0 : 1);
  return [...entries].sort((a, b) => rank(a) - rank(b) || b.time - a.time || b.id.localeCompare(a.id));
}

export async function serviceLog(ctx: VaultContext, patient: Address): Promise<TimelineEntry[]> {
  const page = await requestJson<{ entries: ServiceLogEntry[] }>(ctx.api, `/api/access-log?patient=${patient}&limit=500`);
  return page.entries
    // The patient's own reads are not accesses by someone else: leave them off their timeline.
    .filter((e) => e.action === "read" && (e.outcome === "refused" || e.outcome === "served"))
    .filter((e) => !(e.actor && e.actor.toLowerCase() === patient.toLowerCase()))
    .map((e) => ({
      id: `svc-${e.seq}`,
      kind: e.outcome === "refused" ? ("refused" as const) : ("served" as const),
      time: Math.floor(new Date(e.time).getTime() / 1000),
      actor: e.actor,
      recordIds: e.recordId === null ? [] : [e.recordId],
      ...(e.reason ? { reason: e.reason } : {}),
      source: "service" as const,
    }));
}

export async function timeline(ctx: VaultContext, patient: Address, opts: { includeService?: boolean } = {}): Promise<TimelineEntry[]> {
  const [sessions, emergencies, ended, granted, revoked] = await Promise.all([
    events(ctx, "AccessSessionOpened", { patient }),
    events(ctx, "EmergencyAccessOpened", { patient }),
    events(ctx, "EmergencyAccessEnded", { patient }),
    events(ctx, "ConsentGranted", { patient }),
    events(ctx, "ConsentRevoked", { patient }),
  ]);
  const out: TimelineEntry[] = [];
  const push = async (kind: TimelineEntry["kind"], logs: typeof sessions, map: (a: Record<string, unknown>) => Partial<TimelineEntry>) => {
    for (const l of logs) {
      out.push({
        id: `${l.transactionHash}-${l.logIndex}`,
        kind,
        time: await blockTime(ctx, l.blockNumber),
        actor: null,
        recordIds: [],
        txHash: l.transactionHash,
        source: "chain",
        ...map(l.args),
      });
    }
  };
  await push("session", sessions, (a) => ({
    actor: a.clinician as Address,
    recordIds: ((a.recordIds as readonly number[]) ?? []).map(Number),
    purpose: Number(a.purpose),
  }));
  await push("emergency", emergencies, (a) => ({ actor: a.clinician as Address, reason: String(a.reason), expiresAt: Number(a.expiresAt) }));
  await push("emergency-ended", ended, (a) => ({ actor: a.endedBy as Address }));
  await push("granted", granted, (a) => ({ actor: a.grantee as Address, purpose: Number(a.purpose), expiresAt: Number(a.expiry) }));
  await push("revoked", revoked, (a) => ({ actor: a.grantee as Address }));
  if (opts.includeService !== false) out.push(...(await serviceLog(ctx, patient)));
  return orderTimeline(out);
}

/** Accesses (sessions, emergencies, reads) per UTC day and per clinician, for the timeline chart. */
export function accessesPerDay(entries: readonly TimelineEntry[], days: number, now: number): { days: string[]; series: Map<string, number[]> } {
  const dayOf = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
  const labels = Array.from({ length: days }, (_, i) => dayOf(now - (days - 1 - i) * 86_400));
  const series = new Map<string, number[]>();
  for (const e of entries) {
    if (!(e.kind === "session" || e.kind === "emergency" || e.kind === "refused") || !e.actor) continue;
    const idx = labels.indexOf(dayOf(e.time));
    if (idx < 0) continue;
    const key = e.actor.toLowerCase();
    const row = series.get(key) ?? new Array<number>(days).fill(0);
    row[idx]! += 1;
    series.set(key, row);
  }
  return { days: labels, series };
}
