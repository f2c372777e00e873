"use client";

import { useMemo, useState } from "react";
import { getAddress, isAddress } from "viem";
import { getCategory } from "@/lib/records/categories.ts";
import {
  breakGlass,
  clinicianStatus,
  emergencyKeyResolver,
  listOpenEmergencies,
  type OpenEmergency,
  granteeKeyResolver,
  grantsTo,
  type AccountKeys,
  type GrantInfo,
  type VaultContext,
} from "@/lib/vault/index.ts";
import { openEmergencySession, openPatientSession, readRecords, type RecordRead } from "@/lib/vault/patient-view.ts";
import { Permission, PURPOSES } from "@/lib/chain/vocabulary.ts";
import { appConfig } from "@/app/config.ts";
import { useAction, useLiveQuery } from "@/hooks/useMedVault.ts";
import { ActionStatus } from "./ActionStatus.tsx";
import { formatTime, permissionLabel, shortAddress } from "@/lib/format.ts";
import { AddRecordForm, OpenedView } from "./Records.tsx";

function PatientPanel({ ctx, keys, grant }: { ctx: VaultContext; keys: AccountKeys; grant: GrantInfo }) {
  const [results, setResults] = useState<RecordRead[] | undefined>();
  const [cats, setCats] = useState<number[]>([]);
  const action = useAction();
  const resolver = useMemo(() => () => granteeKeyResolver(ctx, keys, grant.patient), [ctx, keys, grant.patient]);
  const p = grant.patient.toLowerCase();

  return (
    <div className="stack" data-testid={`patient-panel-${p}`}>
      <button
        type="button"
        className="btn btn-primary"
        data-testid={`open-patient-${p}`}
        disabled={action.state.phase === "working"}
        onClick={() =>
          action.run(
            grant.state === "active" ? "Opening a viewing session" : "Trying to read",
            async (onTx) => {
              const session = await openPatientSession(ctx, grant, { onStatus: onTx });
              setCats(session.categories);
              // Without live consent the records it covered are still asked for, so the refusal shows.
              setResults(session.records.length ? (await readRecords(ctx, resolver, session.records)).reads : []);
            },
            grant.state === "active" ? "Session opened" : "Done",
          )
        }
      >
        {grant.state === "active" ? "Open patient (one session)" : "Try to read records"}
      </button>
      <ActionStatus state={action.state} testId={`session-status-${p}`} />
      {results ? <ResultList results={results} p={p} /> : null}
      {grant.state === "active" && grant.permission === Permission.ReadWrite && cats.length ? (
        <AddRecordForm ctx={ctx} patient={grant.patient} resolver={resolver} allowedCategories={cats} />
      ) : null}
    </div>
  );
}

