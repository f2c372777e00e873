"use client";

import type { Address } from "viem";
import { accessesPerDay, describeServiceCode, type TimelineEntry } from "@/lib/vault/index.ts";
import { PURPOSES } from "@/lib/chain/vocabulary.ts";
import { formatTime, shortAddress } from "@/lib/format.ts";

const COLORS = ["#0f5e73", "#c2571a", "#6a4c93", "#2a9d8f", "#b3261e", "#5c7a1f"];

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

/** A small inline-SVG bar chart: accesses per day, stacked by clinician. */
export function AccessChart({ entries, names, days = 7 }: { entries: TimelineEntry[]; names: Map<string, string>; days?: number }) {
  const now = Math.floor(Date.now() / 1000);
  const { days: labels, series } = accessesPerDay(entries, days, now);
  const keys = [...series.keys()];
  const totals = labels.map((_, i) => keys.reduce((s, k) => s + (series.get(k)![i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const W = 320, H = 120, pad = 18, bw = (W - pad) / labels.length;
  return (
    <figure className="card" data-testid="timeline-chart">
      <figcaption className="small muted">Accesses per day, last {days} days, by clinician</figcaption>
      <svg viewBox={`0 0 ${W} ${H + 16}`} className="chart" role="img" aria-label={`Accesses per day: ${totals.join(", ")}`}>
        {labels.map((d, i) => {
          let y = H;
          return (
            <g key={d}>
              {keys.map((k, ki) => {
                const v = series.get(k)![i] ?? 0;
                if (!v) return null;
                const h = (v / max) * (H - 10);
                y -= h;
                return <rect key={k} x={pad + i * bw + 3} y={y} width={bw - 6} height={h} fill={COLORS[ki % COLORS.length]} rx={2} />;
              })}
              <text x={pad + i * bw + bw / 2} y={H + 12} fontSize="8" textAnchor="middle" fill="#536570">{d.slice(5)}</text>
            </g>
          );
        })}
        <line x1={pad} x2={W} y1={H} y2={H} stroke="#d6e0e5" />
        <text x={2} y={10} fontSize="8" fill="#536570">{max}</text>
      </svg>
      <div className="legend">
        {keys.map((k, ki) => (
          <span key={k} style={{ ["--c" as string]: COLORS[ki % COLORS.length] }}>{names.get(k) ?? shortAddress(k)}</span>
        ))}
      </div>
    </figure>
  );
}

export function TimelineList({ entries, names }: { entries: TimelineEntry[]; names: Map<string, string> }) {
  if (entries.length === 0) return <p className="muted" data-testid="timeline-empty">No one has accessed your records yet.</p>;
  const who = (a: Address | null) => (a ? names.get(a.toLowerCase()) ?? shortAddress(a) : "Someone not signed in");
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
            {e.kind === "emergency" ? <span data-testid="timeline-reason">Reason: “{e.reason}”. Until {formatTime(e.expiresAt ?? 0)}.</span> : null}
            {e.kind === "emergency-keys" && e.clinician ? (
              <span data-testid="timeline-kit-release">
                The registrar gave {who(e.clinician)} your emergency-kit keys (profile, prescriptions, diagnoses, allergies,
                immunizations).
              </span>
            ) : null}
            {e.kind === "refused" ? <span data-testid="timeline-refusal">Refused: {e.reason ? describeServiceCode(e.reason) : "no reason given"}</span> : null}
            {e.kind === "granted" && e.expiresAt ? ` Expires ${formatTime(e.expiresAt)}.` : ""}
          </div>
        </li>
      ))}
    </ol>
  );
}
