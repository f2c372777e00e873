/**
 * The app's one typed configuration: which chains the connect control offers, where the
 * MedVault contract lives on each, and the storage service's base URL. Addresses come from
 * lib/chain/generated.ts (written by the deploy script); NEXT_PUBLIC_* variables override
 * them for a deployment that was not generated into this checkout.
 */
import { defineChain, getAddress, isAddress, type Address, type Chain } from "viem";
import { baseSepolia, sepolia } from "viem/chains";
import { deployments } from "@/lib/chain/generated.ts";

export const LOCAL_CHAIN_ID = 31337;

const localRpc = process.env.NEXT_PUBLIC_LOCAL_RPC_URL || "http://127.0.0.1:8545";

/** The local Hardhat node that `./medvault start` runs (Hardhat's own chain id). */
export const localChain = defineChain({
  id: LOCAL_CHAIN_ID,
  name: "MedVault local (Hardhat)",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [localRpc] } },
  testnet: true,
});

const knownChains: readonly Chain[] = [localChain, sepolia, baseSepolia];

type DeploymentTable = Readonly<Record<number, { readonly MedVault?: Address; readonly deployBlock?: number } | undefined>>;
const table = deployments as DeploymentTable;

function envContract(): Address | undefined {
  const raw = process.env.NEXT_PUBLIC_MEDVAULT_CONTRACT?.trim();
  return raw && isAddress(raw, { strict: false }) ? getAddress(raw) : undefined;
}

/** Chains the app talks to: the local node plus every chain something was deployed to. */
function configuredChains(): readonly [Chain, ...Chain[]] {
  const ids = new Set([LOCAL_CHAIN_ID, ...Object.keys(table).map(Number)]);
  const chains = knownChains.filter((c) => ids.has(c.id));
  return [localChain, ...chains.filter((c) => c.id !== LOCAL_CHAIN_ID)];
}

export const appConfig = {
  appName: "MedVault",
  chains: configuredChains(),
  defaultChainId: Number(process.env.NEXT_PUBLIC_CHAIN_ID || LOCAL_CHAIN_ID),
  /** The storage service is served by this same Next.js app (app/api). */
  apiBaseUrl: "",
  /** Grants expiring within this window sort first and are flagged on the clinician's list. */
  expiringSoonSeconds: 3 * 24 * 60 * 60,
} as const satisfies {
  appName: string;
  chains: readonly [Chain, ...Chain[]];
  defaultChainId: number;
  apiBaseUrl: string;
  expiringSoonSeconds: number;
};

/** The MedVault contract on `chainId`, or undefined when none is configured there. */
export function contractAddressFor(chainId: number | undefined): Address | undefined {
  if (chainId === undefined) return undefined;
  if (chainId === appConfig.defaultChainId) {
    const fromEnv = envContract();
    if (fromEnv) return fromEnv;
  }
  return table[chainId]?.MedVault;
}

export function isSupportedChain(chainId: number | undefined): boolean {
  return chainId !== undefined && appConfig.chains.some((c) => c.id === chainId);
}

/** Where event scans start on `chainId`: the deployment block when recorded, else genesis. */
export function deployBlockFor(chainId: number | undefined): bigint {
  const block = chainId === undefined ? undefined : table[chainId]?.deployBlock;
  return BigInt(block ?? 0);
}
