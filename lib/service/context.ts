/** What every handler of the storage service is given: configuration and the real parts it talks to. */
import type { ChainClient } from "../chain/client.ts";
import type { ServerConfig } from "../config.ts";
import type { RecordStore } from "../storage/types.ts";
import type { AccessLog } from "./access-log.ts";
import { NonceStore, RevokedSessions } from "./session.ts";

export type ServiceDeps = {
  config: ServerConfig;
  chain: ChainClient;
  /** Resolved on first use, so importing a route never starts an IPFS node. */
  store: () => Promise<RecordStore>;
  accessLog: AccessLog;
};

export type ServiceContext = ServiceDeps & {
  nonces: NonceStore;
  revokedSessions: RevokedSessions;
};

export function createContext(deps: ServiceDeps): ServiceContext {
  return {
    ...deps,
    nonces: new NonceStore(deps.config.nonceTtlSeconds * 1000, deps.config.maxPendingNonces),
    revokedSessions: new RevokedSessions(),
  };
}

/** Resolves `p` or rejects after `ms` with a message naming what timed out. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
