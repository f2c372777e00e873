/**
 * The local stack's parts as functions, shared by the start command (scripts/start.ts),
 * the end-to-end benchmark and the browser tests: each starts a real component from the
 * project's own files and returns a handle that stops it. lib/devstack/ is Node-only
 * developer tooling (the stack, the demo cast, the demo seed) that scripts/ and test/ both
 * use, so neither imports the other; the app never imports it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { type Address, getAddress } from "viem";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

export type Log = (msg: string) => void;

export class StackError extends Error {
  constructor(
    message: string,
    /** What the person running the stack should do about it. */
    readonly hint: string,
  ) {
    super(message);
  }
}

export type Child = { name: string; proc: ChildProcess; output: () => string };

const children = new Set<Child>();

// Children run in process groups of their own, so they would outlive this process: whatever
// ends it (a test runner's forced exit, an uncaught error), take them down with it.
process.on("exit", () => {
  for (const c of children) {
    try {
      process.kill(-c.proc.pid!, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
});

/** Starts a long-running child in its own process group so stopping it stops its children. */
export function startChild(
  name: string,
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string | undefined>; echo?: boolean } = {},
): Child {
  const proc = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let buf = "";
  const keep = (d: Buffer) => {
    buf = (buf + d.toString()).slice(-20_000);
    if (opts.echo) process.stdout.write(d.toString().replace(/^(?=.)/gm, `  [${name}] `));
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  const child = { name, proc, output: () => buf };
  children.add(child);
  proc.on("exit", () => children.delete(child));
  return child;
}

export function stopChild(child: Child, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(-child.proc.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, 5_000);
    child.proc.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-child.proc.pid!, signal);
    } catch {
      resolve();
    }
  });
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].reverse().map((c) => stopChild(c)));
}

/** Runs a command to completion; rejects with its output's tail when it fails. */
export function runStep(
  name: string,
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string | undefined>; echo?: boolean } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = startChild(name, cmd, args, opts);
    child.proc.on("exit", (code) => {
      if (code === 0) resolve(child.output());
      else
        reject(
          new StackError(
            `${name} failed (exit ${code}):\n${child.output().split("\n").slice(-25).join("\n")}`,
            `fix the error above and run the command again`,
          ),
        );
    });
  });
}

export function portInUse(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(true));
    srv.listen(port, host, () => srv.close(() => resolve(false)));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function assertPortFree(port: number, what: string, envVar: string): Promise<void> {
  if (await portInUse(port))
    throw new StackError(
      `port ${port} (${what}) is already in use`,
      `stop whatever listens there (\`ss -ltnp | grep :${port}\`) or choose another port with ${envVar}=<port>`,
    );
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 60_000, intervalMs = 250, child }: { timeoutMs?: number; intervalMs?: number; child?: Child } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.proc.exitCode !== null)
      throw new StackError(
        `${child.name} exited (code ${child.proc.exitCode}) before ${what}:\n${child.output().split("\n").slice(-25).join("\n")}`,
        "fix the error above and start again",
      );
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      /* not ready yet */
    }
    if (Date.now() > deadline) throw new StackError(`timed out waiting for ${what}`, "see the output above");
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(2_000),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

/** 1. A Hardhat node on 127.0.0.1 (chain id 31337). */
export async function startHardhatNode(port: number, log: Log): Promise<{ child: Child; url: string }> {
  await assertPortFree(port, "Hardhat node", "CHAIN_PORT");
  const child = startChild("hardhat", bin("hardhat"), ["node", "--hostname", "127.0.0.1", "--port", String(port)]);
  const url = `http://127.0.0.1:${port}`;
  const chainId = await waitFor("the Hardhat node to answer", () => rpc(url, "eth_chainId"), { child });
  log(`Hardhat node on ${url} (chain id ${Number(chainId)})`);
  return { child, url };
}

/**
 * 2. The contracts deployed with the project's Ignition module; returns MedVault's address.
 *
 * `./medvault start` deploys as chain-31337 and exports the ABI and address to
 * lib/chain/generated.ts, as any network's deployment is recorded. Benchmarks and browser
 * tests pass `isolated`: their deployment gets an id of its own (so a stack someone runs at
 * the same time is never mistaken for theirs), its journal is removed afterwards, and the
 * address is handed to the app by environment instead of the shared generated file.
 */
export async function deployContracts(
  rpcUrl: string,
  log: Log,
  { registrars = [] as string[], isolated = false } = {},
): Promise<Address> {
  const id = isolated ? `isolated-${process.pid}-${Date.now()}` : "chain-31337";
  const journal = path.join(ROOT, "ignition", "deployments", id);
  // A local chain starts empty every time, so an old journal for it no longer applies.
  rmSync(journal, { recursive: true, force: true });
  mkdirSync(path.join(ROOT, "cache"), { recursive: true });
  const params = path.join(ROOT, "cache", `ignition-params-${id}.json`);
  writeFileSync(params, JSON.stringify({ MedVaultModule: { registrars } }, null, 2));
  try {
    const args = [
      "ignition",
      "deploy",
      "ignition/modules/MedVault.ts",
      "--network",
      "localhost",
      "--parameters",
      params,
    ];
    if (isolated) args.push("--deployment-id", id);
    await runStep("ignition", bin("hardhat"), args, { env: { LOCAL_RPC_URL: rpcUrl } });
    const deployed = JSON.parse(readFileSync(path.join(journal, "deployed_addresses.json"), "utf8")) as Record<
      string,
      string
    >;
    const address = getAddress(deployed["MedVaultModule#MedVault"]!);
    if ((await rpc(rpcUrl, "eth_getCode", [address, "latest"])) === "0x")
      throw new StackError(
        `Ignition reported MedVault at ${address}, but the chain has no code there`,
        "see the Ignition output above",
      );
    if (!isolated) await runStep("export-abi", bin("tsx"), ["scripts/export-abi.ts"]);
    log(
      isolated
        ? `MedVault deployed with Ignition at ${address}`
        : `MedVault deployed with Ignition at ${address}; ABI and address exported to lib/chain/generated.ts`,
    );
    return address;
  } finally {
    rmSync(params, { force: true });
    if (isolated) rmSync(journal, { recursive: true, force: true });
  }
}

