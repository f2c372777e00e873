/**
 * A patient's access timeline: viewing sessions, emergency accesses and consent changes
 * from the chain, beside the storage service's log of served and refused reads.
 * Emergency accesses come first (the patient must not miss them), each followed by the
 * releases of the patient's emergency kit to that clinician, then the rest newest first.
 */
import type { Address, Hash } from "viem";
import { requestJson } from "./api.ts";
import type { VaultContext } from "./context.ts";
import { events, type EventArgs, type EventFilter, type EventName } from "./gateway.ts";
import { blockTime } from "./reads.ts";

export type TimelineEntry = {
  id: string;
  kind: "session" | "emergency" | "emergency-keys" | "emergency-ended" | "granted" | "revoked" | "refused" | "served";
  /** Unix seconds. */
  time: number;
  actor: Address | null;
  recordIds: number[];
  purpose?: number;
  reason?: string;
  expiresAt?: number;
  /** For "emergency-keys": the clinician the registrar (`actor`) released the kit to. */
  clinician?: Address;
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
  const newestFirst = (a: TimelineEntry, b: TimelineEntry) => b.time - a.time || b.id.localeCompare(a.id);
  const of = (kind: TimelineEntry["kind"]) => entries.filter((e) => e.kind === kind).sort(newestFirst);
  const releases = of("emergency-keys");
  const placed = new Set<TimelineEntry>();
  const out: TimelineEntry[] = [];
  for (const emergency of of("emergency")) {
    out.push(emergency);
    // Emergencies run newest first, so a release lands under the latest one it could follow.
    for (const r of releases) {
      const same = !!r.clinician && !!emergency.actor && r.clinician.toLowerCase() === emergency.actor.toLowerCase();
      if (!placed.has(r) && same && r.time >= emergency.time) {
        out.push(r);
        placed.add(r);
      }
    }
  }
  out.push(...releases.filter((r) => !placed.has(r)));
  out.push(...entries.filter((e) => e.kind !== "emergency" && e.kind !== "emergency-keys").sort(newestFirst));
  return out;
}

export async function serviceLog(ctx: VaultContext, patient: Address): Promise<TimelineEntry[]> {
  // Every page, not the first: however many refusals name the patient, no served read is
  // pushed off their timeline.
  const all: ServiceLogEntry[] = [];
  let before: number | null | undefined;
  do {
    const page: { entries: ServiceLogEntry[]; next: number | null } = await requestJson(
      ctx.api,
      `/api/access-log?patient=${patient}&limit=500${before ? `&before=${before}` : ""}`,
    );
    all.push(...page.entries);
    before = page.next;
  } while (before);
  return (
    all
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
      }))
  );
}

type EventKind = Exclude<TimelineEntry["kind"], "refused" | "served">;
type Range = { fromBlock?: bigint; toBlock?: bigint };
/** A patient's log of one event kind, with what its entry says. */
type Mined = { blockNumber: bigint; logIndex: number; transactionHash: Hash; fields: Partial<TimelineEntry> };

/** Reads event `E` about a patient and maps each log's (typed) arguments to timeline fields. */
const source =
  <E extends EventName>(event: E, map: (a: EventArgs<E>) => Partial<TimelineEntry>) =>
  async (ctx: VaultContext, patient: Address, range: Range = {}): Promise<Mined[]> =>
    // Every timeline event is indexed by `patient`.
    (await events(ctx, event, { patient } as EventFilter<E>, range)).map((l) => ({
      blockNumber: l.blockNumber,
      logIndex: l.logIndex,
      transactionHash: l.transactionHash,
      fields: map(l.args),
    }));

/** Which event each kind of timeline entry comes from, and what it says. */
const EVENT_KINDS: Readonly<Record<EventKind, ReturnType<typeof source>>> = {
  session: source("AccessSessionOpened", (a) => ({
    actor: a.clinician,
    recordIds: [...a.recordIds],
    purpose: a.purpose,
  })),
  emergency: source("EmergencyAccessOpened", (a) => ({ actor: a.clinician, reason: a.reason, expiresAt: a.expiresAt })),
  "emergency-keys": source("EmergencyKeysReleased", (a) => ({ actor: a.registrar, clinician: a.clinician })),
  "emergency-ended": source("EmergencyAccessEnded", (a) => ({ actor: a.endedBy })),
  granted: source("ConsentGranted", (a) => ({ actor: a.grantee, purpose: a.purpose, expiresAt: a.expiry })),
  revoked: source("ConsentRevoked", (a) => ({ actor: a.grantee })),
};

