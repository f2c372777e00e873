/**
 * Where MedVault is deployed, and a viem chain for an RPC — for browser, server, scripts and
 * tests alike (its vocabulary is in vocabulary.ts).
 * Framework-free and free of Node APIs, so the app's bundle can import it.
 */
import { defineChain, type Address, type Chain } from "viem";
import { deployments } from "./generated.ts";
import { LOCAL_CHAIN_ID } from "./vocabulary.ts";

/** MedVault's address on `chainId` from lib/chain/generated.ts, if something was deployed there. */
export function deployedAddress(chainId: number): Address | undefined {
  // The generated table only lists chains something was deployed to; any other id is a miss.
  const table = deployments as Readonly<Record<number, { readonly MedVault?: Address } | undefined>>;
  return table[chainId]?.MedVault;
}

/** A viem chain for `chainId` served at `rpcUrl` (empty for a custom transport). */
export function chainFor(chainId: number, rpcUrl = ""): Chain {
  return defineChain({
    id: chainId,
    name: chainId === LOCAL_CHAIN_ID ? "Hardhat" : `Chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: rpcUrl ? [rpcUrl] : [] } },
  });
}
