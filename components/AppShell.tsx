"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { useConnection } from "wagmi";
import { isSupportedChain } from "@/app/config.ts";
import { useLiveRefresh, useMedVaultAddress, useMedVaultDeployed } from "@/hooks/useMedVault.ts";
import { ConnectControl } from "./ConnectControl.tsx";

const NAV = [
  { href: "/patient", label: "Patient" },
  { href: "/clinician", label: "Clinician" },
  { href: "/registrar", label: "Registrar" },
];

function ContractBanner() {
  const { chainId, status } = useConnection();
  const address = useMedVaultAddress();
  const deployed = useMedVaultDeployed();
  if (status !== "connected" || !isSupportedChain(chainId) || deployed !== false) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="contract-missing-banner">
      {address
        ? `No MedVault contract is deployed at ${address} on chain ${chainId}. Start the local stack (./medvault start) or deploy the contracts, then reload.`
        : `MedVault has no contract address configured for chain ${chainId}.`}
    </div>
  );
}

export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  useLiveRefresh();
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand" aria-label="MedVault home">
          <svg width="26" height="26" viewBox="0 0 24 24" aria-hidden="true">
            <rect x="3" y="3" width="18" height="18" rx="5" fill="currentColor" />
            <path d="M12 7v10M7 12h10" stroke="#fff" strokeWidth="2.4" strokeLinecap="round" />
          </svg>
          MedVault
        </Link>
        <nav aria-label="Dashboards" className="nav">
          {NAV.map((n) => (
            <Link
              key={n.href}
              href={n.href}
              className={pathname?.startsWith(n.href) ? "active" : undefined}
              aria-current={pathname?.startsWith(n.href) ? "page" : undefined}
              data-testid={`nav-${n.label.toLowerCase()}`}
            >
              {n.label}
            </Link>
          ))}
        </nav>
        <ConnectControl />
      </header>
      <ContractBanner />
      <main id="main" className="container">
        {children}
      </main>
      <footer className="footer">
        Records are encrypted in your browser. Only their fingerprints (CIDs), consents and access events go on-chain.
      </footer>
    </>
  );
}
