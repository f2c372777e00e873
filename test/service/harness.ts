/**
 * A real storage service for tests: Hardhat's in-process chain (MedVault deployed
 * through the Ignition module), an embedded Helia node and the access log in a temp
 * folder, all behind a node:http server on 127.0.0.1.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { network } from "hardhat";
import { createSiweMessage } from "viem/siwe";
import { custom, getAddress, toHex, type Address, type Hex } from "viem";
import { createChainClient, type ChainClient } from "../../lib/chain/client.ts";
import { LOCAL_CHAIN_ID } from "../../lib/chain/vocabulary.ts";
import { loadConfig, type ServerConfig } from "../../lib/config.ts";
import { encryptRecord } from "../../lib/crypto/envelope.ts";
import { AccessLog } from "../../lib/service/access-log.ts";
import { serve, type RunningServer } from "../../lib/service/node.ts";
import { createService, type MedVaultService } from "../../lib/service/service.ts";
import { HeliaStore } from "../../lib/storage/helia.ts";
import type { RecordStore } from "../../lib/storage/types.ts";
import MedVaultModule from "../../ignition/modules/MedVault.ts";
import { MedVault__factory, type MedVault } from "../../types/ethers-contracts/index.ts";

export const SESSION_SECRET = "test-secret-0123456789abcdef0123456789abcdef";
export const ORIGIN = "http://localhost:3000";
export const DOMAIN = "localhost:3000";
export const CHAIN_ID = LOCAL_CHAIN_ID;

type Connection = Awaited<ReturnType<typeof network.create>>;
export type Signer = Awaited<ReturnType<Connection["ethers"]["getSigners"]>>[number];

export type Stack = {
  conn: Connection;
  /** The deployed MedVault, typed by typechain, connected to the admin (account 0). */
  medVault: MedVault;
  contract: Address;
  signers: Signer[];
  dir: string;
  config: ServerConfig;
  chain: ChainClient;
  store: RecordStore;
  accessLog: AccessLog;
  service: MedVaultService;
  server: RunningServer;
  url: string;
  /** Replaces the store the service uses (e.g. with a closed one). */
  setStore(store: RecordStore): void;
  close(): Promise<void>;
};

