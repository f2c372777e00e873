"use client";

import { RegistrarDashboard } from "@/components/registrar/RegistrarDashboard.tsx";
import { useVault } from "@/hooks/useVault.ts";

/** Registrars need no encryption key and no storage session: only their wallet, for transactions. */
export default function RegistrarPage() {
  const { ctx } = useVault();
  return (
    <div className="stack">
      <h1>Registrar</h1>
      {ctx ? (
        <RegistrarDashboard ctx={ctx} />
      ) : (
        <section className="card" data-testid="gate-connect">
          <h2>Connect your wallet</h2>
          <p>Connect the registrar&apos;s wallet on the MedVault network with the button at the top of the page.</p>
        </section>
      )}
    </div>
  );
}
