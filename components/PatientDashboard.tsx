"use client";

import { useEffect, useMemo, useState } from "react";
import { getAddress, isAddress } from "viem";
import { ageFrom, GENDERS, type Gender, type ProfileForm } from "@/lib/fhir/index.ts";
import { CATEGORIES, EMERGENCY_CATEGORIES, getCategory, categoriesFromMask } from "@/lib/records/categories.ts";
import {
  emergencyKitOf,
  grantAccess,
  listClinicians,
  listRegistrars,
  setupEmergencyKit,
  listGrants,
  listRecords,
  ownKeyResolver,
  reencryptAll,
  latestProfileRecord,
  readProfile,
  revokeAccess,
  saveProfile,
  timelinePage,
  endEmergency,
  type AccountKeys,
  type GrantInfo,
  type RecordInfo,
  type VaultContext,
} from "@/lib/vault/index.ts";
import { Permission, PURPOSES, Purpose, Scope } from "@/lib/chain/vocabulary.ts";
import { useAction, useLiveQuery } from "@/hooks/useMedVault.ts";
import { ActionStatus } from "./ActionStatus.tsx";
import { formatTime, permissionLabel, shortAddress } from "@/lib/format.ts";
import { AddRecordForm, RecordRow } from "./Records.tsx";
import { AccessChart, TimelineList } from "./Timeline.tsx";

const EMPTY: ProfileForm = { name: "", birthDate: "", gender: "unknown", phone: "", email: "", address: "", currentProblem: "" };

function ProfileSection({ ctx, keys, records }: { ctx: VaultContext; keys: AccountKeys; records: RecordInfo[] }) {
  const resolver = useMemo(() => ownKeyResolver(ctx, keys), [ctx, keys]);
  const latest = latestProfileRecord(records);
  const [form, setForm] = useState<ProfileForm>(EMPTY);
  const [loadedId, setLoadedId] = useState<number | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const action = useAction();

  useEffect(() => {
    if (!latest || latest.recordId === loadedId) return;
    let cancelled = false;
    readProfile(ctx, resolver, records)
      .then((p) => {
        if (!cancelled && p) {
          setForm(p.profile);
          setLoadedId(p.record.recordId);
        }
      })
      .catch((err: Error) => !cancelled && setLoadError(err.message));
    return () => {
      cancelled = true;
    };
  }, [ctx, resolver, records, latest, loadedId]);

  const set = (k: keyof ProfileForm) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  let age: number | undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(form.birthDate)) age = ageFrom(form.birthDate);

  return (
    <form
      className="card form"
      data-testid="profile-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const out = await action.run("Saving profile", (onTx) => saveProfile(ctx, resolver, keys.account, form, latest, (p) => p.tx && onTx(p.tx)), "Profile saved");
        if (out) setLoadedId(out.recordId);
      }}
    >
      <h2>Profile</h2>
      <p className="muted small">Encrypted in this browser as a FHIR Patient and Condition; never written on-chain.</p>
      {loadError ? <p className="status status-error">{loadError}</p> : null}
      <div className="row">
        <label>Full name<input value={form.name} onChange={set("name")} required autoComplete="name" data-testid="profile-name" /></label>
        <label>
          Date of birth {age !== undefined && age >= 0 ? <span className="muted small" data-testid="profile-age">(age {age})</span> : null}
          <input type="date" value={form.birthDate} onChange={set("birthDate")} required data-testid="profile-birthdate" />
        </label>
        <label>
          Gender
          <select value={form.gender} onChange={(e) => setForm((f) => ({ ...f, gender: e.target.value as Gender }))} data-testid="profile-gender">
            {GENDERS.map((g) => <option key={g} value={g}>{g}</option>)}
          </select>
        </label>
      </div>
      <div className="row">
        <label>Phone<input type="tel" value={form.phone} onChange={set("phone")} autoComplete="tel" data-testid="profile-phone" /></label>
        <label>Email<input type="email" value={form.email} onChange={set("email")} autoComplete="email" data-testid="profile-email" /></label>
      </div>
      <label>Address<input value={form.address} onChange={set("address")} autoComplete="street-address" data-testid="profile-address" /></label>
      <label>Current problem<textarea value={form.currentProblem} onChange={set("currentProblem")} rows={3} data-testid="profile-problem" /></label>
      <button type="submit" className="btn btn-primary" disabled={action.state.phase === "working"} data-testid="profile-save">Encrypt and save profile</button>
      <ActionStatus state={action.state} testId="profile-status" />
    </form>
  );
}

