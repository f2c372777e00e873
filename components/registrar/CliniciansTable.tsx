"use client";

import { useState } from "react";
import { formatTime } from "@/lib/format.ts";
import {
  licenceText,
  reinstateClinician,
  suspendClinician,
  type ClinicianInfo,
  type VaultContext,
} from "@/lib/vault/index.ts";
import { useAction } from "@/hooks/useMedVault.ts";
import { ActionButton } from "../ActionButton.tsx";
import { ActionStatus } from "../ActionStatus.tsx";

/** Every clinician a registrar verified, with suspend / reinstate. */
export function CliniciansTable({ ctx, clinicians }: { ctx: VaultContext; clinicians: ClinicianInfo[] }) {
  const change = useAction();
  const [confirming, setConfirming] = useState<string | null>(null);
  const pending = clinicians.find((c) => c.address.toLowerCase() === confirming && c.status === "verified");
  return (
    <section className="card">
      <h2>Clinicians</h2>
      <ActionStatus state={change.state} testId="status-change" />
      {pending ? (
        <div
          className="status status-warn"
          role="alertdialog"
          aria-labelledby="suspend-confirm-text"
          data-testid="suspend-confirm"
        >
          <p id="suspend-confirm-text" data-testid="suspend-confirm-text">
            Suspend {pending.name}? Their grants stop working at once: they can no longer read any patient&apos;s
            records until reinstated.
          </p>
          <div className="row">
            <ActionButton
              action={change}
              variant="danger"
              testId="suspend-confirm-yes"
              onClick={() => {
                setConfirming(null);
                void change.run(
                  `Suspending ${pending.name}`,
                  (onTx) => suspendClinician(ctx, pending.address, onTx),
                  `${pending.name}: suspended`,
                );
              }}
            >
              Confirm suspension
            </ActionButton>
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => setConfirming(null)}
              data-testid="suspend-confirm-no"
            >
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      <table data-testid="clinicians-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Address</th>
            <th>Licence</th>
            <th>Verified</th>
            <th>Status</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {clinicians.map((c) => {
            const a = c.address.toLowerCase();
            return (
              <tr key={a} data-testid={`clinician-row-${a}`}>
                <td>{c.name}</td>
                <td className="mono small break">{c.address}</td>
                <td>{licenceText(c.licenceId)}</td>
                <td className="small">{formatTime(c.time)}</td>
                <td>
                  <span
                    className={c.status === "verified" ? "pill pill-ok" : "pill pill-err"}
                    data-testid={`clinician-status-${a}`}
                  >
                    {c.status}
                  </span>
                </td>
                <td>
                  {c.status === "verified" ? (
                    <ActionButton
                      action={change}
                      variant="danger"
                      testId={`suspend-${a}`}
                      onClick={() => setConfirming(a)}
                    >
                      Suspend
                    </ActionButton>
                  ) : (
                    <ActionButton
                      action={change}
                      variant="secondary"
                      testId={`reinstate-${a}`}
                      onClick={() =>
                        void change.run(
                          `Reinstating ${c.name}`,
                          (onTx) => reinstateClinician(ctx, c.address, onTx),
                          `${c.name}: reinstated`,
                        )
                      }
                    >
                      Reinstate
                    </ActionButton>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
