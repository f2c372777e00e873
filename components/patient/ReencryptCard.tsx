"use client";

import { useState } from "react";
import { reencryptAll, type AccountKeys, type VaultContext } from "@/lib/vault/index.ts";
import { useAction } from "@/hooks/useMedVault.ts";
import { ActionButton } from "../ActionButton.tsx";
import { ActionStatus } from "../ActionStatus.tsx";

/** The strong answer to a revocation: every live record re-encrypted under new keys, old versions erased. */
export function ReencryptCard({ ctx, keys }: { ctx: VaultContext; keys: AccountKeys }) {
  const action = useAction();
  const [progress, setProgress] = useState<string | undefined>();
  return (
    <section className="card">
      <h2>Re-encrypt everything</h2>
      <p className="small muted">
        Revoking stops access to anything written afterwards, but a clinician may have kept old copies. This re-encrypts
        every record under new keys, shares the new keys with the clinicians who still have access, and erases the old
        versions. One wallet confirmation per record.
      </p>
      <ActionButton
        action={action}
        variant="secondary"
        testId="reencrypt-all"
        onClick={() => {
          if (!window.confirm("Re-encrypt every record under new keys? Each record needs a transaction.")) return;
          void action.run(
            "Re-encrypting",
            (onTx) =>
              reencryptAll(ctx, keys, (p) => {
                if (p.stage === "rotate") setProgress("Rotating keys…");
                else if (p.stage === "reshare") setProgress("Sharing new keys with remaining clinicians…");
                else setProgress(`Record ${p.done} of ${p.total}`);
                if ("tx" in p && p.tx) onTx(p.tx);
              }),
            "Every record re-encrypted under new keys",
          );
        }}
      >
        Re-encrypt everything
      </ActionButton>
      {action.state.phase === "working" && progress ? (
        <p className="small" data-testid="reencrypt-progress">
          {progress}
        </p>
      ) : null}
      <ActionStatus state={action.state} testId="reencrypt-status" />
    </section>
  );
}
