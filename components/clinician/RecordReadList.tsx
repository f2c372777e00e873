"use client";

import { formatTime } from "@/lib/format.ts";
import { getCategory } from "@/lib/records/categories.ts";
import type { RecordRead } from "@/lib/vault/patient-view.ts";
import { OpenedView } from "../records/OpenedView.tsx";

/** What a clinician's session read: each record decrypted, or why access was denied. */
export function RecordReadList({ results, p }: { results: RecordRead[]; p: string }) {
  if (results.length === 0)
    return (
      <p className="muted" data-testid={`no-records-${p}`}>
        No records in scope yet.
      </p>
    );
  return (
    <ul className="list">
      {results.map((r) => (
        <li key={r.record.recordId} className="record" data-testid={`clinician-record-${r.record.recordId}`}>
          <div className="record-head">
            <span className="badge">{getCategory(r.record.category).label}</span>
            <span className="record-title">Record #{r.record.recordId}</span>
            <span className="muted small">{formatTime(r.record.time)}</span>
          </div>
          {r.opened ? <OpenedView opened={r.opened} /> : null}
          {r.error ? (
            <p className="status status-error" role="alert" data-testid={`clinician-record-error-${r.record.recordId}`}>
              Access denied: {r.error}
            </p>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
