"use client";

import { summarise, type RecordSummary } from "@/lib/fhir/index.ts";
import type { OpenedRecord } from "@/lib/vault/index.ts";

function SummaryView({ s }: { s: RecordSummary }) {
  switch (s.kind) {
    case "profile":
      return (
        <dl className="kv">
          <dt>Name</dt>
          <dd>{s.profile.name}</dd>
          <dt>Born</dt>
          <dd>{s.profile.birthDate}</dd>
          <dt>Gender</dt>
          <dd>{s.profile.gender}</dd>
          <dt>Current problem</dt>
          <dd>{s.profile.currentProblem || "—"}</dd>
        </dl>
      );
    case "observation":
      return (
        <dl className="kv">
          <dt>Test</dt>
          <dd>{s.observation.name}</dd>
          <dt>Result</dt>
          <dd>
            {s.observation.value} {s.observation.unit ?? ""}
          </dd>
          {s.observation.note ? (
            <>
              <dt>Note</dt>
              <dd>{s.observation.note}</dd>
            </>
          ) : null}
        </dl>
      );
    case "medication":
      return (
        <dl className="kv">
          <dt>Medication</dt>
          <dd>{s.medication.medication}</dd>
          <dt>Dosage</dt>
          <dd>{s.medication.dosage}</dd>
        </dl>
      );
    case "condition":
      return (
        <dl className="kv">
          <dt>Condition</dt>
          <dd>{s.condition.text}</dd>
          {s.condition.note ? (
            <>
              <dt>Note</dt>
              <dd>{s.condition.note}</dd>
            </>
          ) : null}
        </dl>
      );
    case "text":
      return <p className="note-text">{s.text}</p>;
    case "binary":
      return <p>File of {s.bytes.toLocaleString()} bytes.</p>;
  }
}

function downloadUrl(o: OpenedRecord): string {
  return URL.createObjectURL(new Blob([o.content as Uint8Array<ArrayBuffer>], { type: o.mime }));
}

/** A decrypted record: its summary by kind, and a download link for a file. */
export function OpenedView({ opened }: { opened: OpenedRecord }) {
  let summary: RecordSummary | undefined;
  let problem: string | undefined;
  try {
    summary = summarise(opened.content, opened.mime);
  } catch (err) {
    problem = err instanceof Error ? err.message : String(err);
  }
  const id = opened.record.recordId;
  return (
    <div className="opened" data-testid={`record-content-${id}`}>
      {summary ? <SummaryView s={summary} /> : <p className="status status-error">{problem}</p>}
      {summary?.kind === "binary" || opened.name ? (
        <a
          className="btn btn-secondary"
          href={downloadUrl(opened)}
          download={opened.name ?? `record-${id}`}
          data-testid={`record-download-${id}`}
        >
          Download {opened.name ?? "file"}
        </a>
      ) : null}
    </div>
  );
}
