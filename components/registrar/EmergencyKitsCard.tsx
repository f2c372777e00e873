"use client";

import { useState } from "react";
import type { Address } from "viem";
import { formatTime, shortAddress } from "@/lib/format.ts";
import {
  listOpenEmergencies,
  releaseEmergencyKit,
  type AccountKeys,
  type OpenEmergency,
  type VaultContext,
} from "@/lib/vault/index.ts";
import { useAction, useLiveQuery } from "@/hooks/useMedVault.ts";
import { useVault } from "@/hooks/useVault.ts";
import { ActionButton } from "../ActionButton.tsx";
import { ActionStatus } from "../ActionStatus.tsx";
import { Gate } from "../Gate.tsx";
import { KeyRegistered } from "./KeyRegistered.tsx";

/**
 * Open break-glass accesses, each releasable to its clinician from the patient's emergency
 * kit. Releasing opens the escrow, so it needs the storage sign-in and the registrar's
 * unlocked (and registered) key; the rest of this page needs neither, so they are asked for
 * only when a release is started.
 */
export function EmergencyKitsCard({ ctx, names }: { ctx: VaultContext; names: Map<string, string> }) {
  const { keys, session } = useVault();
  const open = useLiveQuery(["open-emergencies"], listOpenEmergencies);
  const release = useAction();
  const [pending, setPending] = useState<OpenEmergency | undefined>();
  const who = (a: Address) => names.get(a.toLowerCase()) ?? shortAddress(a);
  const doRelease = (k: AccountKeys, e: OpenEmergency) =>
    release.run(
      `Releasing the emergency kit to ${who(e.clinician)}`,
      async (onTx) => {
        const out = await releaseEmergencyKit(ctx, k, e.patient, e.clinician, onTx);
        setPending(undefined);
        return out;
      },
      `Emergency kit released to ${who(e.clinician)}`,
    );
  const ready = Boolean(session && keys?.registered);
  return (
    <section className="card" data-testid="open-emergencies">
      <h2>Open emergency accesses</h2>
      <p className="muted small">
        Patients who set up an emergency kit escrowed their emergency categories with a registrar. Releasing re-wraps
        those keys for the clinician holding break-glass access, and the patient sees the release on their timeline.
      </p>
      <ActionStatus state={release.state} testId="release-kit-status" />
      {(open.data ?? []).length === 0 ? (
        <p className="muted" data-testid="open-emergencies-empty">
          No emergency access is open.
        </p>
      ) : (
        <table data-testid="open-emergencies-table">
          <thead>
            <tr>
              <th>Patient</th>
              <th>Clinician</th>
              <th>Reason</th>
              <th>Until</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(open.data ?? []).map((e) => {
              const id = `${e.patient.toLowerCase()}-${e.clinician.toLowerCase()}`;
              return (
                <tr key={id} data-testid={`emergency-row-${id}`}>
                  <td className="mono small break">{e.patient}</td>
                  <td>{who(e.clinician)}</td>
                  <td className="small">{e.reason}</td>
                  <td className="small">{formatTime(e.expiresAt)}</td>
                  <td>
                    <ActionButton
                      action={release}
                      variant={e.released ? "secondary" : "primary"}
                      testId={`release-kit-${id}`}
                      onClick={() => (ready && keys ? void doRelease(keys, e) : setPending(e))}
                    >
                      {e.released ? "Release again" : "Release emergency kit"}
                    </ActionButton>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {pending ? (
        <div className="stack" data-testid="release-kit-gate">
          <p className="small">
            To release {shortAddress(pending.patient)}&apos;s kit to {who(pending.clinician)}, sign in and unlock your
            registrar key.
          </p>
          <Gate role="registrar">
            {({ ctx: c, keys: k }) => (
              <KeyRegistered ctx={c} keys={k}>
                {(ready) => (
                  <button
                    type="button"
                    className="btn btn-primary"
                    data-testid="release-kit-confirm"
                    onClick={() => void doRelease(ready, pending)}
                  >
                    Release now
                  </button>
                )}
              </KeyRegistered>
            )}
          </Gate>
        </div>
      ) : null}
    </section>
  );
}
