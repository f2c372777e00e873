/**
 * `./medvault start` — the whole local stack in the foreground:
 *   1. a Hardhat node on 127.0.0.1:8545 (chain id 31337)
 *   2. the contracts deployed with Ignition; ABI and addresses exported to lib/
 *   3. the embedded Helia node (inside the app server) with its data folder
 *   4. demo data written through lib/ exactly as the app writes it, encrypted
 *   5. the Next.js app, production build, on http://localhost:3000
 * Ctrl-C stops every child process; the next start begins from a fresh chain.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { DEMO_ACCOUNTS } from "../lib/devstack/demo-accounts.ts";
import {
  ROOT,
  StackError,
  buildApp,
  deployContracts,
  startApp,
  startHardhatNode,
  stopAll,
} from "../lib/devstack/stack.ts";

if (existsSync(path.join(ROOT, ".env"))) process.loadEnvFile(path.join(ROOT, ".env"));
const CHAIN_PORT = Number(process.env.CHAIN_PORT || 8545);
const APP_PORT = Number(process.env.PORT || 3000);
const DATA_DIR = path.resolve(ROOT, process.env.MEDVAULT_LOCAL_DATA ?? "data/local");

let step = 0;
const STEPS = 5;
const log = (msg: string) => console.log(`\x1b[36m[${step}/${STEPS}]\x1b[0m ${msg}`);
const next = (title: string) => console.log(`\n\x1b[1m[${++step}/${STEPS}] ${title}\x1b[0m`);

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping the local stack…");
  await stopAll();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

async function main() {
  next("Hardhat node");
  const chain = await startHardhatNode(CHAIN_PORT, log);

  next("Contracts (Hardhat Ignition)");
  const registrar = DEMO_ACCOUNTS.find((a) => a.role === "registrar")!;
  const contract = await deployContracts(chain.url, log, { registrars: [registrar.address] });

  next("Next.js app and embedded Helia node");
  // The chain is new on every start, so the local storage and service log start anew too.
  rmSync(DATA_DIR, { recursive: true, force: true });
  mkdirSync(DATA_DIR, { recursive: true });
  await buildApp(log);
  const app = await startApp(
    APP_PORT,
    {
      MEDVAULT_RPC_URL: chain.url,
      MEDVAULT_CONTRACT: contract,
      MEDVAULT_DATA_DIR: DATA_DIR,
      IPFS_DATA_DIR: path.join(DATA_DIR, "ipfs"),
      SESSION_SECRET: process.env.SESSION_SECRET || randomBytes(32).toString("hex"),
    },
    log,
  );

  next("Demo data");
  const { seedDemo } = await import("../lib/devstack/seed.ts");
  await seedDemo({ rpcUrl: chain.url, appUrl: app.url, contract, log });

  next("Ready");
  printWelcome(app.url, chain.url);
  // Stay in the foreground until Ctrl-C; a child that dies takes the stack down with a reason.
  for (const c of [chain.child, app.child])
    c.proc.on("exit", (code) => {
      if (stopping) return;
      console.error(`\n${c.name} exited unexpectedly (code ${code}):\n${c.output().split("\n").slice(-20).join("\n")}`);
      void shutdown(1);
    });
}

function printWelcome(appUrl: string, rpcUrl: string) {
  console.log(`
  MedVault is running:  ${appUrl}
  Health:               ${appUrl}/api/health
  Chain:                ${rpcUrl} (chain id 31337)

  Demo accounts — Hardhat's PUBLIC test keys: anyone can spend from them on any chain.
  Never send real funds to them; use them on this local chain only.
`);
  for (const a of DEMO_ACCOUNTS)
    console.log(`  ${a.role.padEnd(22)} ${a.name.padEnd(24)} ${a.address}\n  ${"".padEnd(22)} key ${a.privateKey}`);
  console.log(`
  To use them in MetaMask:
    1. Networks → Add a network manually: name "MedVault local", RPC URL ${rpcUrl},
       chain id 31337, currency symbol ETH.
    2. Account menu → Add account or hardware wallet → Import account → paste a key above.
    3. Open ${appUrl} and connect. The app offers to add/switch the network too.
  After a restart the chain is new: in MetaMask use Settings → Advanced → Clear activity
  tab data, so it forgets old nonces.

  Ctrl-C stops everything.
`);
}

main().catch(async (err: unknown) => {
  if (err instanceof StackError) {
    console.error(`\n\x1b[31mstart failed:\x1b[0m ${err.message}\n  what to do: ${err.hint}`);
  } else {
    console.error("\n\x1b[31mstart failed:\x1b[0m", err);
  }
  await stopAll();
  process.exit(1);
});
