"use client";

/**
 * The signed-in state of the page, as React context: the vault context built from wagmi's
 * clients, the unlocked encryption key and the SIWE session. components/VaultProvider.tsx
 * provides it; hooks and components read it with useVault().
 */
import { createContext, useContext } from "react";
import type { AccountKeys, SessionInfo, VaultContext } from "@/lib/vault/index.ts";

export type VaultState = {
  ctx: VaultContext | undefined;
  /** Read-only context (no wallet needed), for reads before the wallet client is ready. */
  readCtx: VaultContext | undefined;
  keys: AccountKeys | undefined;
  setKeys: (k: AccountKeys | undefined) => void;
  unlock: () => Promise<AccountKeys>;
  session: SessionInfo | undefined;
  sessionLoading: boolean;
  signIn: () => Promise<void>;
};

export const VaultStateContext = createContext<VaultState | undefined>(undefined);

export function useVault(): VaultState {
  const v = useContext(VaultStateContext);
  if (!v) throw new Error("useVault must be used inside <VaultProvider>");
  return v;
}