async function toEntries(ctx: VaultContext, kind: EventKind, logs: readonly Mined[]): Promise<TimelineEntry[]> {
  // One lookup per distinct block, all at once: a block's time never changes and is cached.
  const blocks = [...new Set(logs.map((l) => l.blockNumber))];
  const times = new Map(await Promise.all(blocks.map(async (b) => [b, await blockTime(ctx, b)] as const)));
  return logs.map((l) => ({
    id: `${l.transactionHash}-${l.logIndex}`,
    kind,
    time: times.get(l.blockNumber)!,
    actor: null,
    recordIds: [],
    txHash: l.transactionHash,
    source: "chain" as const,
    ...l.fields,
  }));
}

async function eventsOf(ctx: VaultContext, kind: EventKind, patient: Address, range: Range = {}) {
  return toEntries(ctx, kind, await EVENT_KINDS[kind](ctx, patient, range));
}

/** The whole timeline: every on-chain event about `patient`, and the service's log. */
export async function timeline(
  ctx: VaultContext,
  patient: Address,
  opts: { includeService?: boolean } = {},
): Promise<TimelineEntry[]> {
  const kinds = Object.keys(EVENT_KINDS) as EventKind[];
  const all = await Promise.all(kinds.map((kind) => eventsOf(ctx, kind, patient)));
  const out = all.flat();
  if (opts.includeService !== false) out.push(...(await serviceLog(ctx, patient)));
  return orderTimeline(out);
}

export type TimelinePage = {
  entries: TimelineEntry[];
  /** Pass as `before` to load the next, older page; absent when this page reaches the deployment. */
  olderBefore?: bigint;
};

/** Blocks scanned by the first window of a page; each further window is four times wider. */
const FIRST_WINDOW = 64n;

/**
 * The newest part of the timeline — what the patient sees first — in work bounded by the
 * page, not by the patient's whole history: viewing sessions (the events that grow without
 * bound) are read backwards from `before` (default: the newest block) in widening block
 * windows until `limit` of them are found; consent changes and the service log are kept for
 * the same span. Emergency accesses (and releases of the emergency kit) are always all
 * included, first: a patient must never miss one because it is old.
 */
export async function timelinePage(
  ctx: VaultContext,
  patient: Address,
  opts: { limit?: number; before?: bigint; includeService?: boolean } = {},
): Promise<TimelinePage> {
  const limit = opts.limit ?? 100;
  const floor = ctx.fromBlock ?? 0n;
  const top = opts.before !== undefined ? opts.before - 1n : await ctx.publicClient.getBlockNumber();
  const first = opts.before === undefined;
  const emergencies = first
    ? Promise.all([
        eventsOf(ctx, "emergency", patient),
        eventsOf(ctx, "emergency-ended", patient),
        eventsOf(ctx, "emergency-keys", patient),
      ])
    : Promise.resolve([[], []] as TimelineEntry[][]);

  const sessionLogs: Mined[] = [];
  let to = top;
  let from = top;
  let window = FIRST_WINDOW;
  while (to >= floor) {
    from = to - window + 1n > floor ? to - window + 1n : floor;
    sessionLogs.push(...(await EVENT_KINDS.session(ctx, patient, { fromBlock: from, toBlock: to })));
    if (sessionLogs.length >= limit || from === floor) break;
    to = from - 1n;
    window *= 4n;
  }
  if (sessionLogs.length > limit) {
    // Keep the newest `limit`, but never split a block: the next page starts below it.
    sessionLogs.sort((a, b) =>
      a.blockNumber === b.blockNumber ? b.logIndex - a.logIndex : a.blockNumber < b.blockNumber ? 1 : -1,
    );
    from = sessionLogs[limit - 1]!.blockNumber;
    sessionLogs.splice(0, sessionLogs.length, ...sessionLogs.filter((l) => l.blockNumber >= from));
  }
  const span = { fromBlock: from, toBlock: top };
  const [sessions, granted, revoked, [opened = [], ended = [], released = []]] = await Promise.all([
    toEntries(ctx, "session", sessionLogs),
    eventsOf(ctx, "granted", patient, span),
    eventsOf(ctx, "revoked", patient, span),
    emergencies,
  ]);
  const out = [...sessions, ...granted, ...revoked, ...opened, ...ended, ...released];
  if (opts.includeService !== false && first) {
    // The service log answers newest first; keep what falls inside this page's span of time.
    const oldest = sessions.reduce((m, e) => Math.min(m, e.time), Number.MAX_SAFE_INTEGER);
    out.push(...(await serviceLog(ctx, patient)).filter((e) => from === floor || e.time >= oldest));
  }
  return { entries: orderTimeline(out), ...(from > floor ? { olderBefore: from } : {}) };
}

/** Accesses (sessions, emergencies, reads) per UTC day and per clinician, for the timeline chart. */
export function accessesPerDay(
  entries: readonly TimelineEntry[],
  days: number,
  now: number,
): { days: string[]; series: Map<string, number[]> } {
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
