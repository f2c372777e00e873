/**
 * A VaultContext for an account of the service test harness: the app's clients, but over
 * Hardhat's in-process chain and the real storage service on loopback.
 */
import { createPublicClient, createWalletClient, custom, getAddress } from "viem";
import { chainFor } from "../../../lib/chain/contract.ts";
import { cookieFetch, type VaultContext } from "../../../lib/vault/index.ts";
import type { Stack } from "../../service/harness.ts";

const chain = chainFor(31337);

export function vaultContextFor(stack: Stack, address: string): VaultContext {
  const transport = custom(stack.conn.provider, { retryCount: 0 });
  const account = getAddress(address);
  return {
    publicClient: createPublicClient({ chain, transport, pollingInterval: 50 }),
    walletClient: createWalletClient({ chain, transport, account }),
    account,
    contract: stack.contract,
    chainId: 31337,
    // Each context has its own cookie jar: its own storage-service session.
    api: { baseUrl: stack.url, fetch: cookieFetch() },
  };
}
