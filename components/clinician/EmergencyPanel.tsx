"use client";

import { useState } from "react";
import { emergencyKeyResolver, type AccountKeys, type OpenEmergency, type VaultContext } from "@/lib/vault/index.ts";
import { openEmergencySession, readRecords, type RecordRead } from "@/lib/vault/patient-view.ts";
import { useAction } from "@/hooks/useMedVault.ts";
import { ActionButton } from "../ActionButton.tsx";
import { RecordReadList } from "./RecordReadList.tsx";

/**
 * A patient under this clinician's emergency access: one emergency session over the
 * emergency-kit categories, decrypted with the keys a registrar released (if any yet).
 */
export function EmergencyPanel({
  ctx,
  keys,
  emergency,
}: {
  ctx: VaultContext;
  keys: AccountKeys;
  emergency: OpenEmergency;
}) {
  const [results, setResults] = useState<RecordRead[] | undefined>();
  const [keyNote, setKeyNote] = useState<string | undefined>();
  const action = useAction();
  const p = emergency.patient.toLowerCase();
  return (
    <div className="stack" data-testid={`emergency-panel-${p}`}>
      <ActionButton
        action={action}
        variant="danger"
        testId={`open-emergency-${p}`}
        statusTestId={`emergency-session-status-${p}`}
        onClick={() =>
          void action.run(
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
      </ActionButton>
      {keyNote ? (
        <p className="status status-warn" data-testid={`emergency-keys-missing-${p}`}>
          {keyNote} Ask the hospital registrar to release the patient&apos;s emergency kit.
        </p>
      ) : null}
      {results ? <RecordReadList results={results} p={p} /> : null}
    </div>
  );
}
