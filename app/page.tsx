"use client";

import Link from "next/link";
import { useConnection } from "wagmi";
import { Gate } from "@/components/Gate.tsx";
import { ClinicianStatusCode } from "@/lib/chain/vocabulary.ts";
import { useMedVaultRead } from "@/hooks/useMedVault.ts";

function Landing() {
  const { address } = useConnection();
  const { data: isPatient } = useMedVaultRead("isPatient", address ? [address] : undefined);
  const { data: status } = useMedVaultRead("clinicianStatus", address ? [address] : undefined);
  return (
    <section className="card" data-testid="home-ready">
      <h2>You are set up</h2>
      <ul className="links">
        {isPatient ? (
          <li>
            <Link href="/patient" data-testid="go-patient">
              Open my patient dashboard →
            </Link>
          </li>
        ) : null}
        {status === ClinicianStatusCode.Verified || status === ClinicianStatusCode.Suspended || !isPatient ? (
          <li>
            <Link href="/clinician" data-testid="go-clinician">
              Open the clinician dashboard →
            </Link>
          </li>
        ) : null}
        <li>
          <Link href="/registrar" data-testid="go-registrar">
            Registrar: verify clinicians →
          </Link>
        </li>
      </ul>
    </section>
  );
}

export default function Home() {
  return (
    <div className="stack">
      <section className="hero">
        <h1>Your medical records, under your keys.</h1>
        <p>
          Records are encrypted in this browser before they leave it. The blockchain keeps their fingerprints, who may
          read them and until when, and a log of every access you can check.
        </p>
      </section>
      <Gate role="patient">{() => <Landing />}</Gate>
    </div>
  );
}
