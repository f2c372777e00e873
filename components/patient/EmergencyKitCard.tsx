"use client";

import { useState } from "react";
import { getAddress, isAddress } from "viem";
import { formatTime, shortAddress } from "@/lib/format.ts";
import { EMERGENCY_CATEGORIES, getCategory } from "@/lib/records/categories.ts";
import {
  emergencyKitOf,
  listRegistrars,
  setupEmergencyKit,
  type AccountKeys,
  type VaultContext,
} from "@/lib/vault/index.ts";
import { useAction, useLiveQuery } from "@/hooks/useMedVault.ts";
import { ActionButton } from "../ActionButton.tsx";

/** Opt-in escrow of the emergency categories with a hospital registrar, for break-glass release. */
export function EmergencyKitCard({ ctx, keys }: { ctx: VaultContext; keys: AccountKeys }) {
  const registrars = useLiveQuery(["registrars"], listRegistrars);
  const kit = useLiveQuery(["emergency-kit", keys.account], (c) => emergencyKitOf(c, keys.account));
  const [chosen, setChosen] = useState("");
  const [pasted, setPasted] = useState("");
  const action = useAction();
  const registrar = pasted.trim() || chosen;
  const valid = isAddress(registrar, { strict: false });
  const labels = EMERGENCY_CATEGORIES.map((c) => getCategory(c).label.toLowerCase()).join(", ");
  return (
    <form
      className="card form"
      data-testid="emergency-kit"
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(
          "Setting up your emergency kit",
          (onTx) => setupEmergencyKit(ctx, keys, getAddress(registrar), onTx),
          "Emergency kit set up",
        );
      }}
    >
      <h2>Emergency kit</h2>
      <p className="small" data-testid="emergency-kit-explain">
        If a clinician opens emergency (break-glass) access to you, the hospital registrar you choose can give them the
        keys to your {labels} — nothing else — and you see that on your timeline.
      </p>
      {kit.data ? (
        <p className="status status-ok" data-testid="emergency-kit-state">
          Your kit is with registrar {shortAddress(kit.data.grantee)} until {formatTime(kit.data.expiry)}. Revoke it
          under “Who can see my records”.
        </p>
      ) : (
        <p className="muted small" data-testid="emergency-kit-state">
          No emergency kit set up.
        </p>
      )}
      <div className="row">
        <label>
          Registrar
          <select value={chosen} onChange={(e) => setChosen(e.target.value)} data-testid="emergency-kit-registrar">
            <option value="">Choose…</option>
            {(registrars.data ?? []).map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          or paste an address
          <input
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
            placeholder="0x…"
            data-testid="emergency-kit-address"
          />
        </label>
      </div>
      <ActionButton action={action} testId="emergency-kit-submit" statusTestId="emergency-kit-status" disabled={!valid}>
        Set up my emergency kit
      </ActionButton>
    </form>
  );
}
