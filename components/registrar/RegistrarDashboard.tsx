"use client";

import { useMemo } from "react";
import { REGISTRAR_ROLE } from "@/lib/chain/vocabulary.ts";
import { listClinicians, type VaultContext } from "@/lib/vault/index.ts";
import { useLiveQuery, useMedVaultRead } from "@/hooks/useMedVault.ts";
import { CliniciansTable } from "./CliniciansTable.tsx";
import { EmergencyKitsCard } from "./EmergencyKitsCard.tsx";
import { EscrowKeyCard } from "./EscrowKeyCard.tsx";
import { VerifyClinicianForm } from "./VerifyClinicianForm.tsx";

/** The registrar's dashboard: verify clinicians, hold and release emergency kits, suspend and reinstate. */
export function RegistrarDashboard({ ctx }: { ctx: VaultContext }) {
  const { data: isRegistrar } = useMedVaultRead("hasRole", [REGISTRAR_ROLE, ctx.account]);
  const clinicians = useLiveQuery(["clinicians"], listClinicians);
  const names = useMemo(
    () => new Map((clinicians.data ?? []).map((c) => [c.address.toLowerCase(), c.name])),
    [clinicians.data],
  );
  return (
    <div className="stack" data-testid="registrar-dashboard">
      {isRegistrar === false ? (
        <p className="status status-warn" role="alert" data-testid="not-registrar">
          This account does not hold the registrar role. You can see the list; verifying or suspending will be refused
          by the contract.
        </p>
      ) : null}
      <VerifyClinicianForm ctx={ctx} />
      <EscrowKeyCard account={ctx.account} />
      <EmergencyKitsCard ctx={ctx} names={names} />
      <CliniciansTable ctx={ctx} clinicians={clinicians.data ?? []} />
    </div>
  );
}
