"use client";

import type { ReactNode } from "react";
import { registerClinicianKey, type AccountKeys, type VaultContext } from "@/lib/vault/index.ts";
import { useAction } from "@/hooks/useMedVault.ts";
import { useVault } from "@/hooks/useVault.ts";
import { ActionButton } from "../ActionButton.tsx";

/**
 * After the Gate: registers the registrar's encryption key if it has none yet (patients
 * escrow their kits with it), then shows `children`.
 */
export function KeyRegistered({
  ctx,
  keys,
  children,
}: {
  ctx: VaultContext;
  keys: AccountKeys;
  children: (k: AccountKeys) => ReactNode;
}) {
  const { setKeys } = useVault();
  const registering = useAction();
  if (!keys.registered) {
    return (
      <div className="stack">
        <p className="small">
          Patients escrow their kit with your registered encryption key; register it once (one transaction, public half
          only).
        </p>
        <ActionButton
          action={registering}
          testId="registrar-register-key"
          statusTestId="registrar-register-status"
          onClick={async () => {
            const out = await registering.run(
              "Registering your key",
              (onTx) => registerClinicianKey(ctx, keys, onTx),
              "Key registered",
            );
            if (out) setKeys(out);
          }}
        >
          Register my key
        </ActionButton>
      </div>
    );
  }
  return <>{children(keys)}</>;
}
