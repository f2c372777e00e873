/**
 * The shared setup of the test/lib/vault suites: a VaultContext for an account (the app's
 * clients, but over Hardhat's in-process chain and the real storage service on loopback),
 * the registrar role, and the text helpers the records are written with.
 */
import { createPublicClient, createWalletClient, custom, getAddress, type Address } from "viem";
import { chainFor } from "../../../lib/chain/contract.ts";
import { LOCAL_CHAIN_ID, REGISTRAR_ROLE } from "../../../lib/chain/vocabulary.ts";
import { cookieFetch, type VaultContext } from "../../../lib/vault/index.ts";
import type { Stack } from "../../service/harness.ts";

const chain = chainFor(LOCAL_CHAIN_ID);

export const enc = (s: string) => new TextEncoder().encode(s);
export const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Contexts over `provider` for `contract`; each has its own cookie jar (its own service session). */
export function vaultContexts(provider: Parameters<typeof custom>[0], contract: Address, baseUrl: string) {
  const transport = custom(provider, { retryCount: 0 });
  return (address: string): VaultContext => {
    const account = getAddress(address);
    return {
      publicClient: createPublicClient({ chain, transport, pollingInterval: 50 }),
      walletClient: createWalletClient({ chain, transport, account }),
      account,
      contract,
      chainId: LOCAL_CHAIN_ID,
      api: { baseUrl, fetch: cookieFetch() },
    };
  };
}

export function vaultContextFor(stack: Stack, address: string): VaultContext {
  return vaultContexts(stack.conn.provider, stack.contract, stack.url)(address);
}

/** The admin (account 0) makes `address` a registrar; returns the registrar's context. */
export async function registrarFor(stack: Stack, address: string): Promise<VaultContext> {
  await (await stack.medVault.grantRole(REGISTRAR_ROLE, address)).wait();
  return vaultContextFor(stack, address);
}
