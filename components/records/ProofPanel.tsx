"use client";

import { useState } from "react";
import { explainError, verifyRecord, type ProofCheck, type RecordInfo, type VaultContext } from "@/lib/vault/index.ts";

/** Where a record is anchored (CID, transaction, block, author), and a check of its stored bytes against the chain. */
export function ProofPanel({ ctx, record }: { ctx: VaultContext; record: RecordInfo }) {
  const [check, setCheck] = useState<ProofCheck | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const id = record.recordId;
  return (
    <div className="proof" data-testid={`record-proof-${id}`}>
      <dl className="kv mono small">
        <dt>CID</dt>
        <dd data-testid="proof-cid" className="break">
          {record.cid}
        </dd>
        <dt>Transaction</dt>
        <dd data-testid="proof-tx" className="break">
          {record.txHash}
        </dd>
        <dt>Block</dt>
        <dd data-testid="proof-block">{record.blockNumber.toString()}</dd>
        <dt>Author</dt>
        <dd data-testid="proof-author" className="break">
          {record.author}
        </dd>
      </dl>
      <button
        type="button"
        className="btn btn-secondary"
        data-testid="proof-verify"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          setCheck(undefined);
          try {
            setCheck(await verifyRecord(ctx, record));
          } catch (err) {
            setError(explainError(err).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? "Fetching and hashing…" : "Verify against the chain"}
      </button>
      {check ? (
        <p
          className={check.ok ? "status status-ok" : "status status-error"}
          role="status"
          data-testid="proof-result"
          data-verified={check.ok ? "true" : "false"}
        >
          {check.ok
            ? `✓ Verified: the ${check.bytes.toLocaleString()} bytes stored hash to the CID anchored on-chain.`
            : `✗ Tampered: the stored bytes hash to ${check.computedCid}, not ${check.onChainCid}.`}
        </p>
      ) : null}
      {error ? (
        <p className="status status-error" role="alert" data-testid="proof-result" data-verified="error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
