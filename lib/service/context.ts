/** What every handler of the storage service is given: configuration and the real parts it talks to. */
import type { ChainClient } from "../chain/client.ts";
import type { ServerConfig } from "../config.ts";
import type { RecordStore } from "../storage/types.ts";
import type { AccessLog } from "./access-log.ts";
import { RateLimiter, RevokedSessions, SiweNonces } from "./session.ts";
import { UploadLedger } from "./uploads.ts";

export type ServiceDeps = {
  config: ServerConfig;
  chain: ChainClient;
  /** Resolved on first use, so importing a route never starts an IPFS node. */
  store: () => Promise<RecordStore>;
  accessLog: AccessLog;
};

export type ServiceContext = ServiceDeps & {
  nonces: SiweNonces;
  nonceRate: RateLimiter;
  revokedSessions: RevokedSessions;
  uploads: UploadLedger;
};

export function createContext(deps: ServiceDeps): ServiceContext {
  const { config } = deps;
  return {
    ...deps,
    nonces: new SiweNonces(config.sessionSecret, config.nonceTtlSeconds * 1000, config.maxUsedNonces),
    nonceRate: new RateLimiter(config.nonceRatePerMinute, 60_000),
    revokedSessions: new RevokedSessions(),
    uploads: new UploadLedger(config, deps.chain, deps.store),
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
