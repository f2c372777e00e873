/**
 * The service access log: one JSON line per upload and per served or refused read,
 * appended to a file under the data folder (data/service-log.jsonl by default).
 *
 * Each line carries `prev`, the sha256 of the previous line's exact text (64 zeros for
 * the first), so editing, removing or reordering a line breaks the chain at that point
 * and `verifyAccessLog` names the line. This makes tampering evident, not impossible:
 * someone who can rewrite the file can rewrite the whole chain after their edit, so a
 * deployment that needs more ships the head hash elsewhere (or anchors it on-chain).
 *
 * One process writes the file (the app server); appends are serialised in-process.
 * Entries are also indexed in memory by patient, so a page of a patient's entries costs
 * their own entries, not a scan of the file.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { mkdir, open, readFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { getAddress, type Address } from "viem";

export const GENESIS_HASH = "0".repeat(64);

export type AccessAction = "read" | "keyshare" | "upload" | "release";
export type AccessOutcome = "served" | "refused" | "stored";

export type AccessLogInput = {
  action: AccessAction;
  outcome: AccessOutcome;
  /** HTTP status the service answered with. */
  status: number;
  /** The signed-in account, or null for a request without a session. */
  actor: Address | null;
  /** Whose record was asked for (null for uploads and key shares). */
  patient: Address | null;
  recordId: number | null;
  /** The canonical CID string (never the raw path a caller typed). */
  cid: string | null;
  /** When an object was asked for under another patient's name (CID aliasing): that name. */
  claimedPatient?: Address;
  /** The error code of a refusal; null when served. */
  reason: string | null;
  size?: number;
};

export type AccessLogEntry = AccessLogInput & {
  seq: number;
  time: string;
  prev: string;
};

export type AccessLogPage = { entries: AccessLogEntry[]; next: number | null };

function hashLine(line: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(line)));
}

export class AccessLog {
  private handle: FileHandle | undefined;
  private opening: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private lastHash = GENESIS_HASH;
  private nextSeq = 1;
  private needsNewline = false;
  private readonly byPatient = new Map<string, AccessLogEntry[]>();
  // Served reads (and uploads) kept apart from refusals, so however many refusals name a
  // patient, a query for what was served reaches every served read.
  private readonly servedByPatient = new Map<string, AccessLogEntry[]>();

  constructor(readonly file: string) {}

  private open(): Promise<void> {
    this.opening ??= (async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      let text = "";
      try {
        text = await readFile(this.file, "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
      // A crash mid-write can leave a last line without its newline; the next entry
      // starts on a fresh line and chains to that partial line as written, so the
      // damage stays visible to verifyAccessLog instead of being silently repaired.
      this.needsNewline = text.length > 0 && !text.endsWith("\n");
      for (const line of text.split("\n")) {
        if (!line) continue;
        this.lastHash = hashLine(line);
        let entry: AccessLogEntry;
        try {
          entry = JSON.parse(line) as AccessLogEntry;
        } catch {
          continue;
        }
        if (typeof entry.seq === "number") this.nextSeq = Math.max(this.nextSeq, entry.seq + 1);
        this.index(entry);
      }
      this.handle = await open(this.file, "a");
    })();
    return this.opening;
  }

  private index(entry: AccessLogEntry): void {
    // Keyed by whose data was touched: a patient's timeline shows accesses to their
    // records, never the patient's own reads of someone else's.
    if (!entry.patient) return;
    const key = entry.patient.toLowerCase();
    for (const map of entry.outcome === "refused" ? [this.byPatient] : [this.byPatient, this.servedByPatient]) {
      let list = map.get(key);
      if (!list) map.set(key, (list = []));
      list.push(entry);
    }
  }

  /** Appends one entry; resolves once the line has been handed to the file system. */
  append(input: AccessLogInput): Promise<AccessLogEntry> {
    const run = async () => {
      await this.open();
      const entry: AccessLogEntry = {
        seq: this.nextSeq,
        time: new Date().toISOString(),
        ...input,
        prev: this.lastHash,
      };
      const line = JSON.stringify(entry);
      await this.handle!.write((this.needsNewline ? "\n" : "") + line + "\n");
      this.needsNewline = false;
      this.nextSeq++;
      this.lastHash = hashLine(line);
      this.index(entry);
      return entry;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  /**
   * Entries about `patient`'s data (reads of their records, fetches of their key
   * shares), newest first. `before` is the `next` cursor of the previous page;
   * `outcome` keeps only served entries (reads served, uploads stored) or only refusals.
   */
  async query(
    patient: Address,
    opts: { limit: number; before?: number; outcome?: "served" | "refused" },
  ): Promise<AccessLogPage> {
    await this.open();
    await this.queue;
    const key = getAddress(patient).toLowerCase();
    const all = (opts.outcome === "served" ? this.servedByPatient : this.byPatient).get(key) ?? [];
    const list = opts.outcome === "refused" ? all.filter((e) => e.outcome === "refused") : all;
    // Entries are indexed in seq order; find where the page starts by binary search.
    let hi = list.length;
    if (opts.before !== undefined) {
      let lo = 0;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (list[mid]!.seq < opts.before) lo = mid + 1;
        else hi = mid;
      }
    }
    const start = Math.max(0, hi - opts.limit);
    const entries = list.slice(start, hi).reverse();
    return { entries, next: start > 0 ? entries[entries.length - 1]!.seq : null };
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle?.close();
    this.handle = undefined;
    this.opening = undefined;
    this.byPatient.clear();
    this.servedByPatient.clear();
    this.lastHash = GENESIS_HASH;
    this.nextSeq = 1;
  }
}

export type LogVerification =
  { ok: true; entries: number; head: string } | { ok: false; entries: number; line: number; problem: string };

/** Re-walks the hash chain of a log file; reports the first line that breaks it. */
export async function verifyAccessLog(file: string): Promise<LogVerification> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { ok: true, entries: 0, head: GENESIS_HASH };
    throw err;
  }
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  let prev = GENESIS_HASH;
  let seq = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let entry: { prev?: unknown; seq?: unknown };
    try {
      entry = JSON.parse(line) as { prev?: unknown; seq?: unknown };
    } catch {
      return { ok: false, entries: i, line: i + 1, problem: "not a JSON object" };
    }
    if (entry.prev !== prev)
      return {
        ok: false,
        entries: i,
        line: i + 1,
        problem: "prev does not match the hash of the line before (edited, removed or reordered)",
      };
    if (entry.seq !== seq + 1)
      return { ok: false, entries: i, line: i + 1, problem: `seq ${String(entry.seq)} follows ${seq}` };
    seq++;
    prev = hashLine(line);
  }
  return { ok: true, entries: lines.length, head: prev };
}
