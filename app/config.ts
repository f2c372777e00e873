/**
 * The front end's one typed configuration: which chains the connect control offers, where
 * the MedVault contract lives on each, the app's settings, and the wagmi config built from
 * them. Addresses come from lib/chain/generated.ts (written by the deploy script);
 * NEXT_PUBLIC_* variables override them for a deployment that was not generated into this
 * checkout.
 */
import { defineChain, getAddress, isAddress, type Address, type Chain } from "viem";
import { baseSepolia, sepolia } from "viem/chains";
import { cookieStorage, createConfig, createStorage, http, injected } from "wagmi";
import { deployments } from "@/lib/chain/generated.ts";
import { LOCAL_CHAIN_ID } from "@/lib/chain/vocabulary.ts";

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

type DeploymentTable = Readonly<
  Record<number, { readonly MedVault?: Address; readonly deployBlock?: number } | undefined>
>;
const table: DeploymentTable = deployments;

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

export type AppConfig = {
  chains: readonly [Chain, ...Chain[]];
  defaultChainId: number;
  expiringSoonSeconds: number;
  pollingIntervalMs: number;
};

export const appConfig = {
  chains: configuredChains(),
  defaultChainId: Number(process.env.NEXT_PUBLIC_CHAIN_ID || LOCAL_CHAIN_ID),
  /** Grants expiring within this window sort first and are flagged on the clinician's list. */
  expiringSoonSeconds: 3 * 24 * 60 * 60,
  /** Live reads: the local node mines on demand, so poll often enough that new events show at once. */
  pollingIntervalMs: 1_000,
} as const satisfies AppConfig;

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

/**
 * Reads for the chain the storage service serves go through its read-only relay on this
 * origin (/api/rpc), so the browser never needs the node's URL or an API key; other chains
 * use their public RPC. On the server (cookie parsing only) no request is made.
 */
function rpcUrlFor(chainId: number): string | undefined {
  if (typeof window === "undefined" || chainId !== appConfig.defaultChainId) return undefined;
  return `${window.location.origin}/api/rpc`;
}

/**
 * Built once per request on the server (for cookieToInitialState) and once in the browser
 * (inside Providers' useState), never at module scope, so two users never share a store.
 */
export function makeWagmiConfig() {
  return createConfig({
    chains: appConfig.chains,
    // MetaMask first, but any EIP-1193 wallet the page finds works the same way.
    connectors: [injected()],
    storage: createStorage({ storage: cookieStorage }),
    ssr: true,
    pollingInterval: appConfig.pollingIntervalMs,
    transports: Object.fromEntries(appConfig.chains.map((c) => [c.id, http(rpcUrlFor(c.id))])),
  });
}

declare module "wagmi" {
  interface Register {
    config: ReturnType<typeof makeWagmiConfig>;
  }
}
