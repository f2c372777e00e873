"use client";

import type { KeyResolver } from "@/lib/crypto/category.ts";
import type { RecordInfo, VaultContext } from "@/lib/vault/index.ts";
import { RecordRow } from "../records/RecordRow.tsx";

/** The patient's own records, newest first, each openable, provable and erasable. */
export function MyRecordsCard({
  ctx,
  records,
  loading,
  error,
  resolver,
  names,
}: {
  ctx: VaultContext;
  records: RecordInfo[];
  loading: boolean;
  error: Error | null;
  resolver: () => Promise<KeyResolver>;
  names: Map<string, string>;
}) {
  return (
    <section className="card">
      <h2>My records</h2>
      {loading ? <p className="muted">Loading…</p> : null}
      {error ? <p className="status status-error">{error.message}</p> : null}
      {!loading && records.length === 0 ? (
        <p className="muted" data-testid="records-empty">
          No records yet. Add the first one.
        </p>
      ) : null}
      <ul className="list" data-testid="records-list">
        {records.map((r) => (
          <RecordRow key={r.recordId} ctx={ctx} record={r} resolver={resolver} names={names} canErase />
        ))}
      </ul>
    </section>
  );
}
