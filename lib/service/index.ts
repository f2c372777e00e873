/**
 * The storage service the Next.js routes use: one per process, built from the
 * environment on first request (so `next build`, which imports every route, needs no
 * secrets, chain or IPFS node).
 */
import { createChainClient } from "../chain/client.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { getStore } from "../storage/index.ts";
import { AccessLog } from "./access-log.ts";
import { json } from "./http.ts";
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
    // Uploads left pending by the previous process are swept on schedule, not on the next upload.
    service.context.uploads
      .resume()
      .catch((err) => console.error("[medvault service] could not read the upload bookkeeping", err));
  }
  return service;
}

/**
 * Runs `use` with the process's service. A configuration error (e.g. no SESSION_SECRET
 * in production) answers every route with a JSON 500 naming the variable, instead of
 * an empty error page.
 */
export async function withService(use: (service: MedVaultService) => Promise<Response>): Promise<Response> {
  let service: MedVaultService;
  try {
    service = getService();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`[medvault service] ${err.message}`);
      return json(500, {
        error: err.code,
        message: `the server is misconfigured: ${err.message}`,
        variable: err.variable,
      });
    }
    throw err;
  }
  return use(service);
}
