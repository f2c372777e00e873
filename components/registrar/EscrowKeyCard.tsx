"use client";

import { useState } from "react";
import { zeroHash, type Address } from "viem";
import { registeredKey } from "@/lib/vault/index.ts";
import { useLiveQuery } from "@/hooks/useMedVault.ts";
import { Gate } from "../Gate.tsx";
import { KeyRegistered } from "./KeyRegistered.tsx";

/** Whether patients can choose this registrar for their emergency kit, and the way to make it so. */
export function EscrowKeyCard({ account }: { account: Address }) {
  const onChain = useLiveQuery(["encryption-key", account], (c) => registeredKey(c, account));
  const [open, setOpen] = useState(false);
  const registered = onChain.data !== undefined && onChain.data !== zeroHash;
  return (
    <section className="card" data-testid="escrow-key">
      <h2>Emergency kit key</h2>
      {registered ? (
        <p className="status status-ok" data-testid="escrow-key-state" data-registered="true">
          Your encryption key is registered: patients can choose you to hold their emergency kit.
        </p>
      ) : open ? (
        <Gate role="registrar">
          {({ ctx, keys }) => (
            <KeyRegistered ctx={ctx} keys={keys}>
              {() => <p className="status status-ok">Key registered.</p>}
            </KeyRegistered>
          )}
        </Gate>
      ) : (
        <div className="stack">
          <p className="small muted" data-testid="escrow-key-state" data-registered="false">
            Patients can escrow their emergency kit only with a registrar whose encryption key is on-chain. Register
            yours once: your wallet signs a fixed message to derive it, and only its public half is stored.
          </p>
          <button
            type="button"
            className="btn btn-secondary"
            data-testid="escrow-key-setup"
            onClick={() => setOpen(true)}
          >
            Register my key
          </button>
        </div>
      )}
    </section>
  );
}