type TsConfig = { include?: string[]; [k: string]: unknown };

/** `next build` adds `<distDir>/types` folders to tsconfig.json's include; they say nothing about the project. */
function withoutTypeFolders(config: TsConfig, only?: string): TsConfig {
  const generated = (entry: string) =>
    only
      ? entry.startsWith(`${only}/`)
      : /(^|\/)\.next[^/]*\/(.*\/)?types\/\*\*\/\*\.ts$/.test(entry) &&
        entry !== ".next/types/**/*.ts" &&
        entry !== ".next/dev/types/**/*.ts";
  return { ...config, include: (config.include ?? []).filter((e) => !generated(e)) };
}

/**
 * Hash of what goes into the Next.js build, to rebuild only when it changed. The deployment
 * table of lib/chain/generated.ts is left out (every local deploy rewrites it; the app is
 * also given its contract by environment), and so is tsconfig.json's formatting.
 */
export function appSourceHash(contract = ""): string {
  const h = createHash("sha256").update(contract);
  const roots = ["app", "components", "hooks", "lib", "public", "next.config.ts", "package-lock.json", "tsconfig.json"];
  const walk = (p: string) => {
    const abs = path.join(ROOT, p);
    if (!existsSync(abs)) return;
    if (statSync(abs).isDirectory()) for (const f of readdirSync(abs).sort()) walk(path.join(p, f));
    else {
      let text = readFileSync(abs, "utf8");
      if (p === path.join("lib", "chain", "generated.ts"))
        text = text.replace(/export const deployments = [\s\S]*$/, "");
      if (p === "tsconfig.json") text = JSON.stringify(withoutTypeFolders(JSON.parse(text) as TsConfig));
      h.update(p).update(text);
    }
  };
  roots.forEach(walk);
  return h.digest("hex");
}

/**
 * 5a. `next build` into `distDir`, skipped when the sources are unchanged since the last
 * build there. A build into a folder other than `.next` (the browser tests', which must
 * not empty the folder a developer's server runs from) takes its type folders back out of
 * tsconfig.json afterwards, keeping any other change made meanwhile.
 */
export async function buildApp(
  log: Log,
  { distDir = ".next", contract, force = false }: { distDir?: string; contract?: Address; force?: boolean } = {},
): Promise<void> {
  const stamp = path.join(ROOT, distDir, "medvault-source-hash");
  const hash = appSourceHash(contract);
  if (!force && existsSync(stamp) && readFileSync(stamp, "utf8") === hash) {
    log(`Next.js production build in ${distDir}/ is up to date`);
    return;
  }
  log(`building the Next.js app into ${distDir}/ (production build; takes a few minutes the first time)…`);
  const tsconfig = path.join(ROOT, "tsconfig.json");
  const before = readFileSync(tsconfig, "utf8");
  try {
    await runStep("next build", bin("next"), ["build"], {
      env: {
        NEXT_TELEMETRY_DISABLED: "1",
        MEDVAULT_NEXT_DIST_DIR: distDir === ".next" ? undefined : distDir,
        NEXT_PUBLIC_MEDVAULT_CONTRACT: contract,
      },
    });
  } finally {
    if (distDir !== ".next") {
      const now = readFileSync(tsconfig, "utf8");
      const cleaned = withoutTypeFolders(JSON.parse(now) as TsConfig, distDir);
      if (JSON.stringify(cleaned) === JSON.stringify(JSON.parse(before))) writeFileSync(tsconfig, before);
      else if (JSON.stringify(cleaned) !== JSON.stringify(JSON.parse(now)))
        writeFileSync(tsconfig, `${JSON.stringify(cleaned, null, 2)}\n`);
    }
  }
  writeFileSync(stamp, hash);
  log("Next.js build done");
}

/** 5b. The Next.js server, production mode, which also hosts the embedded Helia node. */
export async function startApp(
  port: number,
  env: Record<string, string>,
  log: Log,
  { host = "localhost" } = {},
): Promise<{ child: Child; url: string }> {
  await assertPortFree(port, "Next.js app", "PORT");
  const url = `http://${host}:${port}`;
  const child = startChild("next", bin("next"), ["start", "--hostname", "127.0.0.1", "--port", String(port)], {
    // Sign-In with Ethereum messages must name the origin the browser is on.
    env: { NEXT_TELEMETRY_DISABLED: "1", SIWE_ORIGIN: url, ...env },
  });
  const health = await waitFor(
    "the app's /api/health to report healthy",
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(5_000) });
      return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
    },
    { child, timeoutMs: 120_000, intervalMs: 500 },
  );
  const storage = health.storage as { backend?: string; peerId?: string } | undefined;
  log(`Next.js app on ${url}; storage: ${storage?.backend ?? "?"} (peer ${storage?.peerId ?? "?"})`);
  return { child, url };
}
