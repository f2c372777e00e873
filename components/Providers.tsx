"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { WagmiProvider, type State } from "wagmi";
import { makeWagmiConfig } from "@/app/config.ts";
import { VaultProvider } from "./VaultProvider.tsx";

export function Providers({ children, initialState }: { children: ReactNode; initialState: State | undefined }) {
  const [config] = useState(makeWagmiConfig);
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 2_000, retry: 1, refetchOnWindowFocus: false } } }),
  );
  return (
    <WagmiProvider config={config} initialState={initialState}>
      <QueryClientProvider client={queryClient}>
        <VaultProvider>{children}</VaultProvider>
      </QueryClientProvider>
    </WagmiProvider>
  );
}
