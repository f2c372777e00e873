/**
 * Facts about the MedVault contract that every part needs — browser, server, scripts and
 * tests alike: its role ids, record flags, where it is deployed, and a viem chain for an RPC.
 * Framework-free and free of Node APIs, so the app's bundle can import it.
 */
import { defineChain, keccak256, toBytes, type Address, type Chain, type Hex } from "viem";
import { deployments } from "./generated.ts";

/** keccak256("REGISTRAR_ROLE"), as MedVault.REGISTRAR_ROLE. */
export const REGISTRAR_ROLE: Hex = keccak256(toBytes("REGISTRAR_ROLE"));

/** Record flag set by markErased, as MedVault.FLAG_ERASED (the codec flag is lib/storage/cid.ts's FLAG_DAG_PB). */
export const FLAG_ERASED = 0x40;

/** The local Hardhat chain's id. */
export const LOCAL_CHAIN_ID = 31337;

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