const DAY = 86_400;

/** What a patient grants a clinician from this form (escrow goes through the emergency kit). */
type GrantPermission = typeof Permission.Read | typeof Permission.ReadWrite;

/** The strong answer to a revocation: every live record re-encrypted under new keys, old versions erased. */
function ReencryptCard({ ctx, keys }: { ctx: VaultContext; keys: AccountKeys }) {
  const action = useAction();
  const [progress, setProgress] = useState<string | undefined>();
  return (
    <section className="card">
      <h2>Re-encrypt everything</h2>
      <p className="small muted">
        Revoking stops access to anything written afterwards, but a clinician may have kept old copies. This re-encrypts every record under new keys,
        shares the new keys with the clinicians who still have access, and erases the old versions. One wallet confirmation per record.
      </p>
      <button
        type="button"
        className="btn btn-secondary"
        data-testid="reencrypt-all"
        disabled={action.state.phase === "working"}
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
      </button>
      {action.state.phase === "working" && progress ? <p className="small" data-testid="reencrypt-progress">{progress}</p> : null}
      <ActionStatus state={action.state} testId="reencrypt-status" />
    </section>
  );
}

function ConsentSection({ ctx, keys, records, grants, names }: { ctx: VaultContext; keys: AccountKeys; records: RecordInfo[]; grants: GrantInfo[]; names: Map<string, string> }) {
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
  const revoking = useAction();
  const matching = verified.filter((c) => `${c.name} ${c.address}`.toLowerCase().includes(filter.toLowerCase()));
  const toggle = (list: number[], v: number) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

  return (
    <div className="stack">
      <form
        className="card form"
        data-testid="grant-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const expiry = Math.floor(Date.now() / 1000) + days * DAY;
          await action.run(
            "Granting access",
            (onTx) => grantAccess(ctx, keys, { grantee: getAddress(grantee), scope, categories: cats, recordIds: recs, permission, expiry, purpose }, onTx),
            "Access granted",
          );
        }}
      >
        <h2>Share with a clinician</h2>
        <label>Find a verified clinician (name or address)<input value={filter} onChange={(e) => setFilter(e.target.value)} data-testid="grant-search" placeholder="e.g. Okafor or 0x3C44…" /></label>
        <label>
          Clinician
          <select value={grantee} onChange={(e) => setGrantee(e.target.value)} required data-testid="grant-clinician">
            <option value="">— choose —</option>
            {matching.map((c) => <option key={c.address} value={c.address}>{c.name} ({shortAddress(c.address)})</option>)}
          </select>
        </label>
        <fieldset>
          <legend>What to share</legend>
          <div className="checks">
            <label><input type="radio" name="scope" checked={scope === Scope.Categories} onChange={() => setScope(Scope.Categories)} data-testid="grant-scope-categories" /> Categories</label>
            <label><input type="radio" name="scope" checked={scope === Scope.Records} onChange={() => setScope(Scope.Records)} data-testid="grant-scope-records" /> Single records</label>
            <label><input type="radio" name="scope" checked={scope === Scope.All} onChange={() => setScope(Scope.All)} data-testid="grant-scope-all" /> Everything</label>
          </div>
          {scope === Scope.Categories ? (
            <div className="checks" data-testid="grant-categories">
              {CATEGORIES.map((c) => (
                <label key={c.id}><input type="checkbox" checked={cats.includes(c.id)} onChange={() => setCats((l) => toggle(l, c.id))} data-testid={`grant-category-${c.id}`} /> {c.label}</label>
              ))}
            </div>
          ) : null}
          {scope === Scope.Records ? (
            <div className="checks" data-testid="grant-records">
              {records.filter((r) => !r.erased).map((r) => (
                <label key={r.recordId}><input type="checkbox" checked={recs.includes(r.recordId)} onChange={() => setRecs((l) => toggle(l, r.recordId))} data-testid={`grant-record-${r.recordId}`} /> #{r.recordId} {getCategory(r.category).label}</label>
              ))}
            </div>
          ) : null}
        </fieldset>
        <div className="row">
          <label>
            Permission
            <select value={permission} onChange={(e) => setPermission(Number(e.target.value) === Permission.ReadWrite ? Permission.ReadWrite : Permission.Read)} data-testid="grant-permission">
              <option value={Permission.Read}>Read</option>
              <option value={Permission.ReadWrite}>Read and add records</option>
            </select>
          </label>
          <label>
            For
            <select value={days} onChange={(e) => setDays(Number(e.target.value))} data-testid="grant-expiry-days">
              {[1, 7, 30, 90, 365].map((d) => <option key={d} value={d}>{d === 1 ? "1 day" : `${d} days`}</option>)}
            </select>
          </label>
          <label>
            Purpose
            <select value={purpose} onChange={(e) => setPurpose(Number(e.target.value))} data-testid="grant-purpose">
              {PURPOSES.map((p, i) => <option key={p} value={i}>{p}</option>)}
            </select>
          </label>
        </div>
        <button type="submit" className="btn btn-primary" disabled={!grantee || action.state.phase === "working"} data-testid="grant-submit">Grant access</button>
        <ActionStatus state={action.state} testId="grant-status" />
      </form>

      <section className="card">
        <h2>Who can see my records</h2>
        <ActionStatus state={revoking.state} testId="revoke-status" />
        {grants.length === 0 ? <p className="muted">You have not shared anything yet.</p> : null}
        <ul className="list" data-testid="grants-list">
          {grants.map((g) => (
            <li key={g.grantee} className="item" data-testid={`grant-row-${g.grantee.toLowerCase()}`} data-state={g.state}>
              <div className="record-head">
                <strong>{names.get(g.grantee.toLowerCase()) ?? shortAddress(g.grantee)}</strong>
                <span className={g.state === "active" ? "pill pill-ok" : "pill pill-warn"} data-testid="grant-state">{g.state}</span>
              </div>
              <div className="small">
                {g.scope === Scope.All ? "Everything" : g.scope === Scope.Categories ? categoriesFromMask(g.categoryMask).map((c) => getCategory(c).label).join(", ") : `Records ${g.recordIds.map((r) => `#${r}`).join(", ")}`}
                {" · "}{permissionLabel(g.permission)} · {PURPOSES[g.purpose]} · until {formatTime(g.expiry)}
              </div>
              {g.state === "active" || g.state === "suspended" ? (
                <button
                  type="button"
                  className="btn btn-danger"
                  data-testid={`revoke-${g.grantee.toLowerCase()}`}
                  disabled={revoking.state.phase === "working"}
                  onClick={() => revoking.run("Revoking access and rotating keys", (onTx) => revokeAccess(ctx, keys, g.grantee, (s) => onTx(s)), "Access revoked; keys rotated")}
                >
                  Revoke
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
      <EmergencyKitCard ctx={ctx} keys={keys} />
      <ReencryptCard ctx={ctx} keys={keys} />
    </div>
  );
}

/** Opt-in escrow of the emergency categories with a hospital registrar, for break-glass release. */
function EmergencyKitCard({ ctx, keys }: { ctx: VaultContext; keys: AccountKeys }) {
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
        void action.run("Setting up your emergency kit", (onTx) => setupEmergencyKit(ctx, keys, getAddress(registrar), onTx), "Emergency kit set up");
      }}
    >
      <h2>Emergency kit</h2>
      <p className="small" data-testid="emergency-kit-explain">
        If a clinician opens emergency (break-glass) access to you, the hospital registrar you choose can give them the keys to your {labels} —
        nothing else — and you see that on your timeline.
      </p>
      {kit.data ? (
        <p className="status status-ok" data-testid="emergency-kit-state">
          Your kit is with registrar {shortAddress(kit.data.grantee)} until {formatTime(kit.data.expiry)}. Revoke it under “Who can see my records”.
        </p>
      ) : (
        <p className="muted small" data-testid="emergency-kit-state">No emergency kit set up.</p>
      )}
      <div className="row">
        <label>
          Registrar
          <select value={chosen} onChange={(e) => setChosen(e.target.value)} data-testid="emergency-kit-registrar">
            <option value="">Choose…</option>
            {(registrars.data ?? []).map((r) => (
              <option key={r} value={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          or paste an address
          <input value={pasted} onChange={(e) => setPasted(e.target.value)} placeholder="0x…" data-testid="emergency-kit-address" />
        </label>
      </div>
      <button type="submit" className="btn btn-primary" disabled={!valid || action.state.phase === "working"} data-testid="emergency-kit-submit">
        Set up my emergency kit
      </button>
      <ActionStatus state={action.state} testId="emergency-kit-status" />
    </form>
  );
}

type Tab = "records" | "profile" | "sharing" | "timeline";

/** Viewing sessions per timeline page. */
const TIMELINE_PAGE = 100;

export function PatientDashboard({ ctx, keys }: { ctx: VaultContext; keys: AccountKeys }) {
  const [tab, setTab] = useState<Tab>("records");
  const records = useLiveQuery(["records", keys.account], (c) => listRecords(c, keys.account));
  const grants = useLiveQuery(["grants", keys.account], (c) => listGrants(c, keys.account));
  const clinicians = useLiveQuery(["clinicians"], listClinicians);
  // The timeline loads its newest page only (work bounded by what is shown, not by the
  // patient's whole history); "Show older" widens the page.
  const [timelineLimit, setTimelineLimit] = useState(TIMELINE_PAGE);
  const page = useLiveQuery(["timeline", keys.account, timelineLimit], (c) => timelinePage(c, keys.account, { limit: timelineLimit }));
  const events = { data: page.data?.entries, error: page.error };
  const names = useMemo(() => new Map((clinicians.data ?? []).map((c) => [c.address.toLowerCase(), c.name])), [clinicians.data]);
  const resolver = useMemo(() => async () => ownKeyResolver(ctx, keys), [ctx, keys]);
  const endAction = useAction();
  const now = Math.floor(Date.now() / 1000);
  const liveEmergencies = (events.data ?? []).filter((e) => e.kind === "emergency" && (e.expiresAt ?? 0) > now);
  const list = records.data ?? [];

  return (
    <div className="stack" data-testid="patient-dashboard">
      {liveEmergencies.map((e) => (
        <div key={e.id} className="banner-emergency" role="alert" data-testid="emergency-banner">
          Emergency access by {names.get(e.actor!.toLowerCase()) ?? e.actor} until {formatTime(e.expiresAt!)} — reason: “{e.reason}”.{" "}
          <button type="button" className="btn btn-secondary" data-testid="emergency-end" onClick={() => endAction.run("Ending emergency access", (onTx) => endEmergency(ctx, keys.account, e.actor!, onTx))}>
            End it now
          </button>
        </div>
      ))}
      <ActionStatus state={endAction.state} testId="emergency-end-status" />
      <div className="tabs" role="tablist" aria-label="Patient dashboard">
        {(["records", "profile", "sharing", "timeline"] as Tab[]).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} data-testid={`tab-${t}`} onClick={() => setTab(t)}>
            {t === "records" ? "Records" : t === "profile" ? "Profile" : t === "sharing" ? "Sharing" : "Access timeline"}
          </button>
        ))}
      </div>
      {tab === "profile" ? <ProfileSection ctx={ctx} keys={keys} records={list} /> : null}
      {tab === "records" ? (
        <div className="grid-2">
          <section className="card">
            <h2>My records</h2>
            {records.isLoading ? <p className="muted">Loading…</p> : null}
            {records.error ? <p className="status status-error">{records.error.message}</p> : null}
            {!records.isLoading && list.length === 0 ? <p className="muted" data-testid="records-empty">No records yet. Add the first one.</p> : null}
            <ul className="list" data-testid="records-list">
              {list.map((r) => <RecordRow key={r.recordId} ctx={ctx} record={r} resolver={resolver} names={names} canErase />)}
            </ul>
          </section>
          <AddRecordForm ctx={ctx} patient={keys.account} resolver={resolver} />
        </div>
      ) : null}
      {tab === "sharing" ? <ConsentSection ctx={ctx} keys={keys} records={list} grants={grants.data ?? []} names={names} /> : null}
      {tab === "timeline" ? (
        <div className="stack">
          <AccessChart entries={events.data ?? []} names={names} />
          <section className="card">
            <h2>Access timeline</h2>
            {events.error ? <p className="status status-error">{events.error.message}</p> : null}
            <TimelineList entries={events.data ?? []} names={names} />
            {page.data?.olderBefore !== undefined ? (
              <button type="button" className="btn btn-secondary" data-testid="timeline-older" onClick={() => setTimelineLimit((l) => l + TIMELINE_PAGE)}>
                Show older accesses
              </button>
            ) : null}
          </section>
        </div>
      ) : null}
    </div>
  );
}
