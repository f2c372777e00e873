/**
 * The server's one configuration, read from the environment (see .env.example).
 *
 * `loadConfig()` validates every value and throws a `ConfigError` naming the variable,
 * so a typo in .env stops the server at start-up instead of surfacing as a strange 500.
 * The storage backend reads its own variables (STORAGE_BACKEND, IPFS_*) in lib/storage.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { getAddress, isAddress, type Address } from "viem";

export const configDefaults = {
  rpcUrl: "http://127.0.0.1:8545",
  chainId: 31337,
  siweOrigin: "http://localhost:3000",
  dataDir: "data",
  maxUploadBytes: 25 * 1024 * 1024,
  sessionTtlSeconds: 8 * 60 * 60,
  nonceTtlSeconds: 5 * 60,
  maxUsedNonces: 100_000,
  healthTimeoutMs: 2_000,
  rpcTimeoutMs: 5_000,
  viewingSessionSeconds: 60 * 60,
  nonceRatePerMinute: 30,
  uploadAnchorWindowSeconds: 15 * 60,
  maxPendingUploadBytes: 100 * 1024 * 1024,
  maxPendingUploads: 200,
} as const satisfies {
  rpcUrl: string;
  chainId: number;
  siweOrigin: string;
  dataDir: string;
  maxUploadBytes: number;
  sessionTtlSeconds: number;
  nonceTtlSeconds: number;
  maxUsedNonces: number;
  healthTimeoutMs: number;
  rpcTimeoutMs: number;
  viewingSessionSeconds: number;
  nonceRatePerMinute: number;
  uploadAnchorWindowSeconds: number;
  maxPendingUploadBytes: number;
  maxPendingUploads: number;
};

export type ServerConfig = {
  readonly rpcUrl: string;
  readonly chainId: number;
  /** From MEDVAULT_CONTRACT; when absent the chain client looks it up in lib/chain/generated.ts. */
  readonly contractAddress: Address | undefined;
  /** The origin the app is served from; SIWE messages must name it as their URI's origin. */
  readonly siweOrigin: string;
  /** The EIP-4361 `domain` (host[:port]) a message must carry; defaults to the origin's host. */
  readonly siweDomain: string;
  readonly secureCookies: boolean;
  readonly sessionSecret: Uint8Array;
  /** True when no SESSION_SECRET was given and a random per-process one is used. */
  readonly sessionSecretIsEphemeral: boolean;
  readonly sessionTtlSeconds: number;
  readonly nonceTtlSeconds: number;
  /** Used sign-in nonces remembered until they expire (only valid sign-ins add one). */
  readonly maxUsedNonces: number;
  readonly maxUploadBytes: number;
  readonly dataDir: string;
  readonly accessLogPath: string;
  readonly healthTimeoutMs: number;
  readonly rpcTimeoutMs: number;
  /** How long after its block an on-chain AccessSessionOpened lets its reader fetch the records it names. */
  readonly viewingSessionSeconds: number;
  /** Sign-in nonces one client address may ask for per minute. */
  readonly nonceRatePerMinute: number;
  /** Whether x-forwarded-for's first hop is the client (only behind a proxy that sets it). */
  readonly trustProxy: boolean;
  /** An upload not anchored on-chain within this many seconds is unpinned by the sweeper. */
  readonly uploadAnchorWindowSeconds: number;
  /** Per account: bytes and objects uploaded but not yet anchored on-chain. */
  readonly maxPendingUploadBytes: number;
  readonly maxPendingUploads: number;
  /** Upload bookkeeping (data/uploads.jsonl by default). */
  readonly uploadLedgerPath: string;
};

export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) <= 0) {
    throw new ConfigError(name, `expected a positive integer, got "${raw}"`);
  }
  return Number(raw);
}

function flag(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw || raw === "0" || raw === "false") return false;
  if (raw === "1" || raw === "true") return true;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

