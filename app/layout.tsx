import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { cookieToInitialState } from "wagmi";
import { Providers } from "@/components/Providers.tsx";
import { AppShell } from "@/components/AppShell.tsx";
import { makeWagmiConfig } from "@/app/config.ts";
import "./globals.css";

export const metadata: Metadata = {
  title: "MedVault — your medical records, your keys",
  description: "Patient-controlled medical records: encrypted in your browser, consent and access log on-chain.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#0f5e73" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The wallet connection lives in a cookie so the server renders the same state the client hydrates.
  const initialState = cookieToInitialState(makeWagmiConfig(), (await headers()).get("cookie"));
  return (
    <html lang="en">
      <body>
        <Providers initialState={initialState}>
          <AppShell>{children}</AppShell>
        </Providers>
      </body>
    </html>
  );
}