function ResultList({ results, p }: { results: RecordRead[]; p: string }) {
  if (results.length === 0) return <p className="muted" data-testid={`no-records-${p}`}>No records in scope yet.</p>;
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

/**
 * A patient under this clinician's emergency access: one emergency session over the
 * emergency-kit categories, decrypted with the keys a registrar released (if any yet).
 */
function EmergencyPanel({ ctx, keys, emergency }: { ctx: VaultContext; keys: AccountKeys; emergency: OpenEmergency }) {
  const [results, setResults] = useState<RecordRead[] | undefined>();
  const [keyNote, setKeyNote] = useState<string | undefined>();
  const action = useAction();
  const p = emergency.patient.toLowerCase();
  return (
    <div className="stack" data-testid={`emergency-panel-${p}`}>
      <button
        type="button"
        className="btn btn-danger"
        data-testid={`open-emergency-${p}`}
        disabled={action.state.phase === "working"}
        onClick={() =>
          action.run(
            "Opening an emergency viewing session",
            async (onTx) => {
              const kit = await openEmergencySession(ctx, emergency.patient, onTx);
              if (kit.length === 0) {
                setResults([]);
                return;
              }
              const { reads, keyError } = await readRecords(
                ctx,
                () => emergencyKeyResolver(ctx, keys, emergency.patient),
                kit,
                "no emergency keys released for this patient yet",
              );
              setKeyNote(keyError);
              setResults(reads);
            },
            "Emergency session opened",
          )
        }
      >
        Open emergency records
      </button>
      <ActionStatus state={action.state} testId={`emergency-session-status-${p}`} />
      {keyNote ? (
        <p className="status status-warn" data-testid={`emergency-keys-missing-${p}`}>
          {keyNote} Ask the hospital registrar to release the patient&apos;s emergency kit.
        </p>
      ) : null}
      {results ? <ResultList results={results} p={p} /> : null}
    </div>
  );
}

function EmergencyAccesses({ ctx, keys }: { ctx: VaultContext; keys: AccountKeys }) {
  const open = useLiveQuery(["open-emergencies"], listOpenEmergencies);
  const mine = (open.data ?? []).filter((e) => e.clinician.toLowerCase() === keys.account.toLowerCase());
  const [shown, setShown] = useState<string | undefined>();
  if (mine.length === 0) return null;
  return (
    <section className="card card-danger" data-testid="my-emergencies">
      <h2>My emergency accesses</h2>
      <p className="small">
        Break-glass access lets you fetch the records; to decrypt them you need the patient&apos;s emergency kit (profile, prescriptions,
        diagnoses, allergies, immunizations), released to you by a registrar if the patient set one up.
      </p>
      <ul className="list">
        {mine.map((e) => {
          const p = e.patient.toLowerCase();
          return (
            <li key={p} className="item" data-testid={`emergency-row-${p}`}>
              <div className="record-head">
                <strong className="mono">{shortAddress(e.patient)}</strong>
                <span className={e.released ? "pill pill-ok" : "pill pill-warn"}>{e.released ? "kit released" : "kit not released"}</span>
                <span className="small muted">until {formatTime(e.expiresAt)} · “{e.reason}”</span>
              </div>
              <button type="button" className="btn btn-secondary" aria-expanded={shown === p} data-testid={`select-emergency-${p}`} onClick={() => setShown(shown === p ? undefined : p)}>
                {shown === p ? "Close" : "View"}
              </button>
              {shown === p ? <EmergencyPanel ctx={ctx} keys={keys} emergency={e} /> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function BreakGlass({ ctx }: { ctx: VaultContext }) {
  const [patient, setPatient] = useState("");
  const [reason, setReason] = useState("");
  const [hours, setHours] = useState(4);
  const action = useAction();
  const valid = isAddress(patient, { strict: false }) && reason.trim().length >= 10;
  return (
    <form
      className="card card-danger form"
      data-testid="breakglass-form"
      onSubmit={(e) => {
        e.preventDefault();
        void action.run("Opening emergency access", (onTx) => breakGlass(ctx, getAddress(patient), reason, hours * 3600, onTx), "Emergency access opened — the patient is notified");
      }}
    >
      <h2>⚠ Emergency access (break-glass)</h2>
      <p className="small">
        Only when the patient cannot consent and care cannot wait. It is logged on-chain with your reason and shown first on the patient&apos;s timeline.
      </p>
      <label>Patient address<input value={patient} onChange={(e) => setPatient(e.target.value.trim())} required data-testid="breakglass-patient" placeholder="0x…" /></label>
      <label>Reason (required)<textarea value={reason} onChange={(e) => setReason(e.target.value)} required minLength={10} rows={2} data-testid="breakglass-reason" /></label>
      <label>
        Duration
        <select value={hours} onChange={(e) => setHours(Number(e.target.value))} data-testid="breakglass-duration">
          {[1, 4, 12, 24].map((h) => <option key={h} value={h}>{h} hour{h > 1 ? "s" : ""}</option>)}
        </select>
      </label>
      <button type="submit" className="btn btn-danger" disabled={!valid || action.state.phase === "working"} data-testid="breakglass-submit">Open emergency access</button>
      <ActionStatus state={action.state} testId="breakglass-status" />
    </form>
  );
}

export function ClinicianDashboard({ ctx, keys }: { ctx: VaultContext; keys: AccountKeys }) {
  const grants = useLiveQuery(["grants-to", keys.account], (c) => grantsTo(c, keys.account));
  const status = useLiveQuery(["status", keys.account], (c) => clinicianStatus(c, keys.account));
  const [open, setOpen] = useState<string | undefined>();
  const now = Math.floor(Date.now() / 1000);
  return (
    <div className="stack" data-testid="clinician-dashboard">
      {status.data && status.data !== "verified" ? (
        <p className="status status-warn" role="alert" data-testid="clinician-status-warning">
          {status.data === "suspended" ? "Your clinician status is suspended by the registrar: you cannot read records." : "You are not verified yet: ask your hospital's registrar to verify you."}
        </p>
      ) : null}
      <section className="card">
        <h2>Patients who shared with me</h2>
        {grants.data?.length === 0 ? <p className="muted">No patient has shared records with you yet.</p> : null}
        <ul className="list" data-testid="patients-list">
          {(grants.data ?? []).map((g) => {
            const p = g.patient.toLowerCase();
            const soon = g.state === "active" && g.expiry - now < appConfig.expiringSoonSeconds;
            return (
              <li key={p} className="item" data-testid={`patient-row-${p}`} data-state={g.state}>
                <div className="record-head">
                  <strong className="mono">{shortAddress(g.patient)}</strong>
                  <span className={g.state === "active" ? "pill pill-ok" : "pill pill-warn"}>{g.state}</span>
                  {soon ? <span className="pill pill-warn">expires soon</span> : null}
                  <span className="small muted">{permissionLabel(g.permission)} · {PURPOSES[g.purpose]} · until {formatTime(g.expiry)}</span>
                </div>
                <button type="button" className="btn btn-secondary" aria-expanded={open === p} data-testid={`select-patient-${p}`} onClick={() => setOpen(open === p ? undefined : p)}>
                  {open === p ? "Close" : "View"}
                </button>
                {open === p ? <PatientPanel ctx={ctx} keys={keys} grant={g} /> : null}
              </li>
            );
          })}
        </ul>
      </section>
      <EmergencyAccesses ctx={ctx} keys={keys} />
      <BreakGlass ctx={ctx} />
    </div>
  );
}