function httpUrl(env: Env, name: string, fallback: string): URL {
  const raw = env[name]?.trim() || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `not a URL: "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(name, `expected an http(s) URL, got "${raw}"`);
  }
  return url;
}

function sessionSecret(env: Env): { secret: Uint8Array; ephemeral: boolean } {
  const raw = env.SESSION_SECRET?.trim();
  if (!raw) {
    // A random secret only lives as long as the process, so every restart signs everyone
    // out: fine for development, never acceptable for a deployed server.
    if (env.NODE_ENV === "production") {
      throw new ConfigError("SESSION_SECRET", "required in production (generate one with `openssl rand -hex 32`)");
    }
    return { secret: new Uint8Array(randomBytes(32)), ephemeral: true };
  }
  const secret = new TextEncoder().encode(raw);
  if (secret.length < 32) {
    throw new ConfigError("SESSION_SECRET", "must be at least 32 characters (use `openssl rand -hex 32`)");
  }
  return { secret, ephemeral: false };
}

export function loadConfig(env: Env = process.env): ServerConfig {
  const rpcUrl = httpUrl(env, "MEDVAULT_RPC_URL", configDefaults.rpcUrl).toString();
  const origin = httpUrl(env, "SIWE_ORIGIN", configDefaults.siweOrigin);
  if (origin.pathname !== "/" || origin.search || origin.hash) {
    throw new ConfigError(
      "SIWE_ORIGIN",
      `expected a bare origin such as https://medvault.example, got "${origin.href}"`,
    );
  }
  const siweDomain = env.SIWE_DOMAIN?.trim() || origin.host;
  if (!/^[a-zA-Z0-9.-]+(:\d{1,5})?$/.test(siweDomain)) {
    throw new ConfigError("SIWE_DOMAIN", `expected host[:port], got "${siweDomain}"`);
  }

  const rawContract = env.MEDVAULT_CONTRACT?.trim();
  if (rawContract && !isAddress(rawContract, { strict: false })) {
    throw new ConfigError("MEDVAULT_CONTRACT", `not an address: "${rawContract}"`);
  }

  const { secret, ephemeral } = sessionSecret(env);
  // turbopackIgnore: a runtime folder, not a source path for Next's file tracing to follow.
  const dataDir = path.resolve(/*turbopackIgnore: true*/ env.MEDVAULT_DATA_DIR?.trim() || configDefaults.dataDir);

  return {
    rpcUrl,
    chainId: positiveInt(env, "MEDVAULT_CHAIN_ID", configDefaults.chainId),
    contractAddress: rawContract ? getAddress(rawContract) : undefined,
    siweOrigin: origin.origin,
    siweDomain,
    secureCookies: origin.protocol === "https:",
    sessionSecret: secret,
    sessionSecretIsEphemeral: ephemeral,
    sessionTtlSeconds: positiveInt(env, "SESSION_TTL_SECONDS", configDefaults.sessionTtlSeconds),
    nonceTtlSeconds: configDefaults.nonceTtlSeconds,
    maxUsedNonces: configDefaults.maxUsedNonces,
    maxUploadBytes: positiveInt(env, "MAX_UPLOAD_BYTES", configDefaults.maxUploadBytes),
    dataDir,
    accessLogPath: path.resolve(
      /*turbopackIgnore: true*/ env.SERVICE_LOG_PATH?.trim() || path.join(dataDir, "service-log.jsonl"),
    ),
    healthTimeoutMs: positiveInt(env, "HEALTH_TIMEOUT_MS", configDefaults.healthTimeoutMs),
    rpcTimeoutMs: positiveInt(env, "RPC_TIMEOUT_MS", configDefaults.rpcTimeoutMs),
    viewingSessionSeconds: positiveInt(env, "VIEWING_SESSION_SECONDS", configDefaults.viewingSessionSeconds),
    nonceRatePerMinute: positiveInt(env, "NONCE_RATE_PER_MINUTE", configDefaults.nonceRatePerMinute),
    trustProxy: flag(env, "TRUST_PROXY"),
    uploadAnchorWindowSeconds: positiveInt(
      env,
      "UPLOAD_ANCHOR_WINDOW_SECONDS",
      configDefaults.uploadAnchorWindowSeconds,
    ),
    maxPendingUploadBytes: positiveInt(env, "MAX_PENDING_UPLOAD_BYTES", configDefaults.maxPendingUploadBytes),
    maxPendingUploads: positiveInt(env, "MAX_PENDING_UPLOADS", configDefaults.maxPendingUploads),
    uploadLedgerPath: path.join(dataDir, "uploads.jsonl"),
  };
}
