"use client";

import { clinicianStatus, grantsTo, type AccountKeys, type VaultContext } from "@/lib/vault/index.ts";
import { useLiveQuery } from "@/hooks/useMedVault.ts";
import { BreakGlassForm } from "./BreakGlassForm.tsx";
import { EmergencyAccesses } from "./EmergencyAccesses.tsx";
import { SharedPatients } from "./SharedPatients.tsx";

/** The clinician's dashboard: their status, the patients who shared with them, emergency access. */
export function ClinicianDashboard({ ctx, keys }: { ctx: VaultContext; keys: AccountKeys }) {
  const grants = useLiveQuery(["grants-to", keys.account], (c) => grantsTo(c, keys.account));
  const status = useLiveQuery(["status", keys.account], (c) => clinicianStatus(c, keys.account));
  return (
    <div className="stack" data-testid="clinician-dashboard">
      {status.data && status.data !== "verified" ? (
        <p className="status status-warn" role="alert" data-testid="clinician-status-warning">
          {status.data === "suspended"
            ? "Your clinician status is suspended by the registrar: you cannot read records."
            : "You are not verified yet: ask your hospital's registrar to verify you."}
        </p>
      ) : null}
      <SharedPatients ctx={ctx} keys={keys} grants={grants.data} />
      <EmergencyAccesses ctx={ctx} keys={keys} />
      <BreakGlassForm ctx={ctx} />
    </div>
  );
}
