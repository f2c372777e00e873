"use client";

import { useEffect, useMemo, useState } from "react";
import { ageFrom, GENDERS, type Gender, type ProfileForm } from "@/lib/fhir/index.ts";
import {
  latestProfileRecord,
  ownKeyResolver,
  readProfile,
  saveProfile,
  type AccountKeys,
  type RecordInfo,
  type VaultContext,
} from "@/lib/vault/index.ts";
import { useAction } from "@/hooks/useMedVault.ts";
import { ActionButton } from "../ActionButton.tsx";

const EMPTY: ProfileForm = {
  name: "",
  birthDate: "",
  gender: "unknown",
  phone: "",
  email: "",
  address: "",
  currentProblem: "",
};

const isGender = (g: string): g is Gender => GENDERS.some((x) => x === g);

/** The patient's profile form: loads the latest profile record, saves a new one that supersedes it. */
export function ProfileCard({ ctx, keys, records }: { ctx: VaultContext; keys: AccountKeys; records: RecordInfo[] }) {
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

  const set = (k: keyof ProfileForm) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));
  let age: number | undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(form.birthDate)) age = ageFrom(form.birthDate);

  return (
    <form
      className="card form"
      data-testid="profile-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const out = await action.run(
          "Saving profile",
          (onTx) => saveProfile(ctx, resolver, keys.account, form, latest, (p) => p.tx && onTx(p.tx)),
          "Profile saved",
        );
        if (out) setLoadedId(out.recordId);
      }}
    >
      <h2>Profile</h2>
      <p className="muted small">Encrypted in this browser as a FHIR Patient and Condition; never written on-chain.</p>
      {loadError ? <p className="status status-error">{loadError}</p> : null}
      <div className="row">
        <label>
          Full name
          <input value={form.name} onChange={set("name")} required autoComplete="name" data-testid="profile-name" />
        </label>
        <label>
          Date of birth{" "}
          {age !== undefined && age >= 0 ? (
            <span className="muted small" data-testid="profile-age">
              (age {age})
            </span>
          ) : null}
          <input
            type="date"
            value={form.birthDate}
            onChange={set("birthDate")}
            required
            data-testid="profile-birthdate"
          />
        </label>
        <label>
          Gender
          <select
            value={form.gender}
            onChange={(e) => {
              const gender = e.target.value;
              if (isGender(gender)) setForm((f) => ({ ...f, gender }));
            }}
            data-testid="profile-gender"
          >
            {GENDERS.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="row">
        <label>
          Phone
          <input type="tel" value={form.phone} onChange={set("phone")} autoComplete="tel" data-testid="profile-phone" />
        </label>
        <label>
          Email
          <input
            type="email"
            value={form.email}
            onChange={set("email")}
            autoComplete="email"
            data-testid="profile-email"
          />
        </label>
      </div>
      <label>
        Address
        <input
          value={form.address}
          onChange={set("address")}
          autoComplete="street-address"
          data-testid="profile-address"
        />
      </label>
      <label>
        Current problem
        <textarea value={form.currentProblem} onChange={set("currentProblem")} rows={3} data-testid="profile-problem" />
      </label>
      <ActionButton action={action} testId="profile-save" statusTestId="profile-status">
        Encrypt and save profile
      </ActionButton>
    </form>
  );
}
