/**
 * The storage service the Next.js routes use: one per process, built from the
 * environment on first request (so `next build`, which imports every route, needs no
 * secrets, chain or IPFS node).
 */
import { createChainClient } from "../chain/client.ts";
import { loadConfig } from "../config.ts";
import { getStore } from "../storage/index.ts";
import { AccessLog } from "./access-log.ts";
import { createService, type MedVaultService } from "./service.ts";

export { createService, type MedVaultService } from "./service.ts";

// On globalThis, not module scope: Next.js dev re-evaluates modules on edits, and two
// services would mean two nonce stores and two writers of one access log.
const KEY = Symbol.for("medvault.service");
type Holder = { [KEY]?: MedVaultService };

export function getService(): MedVaultService {
  const holder = globalThis as Holder;
  let service = holder[KEY];
  if (!service) {
    const config = loadConfig();
    if (config.sessionSecretIsEphemeral) {
      console.warn("[medvault service] SESSION_SECRET is not set: using a random one, so a restart signs everyone out");
    }
    service = createService({
      config,
      chain: createChainClient(config),
      store: getStore,
      accessLog: new AccessLog(config.accessLogPath),
    });
    holder[KEY] = service;
  }
  return service;
}
