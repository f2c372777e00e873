"use client";

/** Record list, viewer, proof panel and the add-record form: shared by the patient and clinician dashboards. */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { Address } from "viem";
import type { KeyResolver } from "@/lib/crypto/category.ts";
import { summarise, type RecordSummary } from "@/lib/fhir/index.ts";
import { CATEGORIES, getCategory } from "@/lib/records/categories.ts";
import { buildRecordPayload, FILE_CATEGORY, KIND_CATEGORY, RecordDraftError, type RecordDraft, type RecordKind } from "@/lib/records/payloads.ts";
import { eraseRecord, explainError, readRecord, verifyRecord, writeRecord, type OpenedRecord, type ProofCheck, type RecordInfo, type VaultContext, type WriteStage } from "@/lib/vault/index.ts";
import { useAction } from "@/hooks/useMedVault.ts";
import { ActionButton } from "./ActionButton.tsx";
import { ActionStatus } from "./ActionStatus.tsx";
import { formatTime, shortAddress } from "@/lib/format.ts";

function SummaryView({ s }: { s: RecordSummary }) {
  switch (s.kind) {
    case "profile":
      return (
        <dl className="kv">
          <dt>Name</dt><dd>{s.profile.name}</dd>
          <dt>Born</dt><dd>{s.profile.birthDate}</dd>
          <dt>Gender</dt><dd>{s.profile.gender}</dd>
          <dt>Current problem</dt><dd>{s.profile.currentProblem || "—"}</dd>
        </dl>
      );
    case "observation":
      return (
        <dl className="kv">
          <dt>Test</dt><dd>{s.observation.name}</dd>
          <dt>Result</dt><dd>{s.observation.value} {s.observation.unit ?? ""}</dd>
          {s.observation.note ? (<><dt>Note</dt><dd>{s.observation.note}</dd></>) : null}
        </dl>
      );
    case "medication":
      return (
        <dl className="kv">
          <dt>Medication</dt><dd>{s.medication.medication}</dd>
          <dt>Dosage</dt><dd>{s.medication.dosage}</dd>
        </dl>
      );
    case "condition":
      return (
        <dl className="kv">
          <dt>Condition</dt><dd>{s.condition.text}</dd>
          {s.condition.note ? (<><dt>Note</dt><dd>{s.condition.note}</dd></>) : null}
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

export function OpenedView({ opened }: { opened: OpenedRecord }) {
  let summary: RecordSummary | undefined;
  let problem: string | undefined;
  try {
    summary = summarise(opened.content, opened.mime);
  } catch (err) {
    problem = (err as Error).message;
  }
  const id = opened.record.recordId;
  return (
    <div className="opened" data-testid={`record-content-${id}`}>
      {summary ? <SummaryView s={summary} /> : <p className="status status-error">{problem}</p>}
      {summary?.kind === "binary" || opened.name ? (
        <a className="btn btn-secondary" href={downloadUrl(opened)} download={opened.name ?? `record-${id}`} data-testid={`record-download-${id}`}>
          Download {opened.name ?? "file"}
        </a>
      ) : null}
    </div>
  );
}

export function ProofPanel({ ctx, record }: { ctx: VaultContext; record: RecordInfo }) {
  const [check, setCheck] = useState<ProofCheck | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const id = record.recordId;
  return (
    <div className="proof" data-testid={`record-proof-${id}`}>
      <dl className="kv mono small">
        <dt>CID</dt><dd data-testid="proof-cid" className="break">{record.cid}</dd>
        <dt>Transaction</dt><dd data-testid="proof-tx" className="break">{record.txHash}</dd>
        <dt>Block</dt><dd data-testid="proof-block">{record.blockNumber.toString()}</dd>
        <dt>Author</dt><dd data-testid="proof-author" className="break">{record.author}</dd>
      </dl>
      <button
        type="button"
        className="btn btn-secondary"
        data-testid="proof-verify"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          setCheck(undefined);
          try {
            setCheck(await verifyRecord(ctx, record));
          } catch (err) {
            setError(explainError(err).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? "Fetching and hashing…" : "Verify against the chain"}
      </button>
      {check ? (
        <p className={check.ok ? "status status-ok" : "status status-error"} role="status" data-testid="proof-result" data-verified={check.ok ? "true" : "false"}>
          {check.ok
            ? `✓ Verified: the ${check.bytes.toLocaleString()} bytes stored hash to the CID anchored on-chain.`
            : `✗ Tampered: the stored bytes hash to ${check.computedCid}, not ${check.onChainCid}.`}
        </p>
      ) : null}
      {error ? <p className="status status-error" role="alert" data-testid="proof-result" data-verified="error">{error}</p> : null}
    </div>
  );
}

/**
 * The list's verification badge: the ciphertext is fetched and its CID recomputed here, once
 * per record (bytes under a CID never change), and compared with the chain's.
 */
function VerifiedBadge({ ctx, record }: { ctx: VaultContext; record: RecordInfo }) {
  const check = useQuery({
    queryKey: ["verify", ctx.chainId, ctx.contract, record.patient, record.recordId, record.cid],
    queryFn: () => verifyRecord(ctx, record),
    enabled: !record.erased,
    staleTime: Infinity,
    retry: false,
  });
  const id = record.recordId;
  if (record.erased) return <span className="pill pill-warn" data-testid={`record-verified-${id}`} data-verified="erased">Erased</span>;
  if (check.isLoading) return <span className="pill" data-testid={`record-verified-${id}`} data-verified="checking">Checking…</span>;
  if (check.data?.ok) return <span className="pill pill-ok" data-testid={`record-verified-${id}`} data-verified="true" title="The stored bytes hash to the CID anchored on-chain">✓ Verified</span>;
  if (check.data) return <span className="pill pill-err" data-testid={`record-verified-${id}`} data-verified="false">✗ Tampered</span>;
  return <span className="pill pill-warn" data-testid={`record-verified-${id}`} data-verified="unknown" title={check.error ? explainError(check.error).message : undefined}>Not checked</span>;
}

export function RecordRow({ ctx, record, resolver, names, canErase = false }: { ctx: VaultContext; record: RecordInfo; resolver: (() => Promise<KeyResolver>) | undefined; names?: Map<string, string>; canErase?: boolean }) {
  const erase = useAction();
  const [opened, setOpened] = useState<OpenedRecord | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [showProof, setShowProof] = useState(false);
  const id = record.recordId;
  const author = names?.get(record.author.toLowerCase()) ?? (record.author.toLowerCase() === record.patient.toLowerCase() ? "Patient" : shortAddress(record.author));
  return (
    <li className="record" data-testid={`record-row-${id}`} data-category={record.category}>
      <div className="record-head">
        <span className="badge">{getCategory(record.category).label}</span>
        <span className="record-title">Record #{id}{record.supersedes ? ` (replaces #${record.supersedes})` : ""}</span>
        <span className="muted small">{formatTime(record.time)} · by {author}</span>
        <VerifiedBadge ctx={ctx} record={record} />
      </div>
      <div className="record-actions">
        {resolver && !record.erased ? (
          <button
            type="button"
            className="btn btn-secondary"
            data-testid={`record-open-${id}`}
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              setError(undefined);
              try {
                setOpened(await readRecord(ctx, await resolver(), record));
              } catch (err) {
                setError(explainError(err).message);
              } finally {
                setBusy(false);
              }
            }}
          >
            {busy ? "Decrypting…" : opened ? "Reload" : "Open & decrypt"}
          </button>
        ) : null}
        <button type="button" className="btn btn-ghost" aria-expanded={showProof} data-testid={`record-proof-toggle-${id}`} onClick={() => setShowProof((v) => !v)}>
          {showProof ? "Hide proof" : "Proof"}
        </button>
        {canErase && !record.erased ? (
          <ActionButton
            action={erase}
            variant="ghost"
            testId={`record-erase-${id}`}
            onClick={() => {
              if (window.confirm(`Erase record #${id}? It stays listed as erased, but nobody — you included — can read it again.`)) {
                setOpened(undefined);
                void erase.run("Erasing record", (onTx) => eraseRecord(ctx, record, onTx), `Record #${id} erased`);
              }
            }}
          >
            Erase
          </ActionButton>
        ) : null}
      </div>
      <ActionStatus state={erase.state} testId={`record-erase-status-${id}`} />
      {error ? <p className="status status-error" role="alert" data-testid={`record-error-${id}`}>{error}</p> : null}
      {opened ? <OpenedView opened={opened} /> : null}
      {showProof ? <ProofPanel ctx={ctx} record={record} /> : null}
    </li>
  );
}

const STAGES: { stage: WriteStage; label: string }[] = [
  { stage: "encrypt", label: "Encrypt" },
  { stage: "upload", label: "Upload" },
  { stage: "anchor", label: "Anchor" },
  { stage: "confirmed", label: "Confirmed" },
];

export function AddRecordForm({ ctx, patient, resolver, allowedCategories }: { ctx: VaultContext; patient: Address; resolver: () => Promise<KeyResolver>; allowedCategories?: readonly number[] }) {
  const [kind, setKind] = useState<RecordKind>("note");
  const [text, setText] = useState("");
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [unit, setUnit] = useState("");
  const [file, setFile] = useState<File | undefined>();
  const [fileCategory, setFileCategory] = useState<number>(FILE_CATEGORY);
  const [stage, setStage] = useState<WriteStage | undefined>();
  const action = useAction();

  const category = kind === "file" ? fileCategory : KIND_CATEGORY[kind];
  const allowed = !allowedCategories || allowedCategories.includes(category);
  const stageIndex = stage ? STAGES.findIndex((s) => s.stage === stage) : -1;

  async function draft(): Promise<RecordDraft> {
    switch (kind) {
      case "note":
        return { kind, text };
      case "lab":
        return { kind, name, value, unit, note: text };
      case "prescription":
        return { kind, medication: name, dosage: value, note: text };
      case "diagnosis":
        return { kind, text: name, note: text };
      case "file":
        if (!file) throw new RecordDraftError("Choose a file first.");
        return { kind, category: fileCategory, mime: file.type, name: file.name, content: new Uint8Array(await file.arrayBuffer()) };
    }
  }

  return (
    <form
      className="card form"
      data-testid="add-record-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setStage(undefined);
        const out = await action.run(
          "Saving record",
          async () => {
            const payload = buildRecordPayload(await draft());
            return writeRecord(ctx, await resolver(), { patient, ...payload }, (p) => setStage(p.stage));
          },
          "Record saved and anchored",
        );
        if (out) {
          setText("");
          setName("");
          setValue("");
          setUnit("");
          setFile(undefined);
        }
      }}
    >
      <h3>Add a record</h3>
      <div className="row">
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.target.value as RecordKind)} data-testid="record-kind">
            <option value="note">Note</option>
            <option value="lab">Lab result / observation</option>
            <option value="prescription">Prescription</option>
            <option value="diagnosis">Diagnosis</option>
            <option value="file">File (PDF, scan, image)</option>
          </select>
        </label>
        {kind === "file" ? (
          <label>
            Category
            <select value={fileCategory} onChange={(e) => setFileCategory(Number(e.target.value))} data-testid="record-category">
              {CATEGORIES.filter((c) => c.id !== 0).map((c) => (
                <option key={c.id} value={c.id}>{c.label}</option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      {kind === "lab" || kind === "prescription" || kind === "diagnosis" ? (
        <div className="row">
          <label>
            {kind === "lab" ? "Test or measurement" : kind === "prescription" ? "Medication" : "Condition"}
            <input value={name} onChange={(e) => setName(e.target.value)} data-testid="record-name" required />
          </label>
          {kind !== "diagnosis" ? (
            <label>
              {kind === "lab" ? "Result" : "Dosage"}
              <input value={value} onChange={(e) => setValue(e.target.value)} data-testid="record-value" required />
            </label>
          ) : null}
          {kind === "lab" ? (
            <label>
              Unit
              <input value={unit} onChange={(e) => setUnit(e.target.value)} data-testid="record-unit" placeholder="e.g. mmol/L" />
            </label>
          ) : null}
        </div>
      ) : null}
      {kind === "file" ? (
        <label>
          File
          <input type="file" onChange={(e) => setFile(e.target.files?.[0])} data-testid="record-file" />
        </label>
      ) : (
        <label>
          {kind === "note" ? "Note" : "Note (optional)"}
          <textarea value={text} onChange={(e) => setText(e.target.value)} rows={kind === "note" ? 4 : 2} data-testid="record-text" />
        </label>
      )}
      {!allowed ? <p className="status status-warn">You have no write access to the {getCategory(category).label} category.</p> : null}
      <ActionButton action={action} testId="record-submit" disabled={!allowed}>
        Encrypt and save
      </ActionButton>
      {stage || action.state.phase === "working" ? (
        <div className="progress" data-testid="record-progress" data-stage={stage ?? "encrypt"}>
          <div className="progress-bar" role="progressbar" aria-label="Saving record" aria-valuemin={0} aria-valuemax={4} aria-valuenow={stageIndex + 1}>
            <span style={{ width: `${((stageIndex + 1) / STAGES.length) * 100}%` }} />
          </div>
          <ol className="progress-steps">
            {STAGES.map((s, i) => (
              <li key={s.stage} className={i < stageIndex || stage === "confirmed" ? "done" : i === stageIndex ? "current" : ""}>
                {s.label}
              </li>
            ))}
          </ol>
        </div>
      ) : null}
      <ActionStatus state={action.state} testId="record-status" />
    </form>
  );
}
