"use client";

import { Scope, PURPOSES } from "@/lib/chain/vocabulary.ts";
import { formatTime, permissionLabel, shortAddress } from "@/lib/format.ts";
import { categoriesFromMask, getCategory } from "@/lib/records/categories.ts";
import { revokeAccess, type AccountKeys, type GrantInfo, type VaultContext } from "@/lib/vault/index.ts";
import { useAction } from "@/hooks/useMedVault.ts";
import { ActionButton } from "../ActionButton.tsx";
import { ActionStatus } from "../ActionStatus.tsx";

function scopeText(g: GrantInfo): string {
  if (g.scope === Scope.All) return "Everything";
  if (g.scope === Scope.Categories) {
    return categoriesFromMask(g.categoryMask)
      .map((c) => getCategory(c).label)
      .join(", ");
  }
  return `Records ${g.recordIds.map((r) => `#${r}`).join(", ")}`;
}

/** Who can see the patient's records, on what terms, and the revoke button for each live grant. */
export function GrantsList({
  ctx,
  keys,
  grants,
  names,
}: {
  ctx: VaultContext;
  keys: AccountKeys;
  grants: GrantInfo[];
  names: Map<string, string>;
}) {
  const revoking = useAction();
  return (
    <section className="card">
      <h2>Who can see my records</h2>
      <ActionStatus state={revoking.state} testId="revoke-status" />
      {grants.length === 0 ? <p className="muted">You have not shared anything yet.</p> : null}
      <ul className="list" data-testid="grants-list">
        {grants.map((g) => (
          <li
            key={g.grantee}
            className="item"
            data-testid={`grant-row-${g.grantee.toLowerCase()}`}
            data-state={g.state}
          >
            <div className="record-head">
              <strong>{names.get(g.grantee.toLowerCase()) ?? shortAddress(g.grantee)}</strong>
              <span className={g.state === "active" ? "pill pill-ok" : "pill pill-warn"} data-testid="grant-state">
                {g.state}
              </span>
            </div>
            <div className="small">
              {scopeText(g)}
              {" · "}
              {permissionLabel(g.permission)} · {PURPOSES[g.purpose]} · until {formatTime(g.expiry)}
            </div>
            {g.state === "active" || g.state === "suspended" ? (
              <ActionButton
                action={revoking}
                variant="danger"
                testId={`revoke-${g.grantee.toLowerCase()}`}
                onClick={() =>
                  void revoking.run(
                    "Revoking access and rotating keys",
                    (onTx) => revokeAccess(ctx, keys, g.grantee, (s) => onTx(s)),
                    "Access revoked; keys rotated",
                  )
                }
              >
                Revoke
              </ActionButton>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
