"use client";

import { useMemo, useState } from "react";
import { Permission } from "@/lib/chain/vocabulary.ts";
import { granteeKeyResolver, type AccountKeys, type GrantInfo, type VaultContext } from "@/lib/vault/index.ts";
import { openPatientSession, readRecords, type RecordRead } from "@/lib/vault/patient-view.ts";
import { useAction } from "@/hooks/useMedVault.ts";
import { ActionButton } from "../ActionButton.tsx";
import { AddRecordForm } from "../records/AddRecordForm.tsx";
import { RecordReadList } from "./RecordReadList.tsx";

/** One patient who shared with this clinician: one viewing session over the grant, its records, and adding to them. */
export function PatientPanel({ ctx, keys, grant }: { ctx: VaultContext; keys: AccountKeys; grant: GrantInfo }) {
  const [results, setResults] = useState<RecordRead[] | undefined>();
  const [cats, setCats] = useState<number[]>([]);
  const action = useAction();
  const resolver = useMemo(() => () => granteeKeyResolver(ctx, keys, grant.patient), [ctx, keys, grant.patient]);
  const p = grant.patient.toLowerCase();
  const active = grant.state === "active";

  return (
    <div className="stack" data-testid={`patient-panel-${p}`}>
      <ActionButton
        action={action}
        testId={`open-patient-${p}`}
        statusTestId={`session-status-${p}`}
        onClick={() =>
          void action.run(
            active ? "Opening a viewing session" : "Trying to read",
            async (onTx) => {
              const session = await openPatientSession(ctx, grant, { onStatus: onTx });
              setCats(session.categories);
              // Without live consent the records it covered are still asked for, so the refusal shows.
              setResults(session.records.length ? (await readRecords(ctx, resolver, session.records)).reads : []);
            },
            active ? "Session opened" : "Done",
          )
        }
      >
        {active ? "Open patient (one session)" : "Try to read records"}
      </ActionButton>
      {results ? <RecordReadList results={results} p={p} /> : null}
      {active && grant.permission === Permission.ReadWrite && cats.length ? (
        <AddRecordForm ctx={ctx} patient={grant.patient} resolver={resolver} allowedCategories={cats} />
      ) : null}
    </div>
  );
}
