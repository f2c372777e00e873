"use client";

import type { TimelineEntry } from "@/lib/vault/index.ts";
import { TimelineList } from "../timeline/TimelineList.tsx";

/** Who accessed the patient's records and when, newest first, with the way to load older entries. */
export function AccessTimelineCard({
  entries,
  error,
  names,
  onShowOlder,
}: {
  entries: TimelineEntry[];
  error: Error | null;
  names: Map<string, string>;
  /** Set when older entries exist. */
  onShowOlder: (() => void) | undefined;
}) {
  return (
    <section className="card">
      <h2>Access timeline</h2>
      {error ? <p className="status status-error">{error.message}</p> : null}
      <TimelineList entries={entries} names={names} />
      {onShowOlder ? (
        <button type="button" className="btn btn-secondary" data-testid="timeline-older" onClick={onShowOlder}>
          Show older accesses
        </button>
      ) : null}
    </section>
  );
}
