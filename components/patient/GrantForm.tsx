"use client";

import { useState } from "react";
import { getAddress, isAddress } from "viem";
import { Permission, PURPOSES, Purpose, Scope } from "@/lib/chain/vocabulary.ts";
import { addressProblem, shortAddress } from "@/lib/format.ts";
import { CATEGORIES, getCategory } from "@/lib/records/categories.ts";
import {
  grantAccess,
  listClinicians,
  type AccountKeys,
  type RecordInfo,
  type VaultContext,
} from "@/lib/vault/index.ts";
import { useAction, useLiveQuery } from "@/hooks/useMedVault.ts";
import { ActionButton } from "../ActionButton.tsx";

const DAY = 86_400;

/** What a patient grants a clinician from this form (escrow goes through the emergency kit). */
type GrantPermission = typeof Permission.Read | typeof Permission.ReadWrite;

const toggle = (list: number[], v: number) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

/** Shares categories, single records or everything with a verified clinician, for a purpose and a time. */
export function GrantForm({ ctx, keys, records }: { ctx: VaultContext; keys: AccountKeys; records: RecordInfo[] }) {
  const clinicians = useLiveQuery(["clinicians"], listClinicians);
  const verified = (clinicians.data ?? []).filter((c) => c.status === "verified");
  const [grantee, setGrantee] = useState("");
  const [filter, setFilter] = useState("");
  const [scope, setScope] = useState<Scope>(Scope.Categories);
  const [cats, setCats] = useState<number[]>([1]);
  const [recs, setRecs] = useState<number[]>([]);
  const [permission, setPermission] = useState<GrantPermission>(Permission.Read);
  const [days, setDays] = useState(1);
  const [purpose, setPurpose] = useState<number>(Purpose.Treatment);
  const action = useAction();
  const matching = verified.filter((c) => `${c.name} ${c.address}`.toLowerCase().includes(filter.toLowerCase()));
  const typed = filter.trim();
  const badAddress = /^0x/i.test(typed) ? addressProblem(typed) : null;
  const noMatch =
    badAddress || !typed || !clinicians.data || matching.length > 0
      ? null
      : isAddress(typed)
        ? `${typed} is not a verified clinician; only clinicians verified by a registrar can be granted access.`
        : `No verified clinician matches “${typed}”; only clinicians verified by a registrar can be granted access.`;
  const why = badAddress ?? noMatch;

  return (
    <form
      className="card form"
      data-testid="grant-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const expiry = Math.floor(Date.now() / 1000) + days * DAY;
        await action.run(
          "Granting access",
          (onTx) =>
            grantAccess(
              ctx,
              keys,
              { grantee: getAddress(grantee), scope, categories: cats, recordIds: recs, permission, expiry, purpose },
              onTx,
            ),
          "Access granted",
        );
      }}
    >
      <h2>Share with a clinician</h2>
      <label>
        Find a verified clinician (name or address)
        <input
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          data-testid="grant-search"
          placeholder="e.g. Okafor or 0x3C44…"
          aria-describedby={why ? "grant-search-why" : undefined}
        />
      </label>
      {why ? (
        <p className="status status-warn" id="grant-search-why" data-testid="grant-search-why" role="status">
          {why}
        </p>
      ) : null}
      <label>
        Clinician
        <select value={grantee} onChange={(e) => setGrantee(e.target.value)} required data-testid="grant-clinician">
          <option value="">— choose —</option>
          {matching.map((c) => (
            <option key={c.address} value={c.address}>
              {c.name} ({shortAddress(c.address)})
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>What to share</legend>
        <div className="checks">
          <label>
            <input
              type="radio"
              name="scope"
              checked={scope === Scope.Categories}
              onChange={() => setScope(Scope.Categories)}
              data-testid="grant-scope-categories"
            />{" "}
            Categories
          </label>
          <label>
            <input
              type="radio"
              name="scope"
              checked={scope === Scope.Records}
              onChange={() => setScope(Scope.Records)}
              data-testid="grant-scope-records"
            />{" "}
            Single records
          </label>
          <label>
            <input
              type="radio"
              name="scope"
              checked={scope === Scope.All}
              onChange={() => setScope(Scope.All)}
              data-testid="grant-scope-all"
            />{" "}
            Everything
          </label>
        </div>
        {scope === Scope.Categories ? (
          <div className="checks" data-testid="grant-categories">
            {CATEGORIES.map((c) => (
              <label key={c.id}>
                <input
                  type="checkbox"
                  checked={cats.includes(c.id)}
                  onChange={() => setCats((l) => toggle(l, c.id))}
                  data-testid={`grant-category-${c.id}`}
                />{" "}
                {c.label}
              </label>
            ))}
          </div>
        ) : null}
        {scope === Scope.Records ? (
          <div className="checks" data-testid="grant-records">
            {records
              .filter((r) => !r.erased)
              .map((r) => (
                <label key={r.recordId}>
                  <input
                    type="checkbox"
                    checked={recs.includes(r.recordId)}
                    onChange={() => setRecs((l) => toggle(l, r.recordId))}
                    data-testid={`grant-record-${r.recordId}`}
                  />{" "}
                  #{r.recordId} {getCategory(r.category).label}
                </label>
              ))}
          </div>
        ) : null}
      </fieldset>
      <div className="row">
        <label>
          Permission
          <select
            value={permission}
            onChange={(e) =>
              setPermission(Number(e.target.value) === Permission.ReadWrite ? Permission.ReadWrite : Permission.Read)
            }
            data-testid="grant-permission"
          >
            <option value={Permission.Read}>Read</option>
            <option value={Permission.ReadWrite}>Read and add records</option>
          </select>
        </label>
        <label>
          For
          <select value={days} onChange={(e) => setDays(Number(e.target.value))} data-testid="grant-expiry-days">
            {[1, 7, 30, 90, 365].map((d) => (
              <option key={d} value={d}>
                {d === 1 ? "1 day" : `${d} days`}
              </option>
            ))}
          </select>
        </label>
        <label>
          Purpose
          <select value={purpose} onChange={(e) => setPurpose(Number(e.target.value))} data-testid="grant-purpose">
            {PURPOSES.map((p, i) => (
              <option key={p} value={i}>
                {p}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ActionButton action={action} testId="grant-submit" statusTestId="grant-status" disabled={!grantee}>
        Grant access
      </ActionButton>
    </form>
  );
}
