"use client";

/**
 * Everything a dashboard needs before it can show data: a connected wallet on the right
 * network, a SIWE session for the storage routes, and the unlocked encryption key — and,
 * for a new account, onboarding (choose patient or clinician, register the key).
 */
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { useConnection } from "wagmi";
import { isSupportedChain } from "@/app/config.ts";
import { useAction } from "@/hooks/useMedVault.ts";
import { registerClinicianKey, registerPatient, type AccountKeys, type VaultContext } from "@/lib/vault/index.ts";
import { ActionButton } from "./ActionButton.tsx";
import { useChainName } from "./ConnectControl.tsx";
import { useVault } from "@/hooks/useVault.ts";

export const WHY_SIGNATURE =
  "Your wallet's signature of a fixed MedVault message is turned, inside this browser, into the key that encrypts your records — it costs nothing and sends no transaction.";

export type Role = "patient" | "clinician" | "registrar";

export function Gate({
  role,
  children,
}: {
  role: Role;
  children: (v: { ctx: VaultContext; keys: AccountKeys }) => ReactNode;
}) {
  const { status, chainId } = useConnection();
  const { ctx, keys, unlock, session, sessionLoading, signIn, setKeys } = useVault();
  const unlocking = useAction();
  const signing = useAction();
  const registering = useAction();
  const [chosen, setChosen] = useState<Role | undefined>(role === "registrar" ? undefined : role);
  const walletChain = useChainName(chainId);

  if (status !== "connected") {
    return (
      <section className="card gate" data-testid="gate-connect">
        <h2>Connect your wallet</h2>
        <p>MedVault works with MetaMask or any browser wallet. Use the Connect wallet button at the top of the page.</p>
      </section>
    );
  }
  if (!isSupportedChain(chainId)) {
    return (
      <section className="card gate" data-testid="gate-network">
        <h2>Wrong network</h2>
        <p>
          Your wallet is on {walletChain ?? `chain ${chainId}`}. Switch it to the MedVault network using the button at
          the top of the page.
        </p>
      </section>
    );
  }
  if (!ctx) return <p className="muted">Loading wallet…</p>;

  if (!session) {
    return (
      <section className="card gate" data-testid="gate-siwe">
        <h2>Sign in to MedVault</h2>
        <p>Sign a short message so the storage service knows it is you. Once per session; it costs nothing.</p>
        <ActionButton
          action={signing}
          testId="gate-siwe-button"
          statusTestId="siwe-status-line"
          disabled={sessionLoading}
          onClick={() => void signing.run("Signing in", () => signIn(), "Signed in")}
        >
          Sign in with Ethereum
        </ActionButton>
      </section>
    );
  }

  if (!keys) {
    return (
      <section className="card gate" data-testid="gate-unlock">
        <h2>Unlock your encryption key</h2>
        <p data-testid="why-signature">{WHY_SIGNATURE}</p>
        <ActionButton
          action={unlocking}
          testId="unlock-button"
          statusTestId="unlock-status"
          onClick={() => void unlocking.run("Unlocking", () => unlock(), "Unlocked")}
        >
          Unlock with my wallet
        </ActionButton>
      </section>
    );
  }

  if (!keys.registered) {
    if (role === "registrar") return <>{children({ ctx, keys })}</>;
    return (
      <section className="card gate" data-testid="onboarding">
        <h2>Welcome to MedVault</h2>
        <p>Are you here to keep your own records, or as a clinician reading records patients share with you?</p>
        <div className="role-choice" role="radiogroup" aria-label="I am a">
          <label className={chosen === "patient" ? "choice selected" : "choice"}>
            <input
              type="radio"
              name="role"
              value="patient"
              checked={chosen === "patient"}
              onChange={() => setChosen("patient")}
              data-testid="role-patient"
            />
            <strong>Patient</strong>
            <span>Keep a profile and records, decide who reads them.</span>
          </label>
          <label className={chosen === "clinician" ? "choice selected" : "choice"}>
            <input
              type="radio"
              name="role"
              value="clinician"
              checked={chosen === "clinician"}
              onChange={() => setChosen("clinician")}
              data-testid="role-clinician"
            />
            <strong>Clinician</strong>
            <span>Read what patients share with you (a registrar verifies you).</span>
          </label>
        </div>
        <p className="muted small">
          {WHY_SIGNATURE} Registering stores only the public half on-chain, so others can share keys with you; your
          wallet asks you to sign once more to check it gives the same key every time.
        </p>
        <ActionButton
          action={registering}
          testId="register-button"
          statusTestId="register-status"
          disabled={!chosen}
          onClick={async () => {
            const out = await registering.run(
              chosen === "clinician" ? "Registering your clinician key" : "Registering as a patient",
              (onTx) =>
                chosen === "clinician" ? registerClinicianKey(ctx, keys, onTx) : registerPatient(ctx, keys, onTx),
              "Registered",
            );
            if (out) setKeys(out);
          }}
        >
          Register
        </ActionButton>
        {chosen && chosen !== role ? (
          <p className="small">
            After registering, go to the <Link href={`/${chosen}`}>{chosen} dashboard</Link>.
          </p>
        ) : null}
      </section>
    );
  }
  return <>{children({ ctx, keys })}</>;
}
