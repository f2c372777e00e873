/**
 * Brings up the real local stack for the browser scenarios — Hardhat node, contracts
 * from the Ignition module, the Next.js production server with its embedded Helia node —
 * on free loopback ports, and Debian's Chromium driven by playwright-core.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import type { Address } from "viem";
import { DEMO_ACCOUNTS } from "../../lib/devstack/demo-accounts.ts";
import {
  ROOT,
  buildApp,
  deployContracts,
  freePort,
  startApp,
  startHardhatNode,
  stopAll,
} from "../../lib/devstack/stack.ts";
import { type WalletControl, installWallet } from "./wallet.ts";

export const OUTPUT_DIR = path.join(ROOT, "test-results", "e2e");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * The browser tests build into their own folder: a `next build` empties its distDir, and the
 * default `.next/` also holds the dev servers people run beside the tests.
 * MEDVAULT_E2E_DIST_DIR gives parallel runs in one checkout a folder each.
 */
const DIST_DIR = process.env.MEDVAULT_E2E_DIST_DIR || ".next/e2e";

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
  const contract = await deployContracts(chain.url, log, { registrars: [registrar.address], isolated: true });
  await buildApp(log, { distDir: DIST_DIR, contract });
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
