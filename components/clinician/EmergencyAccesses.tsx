"use client";

import { useState } from "react";
import { formatTime, shortAddress } from "@/lib/format.ts";
import { listOpenEmergencies, type AccountKeys, type VaultContext } from "@/lib/vault/index.ts";
import { useLiveQuery } from "@/hooks/useMedVault.ts";
import { EmergencyPanel } from "./EmergencyPanel.tsx";

/** The emergency accesses this clinician holds open, each with its emergency panel. */
export function EmergencyAccesses({ ctx, keys }: { ctx: VaultContext; keys: AccountKeys }) {
  const open = useLiveQuery(["open-emergencies"], listOpenEmergencies);
  const mine = (open.data ?? []).filter((e) => e.clinician.toLowerCase() === keys.account.toLowerCase());
  const [shown, setShown] = useState<string | undefined>();
  if (mine.length === 0) return null;
  return (
    <section className="card card-danger" data-testid="my-emergencies">
      <h2>My emergency accesses</h2>
      <p className="small">
        Break-glass access lets you fetch the records; to decrypt them you need the patient&apos;s emergency kit
        (profile, prescriptions, diagnoses, allergies, immunizations), released to you by a registrar if the patient set
        one up.
      </p>
      <ul className="list">
        {mine.map((e) => {
          const p = e.patient.toLowerCase();
          return (
            <li key={p} className="item" data-testid={`emergency-row-${p}`}>
              <div className="record-head">
                <strong className="mono">{shortAddress(e.patient)}</strong>
                <span className={e.released ? "pill pill-ok" : "pill pill-warn"}>
                  {e.released ? "kit released" : "kit not released"}
                </span>
                <span className="small muted">
                  until {formatTime(e.expiresAt)} · “{e.reason}”
                </span>
              </div>
              <button
                type="button"
                className="btn btn-secondary"
                aria-expanded={shown === p}
                data-testid={`select-emergency-${p}`}
                onClick={() => setShown(shown === p ? undefined : p)}
              >
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