export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  // `hardhat test --coverage` (run before these suites) leaves instrumented artifacts
  // behind, which are over the 24 KiB code-size limit.
  const conn = await network.create({ override: { allowUnlimitedContractSize: true } });
  const deployed = await conn.ignition.deploy(MedVaultModule);
  const contract = getAddress(await deployed.medVault.getAddress());
  const signers = await conn.ethers.getSigners();
  // Ignition hands back an untyped ethers Contract; the typechain factory types the same one.
  const medVault = MedVault__factory.connect(contract, signers[0]!);
  const dir = await mkdtemp(path.join(tmpdir(), "medvault-service-"));
  const config = loadConfig({
    SESSION_SECRET,
    SIWE_ORIGIN: ORIGIN,
    MEDVAULT_CONTRACT: contract,
    MEDVAULT_DATA_DIR: dir,
    // Suites sign in many times a minute from one address; the limit has its own tests.
    NONCE_RATE_PER_MINUTE: "100000",
    ...env,
  });
  const chain = createChainClient(config, custom(conn.provider, { retryCount: 0 }));
  let store: RecordStore = await HeliaStore.create({ dataDir: path.join(dir, "ipfs") });
  const accessLog = new AccessLog(config.accessLogPath);
  const service = createService({ config, chain, store: async () => store, accessLog });
  const server = await serve(service.fetch);
  const stack: Stack = {
    conn,
    medVault,
    contract,
    signers,
    dir,
    config,
    chain,
    get store() {
      return store;
    },
    accessLog,
    service,
    server,
    url: server.url,
    setStore(s) {
      store = s;
    },
    async close() {
      service.context.uploads.stop();
      await server.close();
      await store.close();
      await accessLog.close();
      await conn.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** A browser-like client: keeps the session cookie between requests. */
export class Client {
  cookie: string | undefined;

  constructor(readonly baseUrl: string) {}

  async request(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie && !headers.has("cookie")) headers.set("cookie", this.cookie);
    const res = await fetch(new URL(pathname, this.baseUrl), { ...init, headers });
    const set = res.headers.getSetCookie()[0];
    if (set) {
      const pair = set.split(";")[0]!;
      this.cookie = /Max-Age=0\b/.test(set) ? undefined : pair;
    }
    return res;
  }

  async json<T = Record<string, unknown>>(
    pathname: string,
    init?: RequestInit,
  ): Promise<{ status: number; body: T; res: Response }> {
    const res = await this.request(pathname, init);
    return { status: res.status, body: (await res.json()) as T, res };
  }

  postJson(pathname: string, body: unknown, headers: Record<string, string> = {}) {
    return this.json(pathname, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  }

  async nonce(): Promise<string> {
    const { status, body } = await this.json<{ nonce: string }>("/api/auth/nonce");
    if (status !== 200) throw new Error(`nonce: ${status}`);
    return body.nonce;
  }

  /** Signs in as `signer`; returns the verify response. */
  async signIn(signer: Signer, overrides: Partial<Parameters<typeof createSiweMessage>[0]> = {}) {
    const message = siweMessage(getAddress(signer.address), await this.nonce(), overrides);
    const signature = (await signer.signMessage(message)) as Hex;
    return this.postJson("/api/auth/verify", { message, signature });
  }

  upload(bytes: Uint8Array, contentType = "application/octet-stream") {
    // One of the two shapes: the upload's result (201) or an error body.
    type UploadBody = {
      cid: string;
      size: number;
      digest: Hex;
      dagPb: boolean;
      kind: string;
      error?: string;
      message?: string;
      limit?: number;
    };
    return this.json<UploadBody>("/api/records/upload", {
      method: "POST",
      headers: { "content-type": contentType },
      body: bytes as Uint8Array<ArrayBuffer>,
    });
  }
}

export function siweMessage(
  address: Address,
  nonce: string,
  overrides: Partial<Parameters<typeof createSiweMessage>[0]> = {},
): string {
  return createSiweMessage({
    address,
    chainId: CHAIN_ID,
    domain: DOMAIN,
    nonce,
    uri: `${ORIGIN}/`,
    version: "1",
    issuedAt: new Date(),
    expirationTime: new Date(Date.now() + 10 * 60_000),
    statement: "Sign in to MedVault",
    ...overrides,
  });
}

/** A real record envelope for `patient` under a random category key. */
export function envelopeFor(
  stack: Pick<Stack, "contract">,
  patient: Address,
  plaintext: Uint8Array,
  category = 1,
): Uint8Array {
  const key = crypto.getRandomValues(new Uint8Array(32));
  return encryptRecord(plaintext, { chainId: CHAIN_ID, contract: stack.contract, patient, category }, key, 0);
}

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 64 KiB per call.
  for (let off = 0; off < n; off += 65_536) crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65_536)));
  return out;
}

export function encryptionKey(): Hex {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** Registers `patient`, anchors `cid` for them and returns the new record id. */
export async function anchor(
  stack: Stack,
  patient: Signer,
  digest: Hex,
  dagPb: boolean,
  category = 1,
): Promise<number> {
  const tx = await stack.medVault.connect(patient).anchorRecord(patient.address, digest, category, dagPb ? 0x02 : 0, 0);
  await tx.wait();
  return Number(await stack.medVault.recordCount(patient.address));
}

export async function registerPatient(stack: Stack, patient: Signer): Promise<Hex> {
  const key = encryptionKey();
  await (await stack.medVault.connect(patient).registerPatient(key)).wait();
  return key;
}

/** Lines currently in the service access log file. */
export async function logLines(stack: Pick<Stack, "config">): Promise<string[]> {
  const { readFile } = await import("node:fs/promises");
  try {
    return (await readFile(stack.config.accessLogPath, "utf8")).split("\n").filter(Boolean);
  } catch {
    return [];
  }
}
