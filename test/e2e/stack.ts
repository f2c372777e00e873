/**
 * Brings up the real local stack for the browser scenarios — Hardhat node, contracts
 * from the Ignition module, the Next.js production server with its embedded Helia node —
 * on free loopback ports, and Debian's Chromium driven by playwright-core.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import { type Address, getAddress } from "viem";
import { DEMO_ACCOUNTS } from "../../scripts/demo-accounts.ts";
import {
  ROOT,
  type Log,
  StackError,
  bin,
  freePort,
  rpc,
  runStep,
  startApp,
  startHardhatNode,
  stopAll,
} from "../../scripts/stack.ts";
import { type WalletControl, installWallet } from "./wallet.ts";

export const OUTPUT_DIR = path.join(ROOT, "test-results", "e2e");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * The browser tests build into their own folder: a `next build` empties its distDir, and the
 * default `.next/` also holds the dev servers people run beside the tests.
 */
const DIST_DIR = ".next/e2e";

/**
 * Hash of what goes into the build. lib/chain/generated.ts's deployment table is left out:
 * other people's local deploys rewrite it all day, and the tests give the app their own
 * contract address instead (NEXT_PUBLIC_MEDVAULT_CONTRACT).
 */
function sourceHash(contract: Address): string {
  const h = createHash("sha256").update(contract);
  const roots = ["app", "components", "hooks", "lib", "public", "next.config.ts", "package-lock.json", "tsconfig.json"];
  const walk = (p: string) => {
    const abs = path.join(ROOT, p);
    if (!existsSync(abs)) return;
    if (statSync(abs).isDirectory()) for (const f of readdirSync(abs).sort()) walk(path.join(p, f));
    else {
      let text = readFileSync(abs);
      if (p === path.join("lib", "chain", "generated.ts"))
        text = Buffer.from(text.toString("utf8").replace(/export const deployments = [\s\S]*$/, ""));
      // Other builds reformat tsconfig.json and add their own type folders; only its settings matter here.
      if (p === "tsconfig.json")
        text = Buffer.from(JSON.stringify(withoutTypeFolders(JSON.parse(text.toString("utf8")))));
      h.update(p).update(text);
    }
  };
  roots.forEach(walk);
  return h.digest("hex");
}

type TsConfig = { include?: string[]; [k: string]: unknown };

/** tsconfig.json without the `<distDir>/types` entries next build adds to `include`. */
function withoutTypeFolders(config: TsConfig, only?: string): TsConfig {
  const generated = (entry: string) =>
    only
      ? entry.startsWith(`${only}/`)
      : /(^|\/)\.next[^/]*\/(.*\/)?types\/\*\*\/\*\.ts$/.test(entry) &&
        entry !== ".next/types/**/*.ts" &&
        entry !== ".next/dev/types/**/*.ts";
  return { ...config, include: (config.include ?? []).filter((e) => !generated(e)) };
}

/** Takes this build's type folders back out of tsconfig.json, keeping any other change made meanwhile. */
function restoreTsconfig(before: string): void {
  const file = path.join(ROOT, "tsconfig.json");
  const now = readFileSync(file, "utf8");
  if (now === before) return;
  const cleaned = withoutTypeFolders(JSON.parse(now) as TsConfig, DIST_DIR);
  if (JSON.stringify(cleaned) === JSON.stringify(JSON.parse(before))) writeFileSync(file, before);
  else if (JSON.stringify(cleaned) !== JSON.stringify(JSON.parse(now)))
    writeFileSync(file, `${JSON.stringify(cleaned, null, 2)}\n`);
}

/**
 * Deploys with the project's Ignition module under a deployment id of its own, so that a
 * stack someone else starts at the same time (which uses chain-31337/) cannot be mistaken
 * for this one; returns the MedVault address.
 */
async function deploy(rpcUrl: string, workDir: string, registrars: string[], log: Log): Promise<Address> {
  const id = `e2e-${process.pid}-${Date.now()}`;
  const params = path.join(workDir, "ignition-params.json");
  writeFileSync(params, JSON.stringify({ MedVaultModule: { registrars } }));
  const journal = path.join(ROOT, "ignition", "deployments", id);
  try {
    await runStep(
      "ignition",
      bin("hardhat"),
      [
        "ignition",
        "deploy",
        "ignition/modules/MedVault.ts",
        "--network",
        "localhost",
        "--parameters",
        params,
        "--deployment-id",
        id,
      ],
      { env: { LOCAL_RPC_URL: rpcUrl } },
    );
    const deployed = JSON.parse(readFileSync(path.join(journal, "deployed_addresses.json"), "utf8")) as Record<
      string,
      string
    >;
    const address = getAddress(deployed["MedVaultModule#MedVault"]!);
    const code = (await rpc(rpcUrl, "eth_getCode", [address, "latest"])) as string;
    if (code === "0x")
      throw new StackError(
        `Ignition reported MedVault at ${address}, but the chain has no code there`,
        "see the Ignition output above",
      );
    log(`MedVault deployed at ${address} (registrar ${registrars.join(", ")})`);
    return address;
  } finally {
    rmSync(journal, { recursive: true, force: true });
  }
}

