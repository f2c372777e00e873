"use client";

import { useState } from "react";
import type { KeyResolver } from "@/lib/crypto/category.ts";
import { formatTime, shortAddress } from "@/lib/format.ts";
import { getCategory } from "@/lib/records/categories.ts";
import {
  eraseRecord,
  explainError,
  readRecord,
  type OpenedRecord,
  type RecordInfo,
  type VaultContext,
} from "@/lib/vault/index.ts";
import { useAction } from "@/hooks/useMedVault.ts";
import { ActionButton } from "../ActionButton.tsx";
import { ActionStatus } from "../ActionStatus.tsx";
import { OpenedView } from "./OpenedView.tsx";
import { ProofPanel } from "./ProofPanel.tsx";
import { VerifiedBadge } from "./VerifiedBadge.tsx";

/** One record in a list: open & decrypt, its proof, and (for the patient) erase. */
export function RecordRow({
  ctx,
  record,
  resolver,
  names,
  canErase = false,
}: {
  ctx: VaultContext;
  record: RecordInfo;
  resolver: (() => Promise<KeyResolver>) | undefined;
  names?: Map<string, string>;
  canErase?: boolean;
}) {
  const erase = useAction();
  const [opened, setOpened] = useState<OpenedRecord | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [showProof, setShowProof] = useState(false);
  const id = record.recordId;
  const author =
    names?.get(record.author.toLowerCase()) ??
    (record.author.toLowerCase() === record.patient.toLowerCase() ? "Patient" : shortAddress(record.author));
  return (
    <li className="record" data-testid={`record-row-${id}`} data-category={record.category}>
      <div className="record-head">
        <span className="badge">{getCategory(record.category).label}</span>
        <span className="record-title">
          Record #{id}
          {record.supersedes ? ` (replaces #${record.supersedes})` : ""}
        </span>
        <span className="muted small">
          {formatTime(record.time)} · by {author}
        </span>
        <VerifiedBadge ctx={ctx} record={record} />
      </div>
      <div className="record-actions">
        {resolver && !record.erased ? (
          <button
            type="button"
            className="btn btn-secondary"
            data-testid={`record-open-${id}`}
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              setError(undefined);
              try {
                setOpened(await readRecord(ctx, await resolver(), record));
              } catch (err) {
                setError(explainError(err).message);
              } finally {
                setBusy(false);
              }
            }}
          >
            {busy ? "Decrypting…" : opened ? "Reload" : "Open & decrypt"}
          </button>
        ) : null}
        <button
          type="button"
          className="btn btn-ghost"
          aria-expanded={showProof}
          data-testid={`record-proof-toggle-${id}`}
          onClick={() => setShowProof((v) => !v)}
        >
          {showProof ? "Hide proof" : "Proof"}
        </button>
        {canErase && !record.erased ? (
          <ActionButton
            action={erase}
            variant="ghost"
            testId={`record-erase-${id}`}
            onClick={() => {
              if (
                window.confirm(
                  `Erase record #${id}? It stays listed as erased, but nobody — you included — can read it again.`,
                )
              ) {
                setOpened(undefined);
                void erase.run("Erasing record", (onTx) => eraseRecord(ctx, record, onTx), `Record #${id} erased`);
              }
            }}
          >
            Erase
          </ActionButton>
        ) : null}
      </div>
      <ActionStatus state={erase.state} testId={`record-erase-status-${id}`} />
      {error ? (
        <p className="status status-error" role="alert" data-testid={`record-error-${id}`}>
          {error}
        </p>
      ) : null}
      {opened ? <OpenedView opened={opened} /> : null}
      {showProof ? <ProofPanel ctx={ctx} record={record} /> : null}
    </li>
  );
}
