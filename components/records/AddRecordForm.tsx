"use client";

import { useRef, useState } from "react";
import type { Address } from "viem";
import type { KeyResolver } from "@/lib/crypto/category.ts";
import { CATEGORIES, getCategory } from "@/lib/records/categories.ts";
import {
  buildRecordPayload,
  FILE_CATEGORY,
  KIND_CATEGORY,
  RecordDraftError,
  type RecordDraft,
  type RecordKind,
} from "@/lib/records/payloads.ts";
import { writeRecord, type WriteStage, type VaultContext } from "@/lib/vault/index.ts";
import { useAction } from "@/hooks/useMedVault.ts";
import { ActionButton } from "../ActionButton.tsx";
import { ActionStatus } from "../ActionStatus.tsx";

const STAGES: { stage: WriteStage; label: string }[] = [
  { stage: "encrypt", label: "Encrypt" },
  { stage: "upload", label: "Upload" },
  { stage: "anchor", label: "Anchor" },
  { stage: "confirmed", label: "Confirmed" },
];

const KINDS = [
  { kind: "note", label: "Note" },
  { kind: "lab", label: "Lab result / observation" },
  { kind: "prescription", label: "Prescription" },
  { kind: "diagnosis", label: "Diagnosis" },
  { kind: "file", label: "File (PDF, scan, image)" },
] as const satisfies readonly { kind: RecordKind; label: string }[];

/** A new record by kind (note, lab result, prescription, diagnosis, file), encrypted, uploaded and anchored with its progress shown. */
export function AddRecordForm({
  ctx,
  patient,
  resolver,
  allowedCategories,
}: {
  ctx: VaultContext;
  patient: Address;
  resolver: () => Promise<KeyResolver>;
  allowedCategories?: readonly number[];
}) {
  const [kind, setKind] = useState<RecordKind>("note");
  const [text, setText] = useState("");
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [unit, setUnit] = useState("");
  const [file, setFile] = useState<File | undefined>();
  const [fileCategory, setFileCategory] = useState<number>(FILE_CATEGORY);
  const [stage, setStage] = useState<WriteStage | undefined>();
  /** Bumped to give the file input a new key, which empties it: a file input cannot be set from state. */
  const [fileInputKey, setFileInputKey] = useState(0);
  /** The file picked now (state read after an await is the value from before it). */
  const pickedFile = useRef<File | undefined>(undefined);
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
        return {
          kind,
          category: fileCategory,
          mime: file.type,
          name: file.name,
          content: new Uint8Array(await file.arrayBuffer()),
        };
    }
  }

  return (
    <form
      className="card form"
      data-testid="add-record-form"
      autoComplete="off"
      onSubmit={async (e) => {
        e.preventDefault();
        setStage(undefined);
        const sent = { text, name, value, unit, file };
        const out = await action.run(
          "Saving record",
          async () => {
            const payload = buildRecordPayload(await draft());
            return writeRecord(ctx, await resolver(), { patient, ...payload }, (p) => setStage(p.stage));
          },
          "Record saved and anchored",
        );
        if (!out) {
          // A failed save leaves the fields as they were and the progress bar empty, not half-filled.
          setStage(undefined);
          return;
        }
        // Clear what was saved (so a note's text does not linger in the page or the browser's
        // session-restore file), but keep anything the user typed or picked while it was saving.
        setText((t) => (t === sent.text ? "" : t));
        setName((n) => (n === sent.name ? "" : n));
        setValue((v) => (v === sent.value ? "" : v));
        setUnit((u) => (u === sent.unit ? "" : u));
        if (sent.file && pickedFile.current === sent.file) {
          pickedFile.current = undefined;
          setFile(undefined);
          setFileInputKey((k) => k + 1);
        }
      }}
    >
      <h3>Add a record</h3>
      <div className="row">
        <label>
          Kind
          <select
            value={kind}
            onChange={(e) => setKind(KINDS.find((k) => k.kind === e.target.value)?.kind ?? "note")}
            data-testid="record-kind"
          >
            {KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        {kind === "file" ? (
          <label>
            Category
            <select
              value={fileCategory}
              onChange={(e) => setFileCategory(Number(e.target.value))}
              data-testid="record-category"
            >
              {CATEGORIES.filter((c) => c.id !== 0).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      {kind === "lab" || kind === "prescription" || kind === "diagnosis" ? (
        <div className="row">
          <label>
            {kind === "lab" ? "Test or measurement" : kind === "prescription" ? "Medication" : "Condition"}
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-testid="record-name"
              autoComplete="off"
              required
            />
          </label>
          {kind !== "diagnosis" ? (
            <label>
              {kind === "lab" ? "Result" : "Dosage"}
              <input
                value={value}
                onChange={(e) => setValue(e.target.value)}
                data-testid="record-value"
                autoComplete="off"
                required
              />
            </label>
          ) : null}
          {kind === "lab" ? (
            <label>
              Unit
              <input
                value={unit}
                onChange={(e) => setUnit(e.target.value)}
                data-testid="record-unit"
                autoComplete="off"
                placeholder="e.g. mmol/L"
              />
            </label>
          ) : null}
        </div>
      ) : null}
      {kind === "file" ? (
        <label>
          File
          <input
            key={fileInputKey}
            type="file"
            onChange={(e) => {
              pickedFile.current = e.target.files?.[0];
              setFile(pickedFile.current);
            }}
            data-testid="record-file"
          />
        </label>
      ) : (
        <label>
          {kind === "note" ? "Note" : "Note (optional)"}
          <textarea
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={kind === "note" ? 4 : 2}
            data-testid="record-text"
            autoComplete="off"
          />
        </label>
      )}
      {!allowed ? (
        <p className="status status-warn">You have no write access to the {getCategory(category).label} category.</p>
      ) : null}
      <ActionButton action={action} testId="record-submit" disabled={!allowed}>
        Encrypt and save
      </ActionButton>
      {stage || action.state.phase === "working" ? (
        <div className="progress" data-testid="record-progress" data-stage={stage ?? "encrypt"}>
          <div
            className="progress-bar"
            role="progressbar"
            aria-label="Saving record"
            aria-valuemin={0}
            aria-valuemax={4}
            aria-valuenow={stageIndex + 1}
          >
            <span style={{ width: `${((stageIndex + 1) / STAGES.length) * 100}%` }} />
          </div>
          <ol className="progress-steps">
            {STAGES.map((s, i) => (
              <li
                key={s.stage}
                className={i < stageIndex || stage === "confirmed" ? "done" : i === stageIndex ? "current" : ""}
              >
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
