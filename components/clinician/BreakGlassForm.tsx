"use client";

import { useState } from "react";
import { getAddress, isAddress } from "viem";
import { breakGlass, type VaultContext } from "@/lib/vault/index.ts";
import { useAction } from "@/hooks/useMedVault.ts";
import { ActionButton } from "../ActionButton.tsx";

/** Emergency (break-glass) access to a patient who cannot consent, with a reason the patient sees. */
export function BreakGlassForm({ ctx }: { ctx: VaultContext }) {
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
        void action.run(
          "Opening emergency access",
          (onTx) => breakGlass(ctx, getAddress(patient), reason, hours * 3600, onTx),
          "Emergency access opened — the patient is notified",
        );
      }}
    >
      <h2>⚠ Emergency access (break-glass)</h2>
      <p className="small">
        Only when the patient cannot consent and care cannot wait. It is logged on-chain with your reason and shown
        first on the patient&apos;s timeline.
      </p>
      <label>
        Patient address
        <input
          value={patient}
          onChange={(e) => setPatient(e.target.value.trim())}
          required
          data-testid="breakglass-patient"
          placeholder="0x…"
        />
      </label>
      <label>
        Reason (required)
        <textarea
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          required
          minLength={10}
          rows={2}
          data-testid="breakglass-reason"
        />
      </label>
      <label>
        Duration
        <select value={hours} onChange={(e) => setHours(Number(e.target.value))} data-testid="breakglass-duration">
          {[1, 4, 12, 24].map((h) => (
            <option key={h} value={h}>
              {h} hour{h > 1 ? "s" : ""}
            </option>
          ))}
        </select>
      </label>
      <ActionButton
        action={action}
        variant="danger"
        testId="breakglass-submit"
        statusTestId="breakglass-status"
        disabled={!valid}
      >
        Open emergency access
      </ActionButton>
    </form>
  );
}
