import { cookieStorage, createConfig, createStorage, http, injected } from "wagmi";
import { appConfig } from "@/app/config.ts";

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
    // Live reads: the local node mines on demand, so poll often enough that new events show at once.
    pollingInterval: 1_000,
    transports: Object.fromEntries(appConfig.chains.map((c) => [c.id, http(rpcUrlFor(c.id))])),
  });
}

declare module "wagmi" {
  interface Register {
    config: ReturnType<typeof makeWagmiConfig>;
  }
}
