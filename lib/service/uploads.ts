/**
 * Upload bookkeeping: every stored object (CID, uploader, patient, size, time) in a JSON
 * lines file beside the access log, so quotas and the sweeper survive a restart.
 *
 * An upload is pending until the chain anchors it (a RecordAnchored of that patient with
 * its CID digest; for a key share, a ConsentGranted or EmergencyKeysReleased naming its
 * digest). A pending upload older than the window is unpinned and marked collected, and
 * pending bytes and objects per uploader are capped, so nobody parks storage for free.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Address, Hex } from "viem";
import type { ChainClient } from "../chain/client.ts";
import type { ServerConfig } from "../config.ts";
import type { RecordStore } from "../storage/types.ts";
import { keyShareAnchored, recordAnchored } from "./chain-reads.ts";
import { HttpError } from "./http.ts";

export type UploadEntry = {
  cid: string;
  digest: Hex;
  kind: "record" | "keyshare";
  uploader: Address;
  patient: Address;
  size: number;
  /** Unix ms. */
  time: number;
};

type Line = ({ type: "upload" } & UploadEntry) | { type: "anchored" | "collected"; cid: string; time: number };

export class UploadLedger {
  private readonly pending = new Map<string, UploadEntry>();
  private loading: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private needsNewline = false;

  constructor(
    private readonly config: Pick<
      ServerConfig,
      "uploadLedgerPath" | "uploadAnchorWindowSeconds" | "maxPendingUploadBytes" | "maxPendingUploads"
    >,
    private readonly chain: ChainClient,
    private readonly store: () => Promise<RecordStore>,
  ) {}

  private load(): Promise<void> {
    this.loading ??= (async () => {
      await mkdir(path.dirname(this.config.uploadLedgerPath), { recursive: true });
      let text = "";
      try {
        text = await readFile(this.config.uploadLedgerPath, "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
      // A crash mid-write can leave a torn last line: the next line starts on a fresh one.
      this.needsNewline = text.length > 0 && !text.endsWith("\n");
      for (const raw of text.split("\n")) {
        if (!raw) continue;
        let line: Line;
        try {
          line = JSON.parse(raw) as Line;
        } catch {
          continue;
        }
        if (line.type === "upload") {
          const { type: _, ...entry } = line;
          this.pending.set(entry.cid, entry);
        } else this.pending.delete(line.cid);
      }
    })();
    return this.loading;
  }

  private write(line: Line): Promise<void> {
    const run = async () => {
      await appendFile(this.config.uploadLedgerPath, (this.needsNewline ? "\n" : "") + JSON.stringify(line) + "\n");
      this.needsNewline = false;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }

  /** Pending uploads of `uploader`, after dropping the ones the chain has anchored since. */
  private async refresh(uploader: Address): Promise<UploadEntry[]> {
    const mine = [...this.pending.values()].filter((e) => e.uploader === uploader);
    const out: UploadEntry[] = [];
    for (const e of mine) {
      if (await this.anchored(e)) await this.settle(e, "anchored");
      else out.push(e);
    }
    return out;
  }

  /**
   * Refuses an upload of `size` bytes that would take `uploader` past the pending quota;
   * counts uploads the chain has since anchored as settled first.
   */
  async assertQuota(uploader: Address, size: number, cid: string): Promise<void> {
    await this.load();
    if (this.pending.has(cid)) return;
    let mine = [...this.pending.values()].filter((e) => e.uploader === uploader);
    const over = (list: UploadEntry[]) =>
      list.length + 1 > this.config.maxPendingUploads ||
      list.reduce((n, e) => n + e.size, 0) + size > this.config.maxPendingUploadBytes;
    if (over(mine)) mine = await this.refresh(uploader);
    const bytes = mine.reduce((n, e) => n + e.size, 0);
    const window = Math.round(this.config.uploadAnchorWindowSeconds / 60);
    if (mine.length + 1 > this.config.maxPendingUploads) {
      throw new HttpError(
        429,
        "UPLOAD_QUOTA_COUNT",
        `${uploader} already has ${mine.length} uploads not yet anchored on-chain (limit ${this.config.maxPendingUploads}); anchor them, or wait: unanchored uploads are removed after ${window} min`,
        { limit: this.config.maxPendingUploads },
        { "retry-after": "60" },
      );
    }
    if (bytes + size > this.config.maxPendingUploadBytes) {
      throw new HttpError(
        413,
        "UPLOAD_QUOTA_BYTES",
        `${uploader} has ${bytes} bytes not yet anchored on-chain; this upload of ${size} would pass the limit of ${this.config.maxPendingUploadBytes} bytes. Anchor them, or wait: unanchored uploads are removed after ${window} min`,
        { limit: this.config.maxPendingUploadBytes },
      );
    }
  }

  async record(entry: UploadEntry): Promise<void> {
    await this.load();
    if (this.pending.has(entry.cid)) return;
    this.pending.set(entry.cid, entry);
    await this.write({ type: "upload", ...entry });
    this.startSweeper();
  }

  private async anchored(e: UploadEntry): Promise<boolean> {
    return e.kind === "record"
      ? recordAnchored(this.chain, e.patient, e.digest)
      : keyShareAnchored(this.chain, e.patient, e.digest);
  }

  private async settle(e: UploadEntry, how: "anchored" | "collected"): Promise<void> {
    this.pending.delete(e.cid);
    await this.write({ type: how, cid: e.cid, time: Date.now() });
  }

  /** Unpins every pending upload older than the window that the chain has not anchored. */
  async sweep(nowMs = Date.now()): Promise<{ anchored: string[]; collected: string[] }> {
    await this.load();
    const cutoff = nowMs - this.config.uploadAnchorWindowSeconds * 1000;
    const result = { anchored: [] as string[], collected: [] as string[] };
    for (const e of [...this.pending.values()]) {
      if (e.time > cutoff) continue;
      if (await this.anchored(e)) {
        await this.settle(e, "anchored");
        result.anchored.push(e.cid);
        continue;
      }
      // Another upload of the same bytes may be anchored by then; the chain is asked per CID above.
      await (await this.store()).unpin(e.cid);
      await this.settle(e, "collected");
      result.collected.push(e.cid);
    }
    return result;
  }

  /** Sweeps every window/4 in the background once something was uploaded; never keeps the process alive. */
  private startSweeper(): void {
    if (this.timer) return;
    const every = Math.max(1_000, (this.config.uploadAnchorWindowSeconds * 1000) / 4);
    this.timer = setInterval(() => {
      this.sweep().catch((err) => console.error("[medvault service] upload sweep failed", err));
    }, every);
    this.timer.unref();
  }

  /** After a restart: reloads the bookkeeping and sweeps on if uploads are still pending. */
  async resume(): Promise<void> {
    await this.load();
    if (this.pending.size > 0) this.startSweeper();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  pendingOf(uploader: Address): UploadEntry[] {
    return [...this.pending.values()].filter((e) => e.uploader === uploader);
  }
}
