"use client";

/**
 * Hooks keyed by the MedVault contract: reads typed from the ABI that stay disabled while an
 * argument is missing, live queries refreshed on every new block, and a transaction runner that
 * reports simulating → signing → pending → confirmed / failed in plain words.
 */
import { keepPreviousData, useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import type { Address } from "viem";
import { useBlockNumber, useBytecode, useConnection } from "wagmi";
import { contractAddressFor } from "@/app/config.ts";
import {
  explainError,
  readView,
  type ReadArgs,
  type ReadName,
  type TxStatus,
  type VaultContext,
} from "@/lib/vault/index.ts";
import { useVault } from "./useVault.ts";

export function useMedVaultAddress(): Address | undefined {
  const { chainId } = useConnection();
  return contractAddressFor(chainId);
}

/** True / false once known whether the configured contract has code on the connected chain. */
export function useMedVaultDeployed(): boolean | undefined {
  const address = useMedVaultAddress();
  const { chainId } = useConnection();
  const { data, isSuccess } = useBytecode({ address, chainId, query: { enabled: Boolean(address) } });
  if (!chainId) return undefined;
  if (!address) return false;
  return isSuccess ? Boolean(data && data !== "0x") : undefined;
}

/**
 * A view of MedVault on the connected chain, typed from the ABI by function name (a wrong
 * name or argument fails `tsc`), refreshed on every block; disabled while `args` is
 * undefined or holds an undefined.
 */
export function useMedVaultRead<F extends ReadName>(functionName: F, args: ReadArgs<F> | undefined) {
  const ready = args !== undefined && (args as readonly unknown[]).every((a) => a !== undefined);
  return useLiveQuery(
    ["view", functionName, ...((args ?? []) as readonly unknown[]).map(String)],
    (ctx) => readView(ctx, functionName, args!),
    ready,
  );
}

/** Invalidates every live query on each new block, so new events appear without reload. */
export function useLiveRefresh() {
  const queryClient = useQueryClient();
  const { data: block } = useBlockNumber({ watch: true });
  useEffect(() => {
    if (block !== undefined) void queryClient.invalidateQueries({ queryKey: ["live"] });
  }, [block, queryClient]);
}

export function useLiveQuery<T>(key: QueryKey, fn: (ctx: VaultContext) => Promise<T>, enabled = true) {
  const { readCtx } = useVault();
  return useQuery({
    queryKey: ["live", readCtx?.chainId, readCtx?.contract, readCtx?.account, ...key],
    queryFn: () => fn(readCtx!),
    enabled: Boolean(readCtx) && enabled,
    placeholderData: keepPreviousData,
  });
}

export type ActionState =
  | { phase: "idle" }
  | { phase: "working"; label: string; tx?: TxStatus }
  | { phase: "done"; label: string; hash?: string }
  | { phase: "failed"; message: string; code: string; rejected: boolean };

/** Runs one user action; errors become sentences (a revert's custom error, a wallet refusal…). */
export function useAction() {
  const [state, setState] = useState<ActionState>({ phase: "idle" });
  const queryClient = useQueryClient();
  const run = useCallback(
    async <T>(
      label: string,
      fn: (onTx: (s: TxStatus) => void) => Promise<T>,
      doneLabel?: string,
    ): Promise<T | undefined> => {
      setState({ phase: "working", label });
      let hash: string | undefined;
      try {
        const out = await fn((tx) => {
          if ("hash" in tx) hash = tx.hash;
          setState({ phase: "working", label, tx });
        });
        setState({ phase: "done", label: doneLabel ?? label, ...(hash ? { hash } : {}) });
        await queryClient.invalidateQueries({ queryKey: ["live"] });
        return out;
      } catch (err) {
        const e = explainError(err);
        setState({ phase: "failed", message: e.message, code: e.code, rejected: e.rejected });
        return undefined;
      }
    },
    [queryClient],
  );
  const reset = useCallback(() => setState({ phase: "idle" }), []);
  return { state, run, reset };
}
