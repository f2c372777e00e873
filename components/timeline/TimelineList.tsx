"use client";

import type { Address } from "viem";
import { PURPOSES } from "@/lib/chain/vocabulary.ts";
import { formatTime, shortAddress } from "@/lib/format.ts";
import { describeServiceCode, type TimelineEntry } from "@/lib/vault/index.ts";

const WORDS: Record<TimelineEntry["kind"], string> = {
  session: "Viewing session",
  emergency: "EMERGENCY access (break-glass)",
  "emergency-keys": "Emergency kit released",
  "emergency-ended": "Emergency access ended",
  granted: "Access granted",
  revoked: "Access revoked",
  refused: "Read refused by storage",
  served: "Record served by storage",
};

/** The patient's access timeline, newest first: who did what to which records, and why. */
export function TimelineList({ entries, names }: { entries: TimelineEntry[]; names: Map<string, string> }) {
  if (entries.length === 0)
    return (
      <p className="muted" data-testid="timeline-empty">
        No one has accessed your records yet.
      </p>
    );
  const who = (a: Address | null) => (a ? (names.get(a.toLowerCase()) ?? shortAddress(a)) : "Someone not signed in");
  return (
    <ol className="list" data-testid="timeline-list">
      {entries.map((e) => (
        <li key={e.id} className={`item timeline-item ${e.kind}`} data-testid="timeline-entry" data-kind={e.kind}>
          <div className="record-head">
            <strong>{WORDS[e.kind]}</strong>
            <span className="muted small">{formatTime(e.time)}</span>
            <span className="small">{who(e.actor)}</span>
          </div>
          <div className="small">
            {e.recordIds.length ? `Records ${e.recordIds.map((r) => `#${r}`).join(", ")}. ` : ""}
            {e.purpose !== undefined && e.kind !== "refused" ? `Purpose: ${PURPOSES[e.purpose] ?? e.purpose}. ` : ""}
            {e.kind === "emergency" ? (
              <span data-testid="timeline-reason">
                Reason: “{e.reason}”. Until {formatTime(e.expiresAt ?? 0)}.
              </span>
            ) : null}
            {e.kind === "emergency-keys" && e.clinician ? (
              <span data-testid="timeline-kit-release">
                The registrar gave {who(e.clinician)} your emergency-kit keys (profile, prescriptions, diagnoses,
                allergies, immunizations).
              </span>
            ) : null}
            {e.kind === "refused" ? (
              <span data-testid="timeline-refusal">
                Refused: {e.reason ? describeServiceCode(e.reason) : "no reason given"}
              </span>
            ) : null}
            {e.kind === "granted" && e.expiresAt ? ` Expires ${formatTime(e.expiresAt)}.` : ""}
          </div>
        </li>
      ))}
    </ol>
  );
}
