"use client";

import { accessesPerDay, type TimelineEntry } from "@/lib/vault/index.ts";
import { shortAddress } from "@/lib/format.ts";

const COLORS = ["#0f5e73", "#c2571a", "#6a4c93", "#2a9d8f", "#b3261e", "#5c7a1f"];

/** A small inline-SVG bar chart: accesses per day, stacked by clinician. */
export function AccessChart({
  entries,
  names,
  days = 7,
}: {
  entries: TimelineEntry[];
  names: Map<string, string>;
  days?: number;
}) {
  const now = Math.floor(Date.now() / 1000);
  const { days: labels, series } = accessesPerDay(entries, days, now);
  const keys = [...series.keys()];
  const totals = labels.map((_, i) => keys.reduce((s, k) => s + (series.get(k)![i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const W = 320,
    H = 120,
    pad = 18,
    bw = (W - pad) / labels.length;
  return (
    <figure className="card" data-testid="timeline-chart">
      <figcaption className="small muted">Accesses per day, last {days} days, by clinician</figcaption>
      <svg
        viewBox={`0 0 ${W} ${H + 16}`}
        className="chart"
        role="img"
        aria-label={`Accesses per day: ${totals.join(", ")}`}
      >
        {labels.map((d, i) => {
          let y = H;
          return (
            <g key={d}>
              {keys.map((k, ki) => {
                const v = series.get(k)![i] ?? 0;
                if (!v) return null;
                const h = (v / max) * (H - 10);
                y -= h;
                return (
                  <rect
                    key={k}
                    x={pad + i * bw + 3}
                    y={y}
                    width={bw - 6}
                    height={h}
                    fill={COLORS[ki % COLORS.length]}
                    rx={2}
                  />
                );
              })}
              <text x={pad + i * bw + bw / 2} y={H + 12} fontSize="8" textAnchor="middle" fill="#536570">
                {d.slice(5)}
              </text>
            </g>
          );
        })}
        <line x1={pad} x2={W} y1={H} y2={H} stroke="#d6e0e5" />
        <text x={2} y={10} fontSize="8" fill="#536570">
          {max}
        </text>
      </svg>
      <div className="legend">
        {keys.map((k, ki) => (
          <span key={k} style={{ ["--c" as string]: COLORS[ki % COLORS.length] }}>
            {names.get(k) ?? shortAddress(k)}
          </span>
        ))}
      </div>
    </figure>
  );
}
