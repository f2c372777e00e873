"use client";

import type { ActionState } from "@/hooks/useMedVault.ts";

const TX_WORDS = {
  simulating: "Checking with the contract…",
  signing: "Confirm in your wallet…",
  pending: "Transaction pending…",
  confirmed: "Confirmed",
} as const;

/** One line that says where an action is: pending → confirmed / failed, with the reason in words. */
export function ActionStatus({ state, testId = "tx-status" }: { state: ActionState; testId?: string }) {
  if (state.phase === "idle") return null;
  if (state.phase === "failed") {
    return (
      <p
        className={state.rejected ? "status status-warn" : "status status-error"}
        role="alert"
        data-testid={testId}
        data-stage="failed"
        data-code={state.code}
      >
        {state.rejected ? "" : "Failed: "}
        {state.message}
      </p>
    );
  }
  if (state.phase === "done") {
    return (
      <p className="status status-ok" role="status" data-testid={testId} data-stage="confirmed">
        ✓ {state.label}
        {state.hash ? <span className="mono small"> · tx {state.hash.slice(0, 10)}…</span> : null}
      </p>
    );
  }
  const tx = state.tx;
  return (
    <p className="status status-pending" role="status" aria-live="polite" data-testid={testId} data-stage="pending">
      <span className="spinner" aria-hidden="true" /> {state.label}
      {tx ? ` — ${TX_WORDS[tx.stage]}` : "…"}
      {tx && "hash" in tx ? <span className="mono small"> tx {tx.hash.slice(0, 10)}…</span> : null}
    </p>
  );
}
