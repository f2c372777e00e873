/**
 * Server-side entry point of lib/storage. Browser code imports `./cid.ts` and
 * `./types.ts` directly: this module pulls in libp2p and Node's file system.
 */
import { DEFAULT_DATA_DIR, HeliaStore } from "./helia.ts";
import { KuboStore } from "./kubo.ts";
import { StorageUnavailableError, type RecordStore, type StorageBackend } from "./types.ts";

export * from "./types.ts";
export * from "./cid.ts";
export { HeliaStore, DEFAULT_DATA_DIR, type HeliaStoreOptions } from "./helia.ts";
export { KuboStore, type KuboStoreOptions } from "./kubo.ts";

type Env = Record<string, string | undefined>;

export interface StorageConfig {
  backend: StorageBackend;
  dataDir: string;
  listenPort: number;
  apiUrl?: string;
  networkFetch: boolean;
}

/**
 * Reads the storage settings: `STORAGE_BACKEND` (helia | kubo; kubo when only
 * `IPFS_API_URL` is set), `IPFS_API_URL`, `IPFS_DATA_DIR`, `IPFS_LISTEN_PORT`,
 * `IPFS_NETWORK_FETCH` (1/true lets the node fetch records it lacks from peers).
 */
export function storageConfigFromEnv(env: Env = process.env): StorageConfig {
  const apiUrl = env.IPFS_API_URL?.trim() || undefined;
  const requested = env.STORAGE_BACKEND?.trim().toLowerCase() || undefined;
  if (requested !== undefined && requested !== "helia" && requested !== "kubo") {
    throw new StorageUnavailableError(`STORAGE_BACKEND must be "helia" or "kubo", got "${env.STORAGE_BACKEND}"`);
  }
  const backend: StorageBackend = requested ?? (apiUrl ? "kubo" : "helia");
  if (backend === "kubo" && !apiUrl) {
    throw new StorageUnavailableError("STORAGE_BACKEND=kubo needs IPFS_API_URL (e.g. http://127.0.0.1:5001)");
  }
  const portText = env.IPFS_LISTEN_PORT?.trim() || "0";
  const listenPort = Number(portText);
  if (!/^\d+$/.test(portText) || listenPort > 65535) {
    throw new StorageUnavailableError(`IPFS_LISTEN_PORT must be a port number 0-65535, got "${env.IPFS_LISTEN_PORT}"`);
  }
  const fetchText = env.IPFS_NETWORK_FETCH?.trim().toLowerCase() ?? "";
  return {
    backend,
    dataDir: env.IPFS_DATA_DIR?.trim() || DEFAULT_DATA_DIR,
    listenPort,
    apiUrl,
    networkFetch: fetchText === "1" || fetchText === "true",
  };
}

export async function createStoreFromEnv(env: Env = process.env): Promise<RecordStore> {
  const config = storageConfigFromEnv(env);
  if (config.backend === "kubo") {
    return new KuboStore({ url: config.apiUrl!, networkFetch: config.networkFetch });
  }
  return HeliaStore.create({
    dataDir: config.dataDir,
    listenPort: config.listenPort,
    networkFetch: config.networkFetch,
  });
}

// Next.js dev re-evaluates modules on every edit; two Helia nodes on one data folder
// would fight over it, so the store lives on globalThis, not in module scope.
const KEY = Symbol.for("medvault.storage");
type Holder = { [KEY]?: Promise<RecordStore> };

/** The process-wide store, created from the environment on first use. */
export function getStore(): Promise<RecordStore> {
  const holder = globalThis as Holder;
  let pending = holder[KEY];
  if (!pending) {
    pending = createStoreFromEnv();
    holder[KEY] = pending;
    // A failed start (e.g. Kubo URL typo) must not poison every later request.
    pending.catch(() => {
      if (holder[KEY] === pending) delete holder[KEY];
    });
  }
  return pending;
}

/** Stops the process-wide store (shutdown hooks, tests). */
export async function closeStore(): Promise<void> {
  const holder = globalThis as Holder;
  const pending = holder[KEY];
  delete holder[KEY];
  if (pending) await (await pending.catch(() => undefined))?.close();
}
