"use client";

/**
 * The signed-in state of the page: the vault context built from wagmi's clients, the
 * unlocked encryption key (memory only — never stored, never sent), and the SIWE session
 * for the storage routes (one signature per browser session, kept by an httpOnly cookie).
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import { useConnection, usePublicClient, useWalletClient } from "wagmi";
import { contractAddressFor, deployBlockFor } from "@/app/config.ts";
import { VaultStateContext, type VaultState } from "@/hooks/useVault.ts";
import {
  getSession,
  signIn as vaultSignIn,
  unlockAccount,
  type AccountKeys,
  type VaultContext,
} from "@/lib/vault/index.ts";

const api = { baseUrl: "", fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init) };

export function VaultProvider({ children }: { children: ReactNode }) {
  const { address, chainId } = useConnection();
  const publicClient = usePublicClient({ chainId });
  const { data: walletClient } = useWalletClient({ chainId });
  const contract = contractAddressFor(chainId);
  const [keys, setKeys] = useState<AccountKeys | undefined>();
  const queryClient = useQueryClient();

  // A key unlocked for one account must never be used for another.
  useEffect(() => {
    setKeys((k) => (k && address && k.account.toLowerCase() === address.toLowerCase() ? k : undefined));
  }, [address]);

  const readCtx = useMemo<VaultContext | undefined>(
    () =>
      publicClient && address && contract && chainId
        ? {
            publicClient: publicClient as VaultContext["publicClient"],
            account: address,
            contract,
            chainId,
            api,
            fromBlock: deployBlockFor(chainId),
          }
        : undefined,
    [publicClient, address, contract, chainId],
  );
  const ctx = useMemo<VaultContext | undefined>(
    () =>
      readCtx && walletClient ? { ...readCtx, walletClient: walletClient as VaultContext["walletClient"] } : undefined,
    [readCtx, walletClient],
  );

  const sessionQuery = useQuery({
    queryKey: ["siwe-session", address],
    queryFn: async () => (await getSession(api)) ?? null,
    enabled: Boolean(address),
    staleTime: 60_000,
  });
  const session =
    sessionQuery.data && address && sessionQuery.data.address.toLowerCase() === address.toLowerCase()
      ? sessionQuery.data
      : undefined;

  const unlock = useCallback(async () => {
    if (!ctx) throw new Error("Connect your wallet first.");
    const k = await unlockAccount(ctx);
    setKeys(k);
    return k;
  }, [ctx]);

  const signIn = useCallback(async () => {
    if (!ctx) throw new Error("Connect your wallet first.");
    await vaultSignIn(ctx);
    await queryClient.invalidateQueries({ queryKey: ["siwe-session"] });
  }, [ctx, queryClient]);

  const value = useMemo<VaultState>(
    () => ({ ctx, readCtx, keys, setKeys, unlock, session, sessionLoading: sessionQuery.isLoading, signIn }),
    [ctx, readCtx, keys, unlock, session, sessionQuery.isLoading, signIn],
  );
  return <VaultStateContext.Provider value={value}>{children}</VaultStateContext.Provider>;
}
