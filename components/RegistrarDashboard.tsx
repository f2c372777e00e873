"use client";

import { useState } from "react";
import { getAddress, hexToString, isAddress, keccak256, stringToHex, toBytes, type Address, type Hex } from "viem";
import { listClinicians, sendTx, type VaultContext } from "@/lib/vault/index.ts";
import { useAction, useLiveQuery, useMedVaultRead } from "@/hooks/useMedVault.ts";
import { ActionStatus } from "./ActionStatus.tsx";
import { formatTime } from "./Records.tsx";

const REGISTRAR_ROLE = keccak256(toBytes("REGISTRAR_ROLE"));

function licenceText(id: Hex): string {
  try {
    return hexToString(id, { size: 32 }).replace(/\0+$/, "");
  } catch {
    return id;
  }
}

export function RegistrarDashboard({ ctx }: { ctx: VaultContext }) {
  const { data: isRegistrar } = useMedVaultRead<boolean>("hasRole", [REGISTRAR_ROLE, ctx.account]);
  const clinicians = useLiveQuery(["clinicians"], listClinicians);
  const [address, setAddress] = useState("");
  const [name, setName] = useState("");
  const [licence, setLicence] = useState("");
  const verify = useAction();
  const change = useAction();
  const licenceOk = new TextEncoder().encode(licence.trim()).length <= 32;

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
          const n = name.trim();
          void verify.run(
            "Verifying clinician",
            (onTx) =>
              sendTx(
                ctx,
                { functionName: "verifyClinician", args: [getAddress(address), stringToHex(licence.trim(), { size: 32 }), keccak256(toBytes(n)), n] },
                onTx,
              ),
            `${n} verified`,
          );
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
              const act = (fn: "suspendClinician" | "reinstateClinician", label: string) =>
                change.run(label, (onTx) => sendTx(ctx, { functionName: fn, args: [c.address as Address] }, onTx), `${c.name}: ${fn === "suspendClinician" ? "suspended" : "reinstated"}`);
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
                      <button type="button" className="btn btn-danger" data-testid={`suspend-${a}`} disabled={change.state.phase === "working"} onClick={() => act("suspendClinician", `Suspending ${c.name}`)}>Suspend</button>
                    ) : (
                      <button type="button" className="btn btn-secondary" data-testid={`reinstate-${a}`} disabled={change.state.phase === "working"} onClick={() => act("reinstateClinician", `Reinstating ${c.name}`)}>Reinstate</button>
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
