"use client";

import { useState, type ReactNode } from "react";
import { getAddress, isAddress, zeroHash, type Address } from "viem";
import {
  listClinicians,
  listOpenEmergencies,
  registerClinicianKey,
  licenceFits,
  licenceText,
  registeredKey,
  reinstateClinician,
  releaseEmergencyKit,
  suspendClinician,
  verifyClinician,
  type AccountKeys,
  type OpenEmergency,
  type VaultContext,
} from "@/lib/vault/index.ts";
import { REGISTRAR_ROLE } from "@/lib/chain/vocabulary.ts";
import { useAction, useLiveQuery, useMedVaultRead } from "@/hooks/useMedVault.ts";
import { ActionStatus } from "./ActionStatus.tsx";
import { formatTime, shortAddress } from "@/lib/format.ts";
import { Gate } from "./Gate.tsx";
import { useVault } from "@/hooks/useVault.ts";

export function RegistrarDashboard({ ctx }: { ctx: VaultContext }) {
  const { data: isRegistrar } = useMedVaultRead("hasRole", [REGISTRAR_ROLE, ctx.account]);
  const clinicians = useLiveQuery(["clinicians"], listClinicians);
  const [address, setAddress] = useState("");
  const [name, setName] = useState("");
  const [licence, setLicence] = useState("");
  const verify = useAction();
  const change = useAction();
  const licenceOk = licenceFits(licence);

  return (
    <div className="stack" data-testid="registrar-dashboard">
      {isRegistrar === false ? (
        <p className="status status-warn" role="alert" data-testid="not-registrar">
          This account does not hold the registrar role. You can see the list; verifying or suspending will be refused by the contract.
        </p>
      ) : null}
      <form
        className="card form"
        data-testid="verify-form"
        onSubmit={(e) => {
          e.preventDefault();
          void verify.run("Verifying clinician", (onTx) => verifyClinician(ctx, getAddress(address), { name, licence }, onTx), `${name.trim()} verified`);
        }}
      >
        <h2>Verify a clinician</h2>
        <label>Wallet address<input value={address} onChange={(e) => setAddress(e.target.value.trim())} required placeholder="0x…" data-testid="verify-address" /></label>
        <div className="row">
          <label>Full name<input value={name} onChange={(e) => setName(e.target.value)} required data-testid="verify-name" /></label>
          <label>Licence id<input value={licence} onChange={(e) => setLicence(e.target.value)} required data-testid="verify-licence" placeholder="e.g. GMC-7041123" /></label>
        </div>
        {!licenceOk ? <p className="status status-warn">A licence id is at most 32 bytes.</p> : null}
        <button type="submit" className="btn btn-primary" disabled={!isAddress(address, { strict: false }) || !name.trim() || !licence.trim() || !licenceOk || verify.state.phase === "working"} data-testid="verify-submit">
          Verify
        </button>
        <ActionStatus state={verify.state} testId="verify-status" />
      </form>
      <EscrowKey account={ctx.account} />
      <EmergencyKits ctx={ctx} names={new Map((clinicians.data ?? []).map((c) => [c.address.toLowerCase(), c.name]))} />
      <section className="card">
        <h2>Clinicians</h2>
        <ActionStatus state={change.state} testId="status-change" />
        <table data-testid="clinicians-table">
          <thead>
            <tr><th>Name</th><th>Address</th><th>Licence</th><th>Verified</th><th>Status</th><th><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {(clinicians.data ?? []).map((c) => {
              const a = c.address.toLowerCase();
              const suspend = () => change.run(`Suspending ${c.name}`, (onTx) => suspendClinician(ctx, c.address, onTx), `${c.name}: suspended`);
              const reinstate = () => change.run(`Reinstating ${c.name}`, (onTx) => reinstateClinician(ctx, c.address, onTx), `${c.name}: reinstated`);
              return (
                <tr key={a} data-testid={`clinician-row-${a}`}>
                  <td>{c.name}</td>
                  <td className="mono small break">{c.address}</td>
                  <td>{licenceText(c.licenceId)}</td>
                  <td className="small">{formatTime(c.time)}</td>
                  <td>
                    <span className={c.status === "verified" ? "pill pill-ok" : "pill pill-err"} data-testid={`clinician-status-${a}`}>{c.status}</span>
                  </td>
                  <td>
                    {c.status === "verified" ? (
                      <button type="button" className="btn btn-danger" data-testid={`suspend-${a}`} disabled={change.state.phase === "working"} onClick={suspend}>Suspend</button>
                    ) : (
                      <button type="button" className="btn btn-secondary" data-testid={`reinstate-${a}`} disabled={change.state.phase === "working"} onClick={reinstate}>Reinstate</button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </div>
  );
}

/**
 * Open break-glass accesses, each releasable to its clinician from the patient's emergency
 * kit. Releasing opens the escrow, so it needs the storage sign-in and the registrar's
 * unlocked (and registered) key; the rest of this page needs neither, so they are asked for
 * only when a release is started.
 */
function EmergencyKits({ ctx, names }: { ctx: VaultContext; names: Map<string, string> }) {
  const { keys, session } = useVault();
  const open = useLiveQuery(["open-emergencies"], listOpenEmergencies);
  const release = useAction();
  const [pending, setPending] = useState<OpenEmergency | undefined>();
  const who = (a: Address) => names.get(a.toLowerCase()) ?? shortAddress(a);
  const doRelease = (k: AccountKeys, e: OpenEmergency) =>
    release.run(
      `Releasing the emergency kit to ${who(e.clinician)}`,
      async (onTx) => {
        const out = await releaseEmergencyKit(ctx, k, e.patient, e.clinician, onTx);
        setPending(undefined);
        return out;
      },
      `Emergency kit released to ${who(e.clinician)}`,
    );
  const ready = Boolean(session && keys?.registered);
  return (
    <section className="card" data-testid="open-emergencies">
      <h2>Open emergency accesses</h2>
      <p className="muted small">
        Patients who set up an emergency kit escrowed their emergency categories with a registrar. Releasing re-wraps those keys for the
        clinician holding break-glass access, and the patient sees the release on their timeline.
      </p>
      <ActionStatus state={release.state} testId="release-kit-status" />
      {(open.data ?? []).length === 0 ? (
        <p className="muted" data-testid="open-emergencies-empty">No emergency access is open.</p>
      ) : (
        <table data-testid="open-emergencies-table">
          <thead>
            <tr><th>Patient</th><th>Clinician</th><th>Reason</th><th>Until</th><th><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {(open.data ?? []).map((e) => {
              const id = `${e.patient.toLowerCase()}-${e.clinician.toLowerCase()}`;
              return (
                <tr key={id} data-testid={`emergency-row-${id}`}>
                  <td className="mono small break">{e.patient}</td>
                  <td>{who(e.clinician)}</td>
                  <td className="small">{e.reason}</td>
                  <td className="small">{formatTime(e.expiresAt)}</td>
                  <td>
                    <button
                      type="button"
                      className={e.released ? "btn btn-secondary" : "btn btn-primary"}
                      data-testid={`release-kit-${id}`}
                      disabled={release.state.phase === "working"}
                      onClick={() => (ready && keys ? void doRelease(keys, e) : setPending(e))}
                    >
                      {e.released ? "Release again" : "Release emergency kit"}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {pending ? (
        <div className="stack" data-testid="release-kit-gate">
          <p className="small">
            To release {shortAddress(pending.patient)}&apos;s kit to {who(pending.clinician)}, sign in and unlock your registrar key.
          </p>
          <Gate role="registrar">
            {({ ctx: c, keys: k }) => (
              <KeyRegistered ctx={c} keys={k}>
                {(ready) => (
                  <button type="button" className="btn btn-primary" data-testid="release-kit-confirm" onClick={() => void doRelease(ready, pending)}>
                    Release now
                  </button>
                )}
              </KeyRegistered>
            )}
          </Gate>
        </div>
      ) : null}
    </section>
  );
}

/**
 * After the Gate: registers the registrar's encryption key if it has none yet (patients
 * escrow their kits with it), then shows `children`.
 */
function KeyRegistered({ ctx, keys, children }: { ctx: VaultContext; keys: AccountKeys; children: (k: AccountKeys) => ReactNode }) {
  const { setKeys } = useVault();
  const registering = useAction();
  if (!keys.registered) {
    return (
      <div className="stack">
        <p className="small">
          Patients escrow their kit with your registered encryption key; register it once (one transaction, public half only).
        </p>
        <button
          type="button"
          className="btn btn-primary"
          data-testid="registrar-register-key"
          disabled={registering.state.phase === "working"}
          onClick={async () => {
            const out = await registering.run("Registering your key", (onTx) => registerClinicianKey(ctx, keys, onTx), "Key registered");
            if (out) setKeys(out);
          }}
        >
          Register my key
        </button>
        <ActionStatus state={registering.state} testId="registrar-register-status" />
      </div>
    );
  }
  return <>{children(keys)}</>;
}

/** Whether patients can choose this registrar for their emergency kit, and the way to make it so. */
function EscrowKey({ account }: { account: Address }) {
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
            Patients can escrow their emergency kit only with a registrar whose encryption key is on-chain. Register yours once: your wallet
            signs a fixed message to derive it, and only its public half is stored.
          </p>
          <button type="button" className="btn btn-secondary" data-testid="escrow-key-setup" onClick={() => setOpen(true)}>
            Register my key
          </button>
        </div>
      )}
    </section>
  );
}
