"use client";

import { useState } from "react";
import { appConfig } from "@/app/config.ts";
import { PURPOSES } from "@/lib/chain/vocabulary.ts";
import { formatTime, permissionLabel, shortAddress } from "@/lib/format.ts";
import type { AccountKeys, GrantInfo, VaultContext } from "@/lib/vault/index.ts";
import { PatientPanel } from "./PatientPanel.tsx";

/** The patients who shared with this clinician, on what terms, each with its patient panel. */
export function SharedPatients({
  ctx,
  keys,
  grants,
}: {
  ctx: VaultContext;
  keys: AccountKeys;
  grants: GrantInfo[] | undefined;
}) {
  const [open, setOpen] = useState<string | undefined>();
  const now = Math.floor(Date.now() / 1000);
  return (
    <section className="card">
      <h2>Patients who shared with me</h2>
      {grants?.length === 0 ? <p className="muted">No patient has shared records with you yet.</p> : null}
      <ul className="list" data-testid="patients-list">
        {(grants ?? []).map((g) => {
          const p = g.patient.toLowerCase();
          const soon = g.state === "active" && g.expiry - now < appConfig.expiringSoonSeconds;
          return (
            <li key={p} className="item" data-testid={`patient-row-${p}`} data-state={g.state}>
              <div className="record-head">
                <strong className="mono">{shortAddress(g.patient)}</strong>
                <span className={g.state === "active" ? "pill pill-ok" : "pill pill-warn"}>{g.state}</span>
                {soon ? <span className="pill pill-warn">expires soon</span> : null}
                <span className="small muted">
                  {permissionLabel(g.permission)} · {PURPOSES[g.purpose]} · until {formatTime(g.expiry)}
                </span>
              </div>
              <button
                type="button"
                className="btn btn-secondary"
                aria-expanded={open === p}
                data-testid={`select-patient-${p}`}
                onClick={() => setOpen(open === p ? undefined : p)}
              >
                {open === p ? "Close" : "View"}
              </button>
              {open === p ? <PatientPanel ctx={ctx} keys={keys} grant={g} /> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