/** `next build` into DIST_DIR, skipped when the app's sources are unchanged since the last one. */
async function buildApp(contract: Address, log: Log): Promise<void> {
  const stamp = path.join(ROOT, DIST_DIR, "medvault-source-hash");
  const hash = sourceHash(contract);
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) {
    log(`Next.js production build in ${DIST_DIR} is up to date`);
    return;
  }
  log(`building the Next.js app into ${DIST_DIR} (takes a few minutes)…`);
  // next build adds its distDir's type folders to tsconfig.json; this folder is a test detail, not the project's.
  const before = readFileSync(path.join(ROOT, "tsconfig.json"), "utf8");
  try {
    await runStep("next build", bin("next"), ["build"], {
      env: { NEXT_TELEMETRY_DISABLED: "1", MEDVAULT_NEXT_DIST_DIR: DIST_DIR, NEXT_PUBLIC_MEDVAULT_CONTRACT: contract },
    });
  } finally {
    restoreTsconfig(before);
  }
  writeFileSync(stamp, hash);
  log("Next.js build done");
}

export type Stack = { rpcUrl: string; appUrl: string; contract: Address; browser: Browser; dataDir: string };

let stack: Stack | undefined;

export async function startStack(): Promise<Stack> {
  if (stack) return stack;
  try {
    return await bringUp();
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function bringUp(): Promise<Stack> {
  const log = (m: string) => console.log(`    [stack] ${m}`);
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "medvault-e2e-"));
  const chain = await startHardhatNode(await freePort(), log);
  const registrar = DEMO_ACCOUNTS.find((a) => a.role === "registrar")!;
  const contract = await deploy(chain.url, dataDir, [registrar.address], log);
  await buildApp(contract, log);
  const app = await startApp(
    await freePort(),
    {
      MEDVAULT_RPC_URL: chain.url,
      MEDVAULT_DATA_DIR: dataDir,
      IPFS_DATA_DIR: path.join(dataDir, "ipfs"),
      SESSION_SECRET: "e2e-session-secret-0123456789abcdef0123456789abcdef",
      MEDVAULT_NEXT_DIST_DIR: DIST_DIR,
      MEDVAULT_CONTRACT: contract,
      NEXT_PUBLIC_MEDVAULT_CONTRACT: contract,
    },
    log,
    { host: "127.0.0.1" },
  );
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  stack = { rpcUrl: chain.url, appUrl: app.url, contract, browser, dataDir };
  return stack;
}

export async function stopStack(): Promise<void> {
  const s = stack;
  stack = undefined;
  await s?.browser.close();
  await stopAll();
  if (s) rmSync(s.dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}

export type Session = {
  context: BrowserContext;
  page: Page;
  wallet: WalletControl;
  /** Every request the page sent: URL, method, and body as text. */
  requests: { url: string; method: string; body: string }[];
  shot(name: string): Promise<void>;
};

/** A fresh browser profile with the test wallet holding `privateKey`. */
export async function openSession(
  s: Stack,
  privateKey: `0x${string}`,
  { width = 1280, height = 900, label = "session" } = {},
): Promise<Session> {
  const context = await s.browser.newContext({ viewport: { width, height } });
  const wallet = await installWallet(context, { rpcUrl: s.rpcUrl, chainId: 31337, privateKey });
  const page = await context.newPage();
  const requests: Session["requests"] = [];
  page.on("request", (req) => {
    const buf = req.postDataBuffer();
    requests.push({ url: req.url(), method: req.method(), body: buf ? buf.toString("latin1") : "" });
  });
  let n = 0;
  return {
    context,
    page,
    wallet,
    requests,
    async shot(name) {
      await page.screenshot({
        path: path.join(OUTPUT_DIR, `${label}-${String(++n).padStart(2, "0")}-${name}.png`),
        fullPage: true,
      });
    },
  };
}
