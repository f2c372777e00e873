/**
 * The project's one test command (`./medvault test` → `npm test`).
 *
 * Runs every check and test suite in order, streams their output, and ends with one
 * summary line `N passed, N failed` that CI reads. Stages:
 *   checks  — hardhat build (ABIs and typechain types), solhint, prettier, eslint, TypeScript
 *             typecheck (each counts as one test)
 *   contracts — `hardhat test --coverage` (Solidity fuzz/invariant + mocha/ethers tests),
 *               then the coverage gate on contracts/
 *   lib     — mocha tests of lib/ and the storage service (test/lib, test/service)
 *   attacks — test/attacks, one file per attacker (the review's attacks, each refused)
 *   e2e     — browser scenarios in Debian's Chromium (test/e2e)
 *
 * Last, a check that the run left the tree as it found it: a suite that rewrites a tracked
 * file or leaves an untracked one (not git-ignored) fails, as it would dirty a fresh clone.
 *
 * `npm test -- --only contracts,lib` runs a subset.
 */
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";

type Stage = {
  name: string;
  kind: "check" | "suite";
  cmd: string[];
  env?: Record<string, string>;
};

const ROOT = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

const stages: Stage[] = [
  {
    // First: the typecheck reads the typechain types this build generates under types/.
    name: "compile",
    kind: "check",
    cmd: [bin("hardhat"), "build"],
  },
  {
    name: "solhint",
    kind: "check",
    cmd: [bin("solhint"), "--max-warnings", "0", "contracts/**/*.sol"],
  },
  {
    name: "prettier",
    kind: "check",
    cmd: [bin("prettier"), "--check", "."],
  },
  {
    name: "eslint",
    kind: "check",
    cmd: [bin("eslint"), "--max-warnings", "0", "."],
  },
  { name: "typecheck", kind: "check", cmd: [bin("tsc"), "--noEmit", "-p", "tsconfig.json"] },
  {
    name: "contracts",
    kind: "suite",
    cmd: [bin("hardhat"), "test", "--coverage"],
  },
  {
    name: "coverage",
    kind: "check",
    cmd: [bin("tsx"), "scripts/check-coverage.ts"],
  },
  {
    name: "lib",
    kind: "suite",
    cmd: [bin("mocha"), "--config", "test/.mocharc.json"],
  },
  {
    name: "attacks",
    kind: "suite",
    cmd: [bin("mocha"), "--config", "test/attacks/.mocharc.json"],
  },
  {
    name: "e2e",
    kind: "suite",
    cmd: [bin("mocha"), "--config", "test/e2e/.mocharc.json"],
  },
];

type Result = { name: string; passed: number; failed: number; skipped: number; note?: string };

/** Reads mocha / hardhat-test counts from a stage's output. */
function parseCounts(out: string): { passed: number; failed: number; skipped: number } | undefined {
  // Hardhat's combined line, e.g. "42 passing (12 solidity, 30 mocha)", comes last.
  const lines = out
    // eslint-disable-next-line no-control-regex -- strips ANSI colour codes
    .replace(/\x1b\[[0-9;]*m/g, "")
    .split("\n")
    .map((l) => l.trim());
  let passed: number | undefined;
  let failed = 0;
  let skipped = 0;
  for (const l of lines) {
    let m = /^(\d+) passing\b/.exec(l);
    if (m) passed = Number(m[1]);
    m = /^(\d+) failing\b/.exec(l);
    if (m) failed = Number(m[1]);
    m = /^(\d+) (pending|skipped)\b/.exec(l);
    if (m) skipped = Number(m[1]);
  }
  return passed === undefined && failed === 0 ? undefined : { passed: passed ?? 0, failed, skipped };
}

function run(stage: Stage): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const [cmd, ...args] = stage.cmd;
    const child = spawn(cmd!, args, {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: process.env.CI ? "0" : "1", ...stage.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
      process.stderr.write(d);
    });
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

/** `git status` plus the diff of tracked files, or undefined outside a git checkout. */
function treeState(): string | undefined {
  const status = spawnSync("git", ["status", "--porcelain"], { cwd: ROOT, encoding: "utf8" });
  if (status.status !== 0) return undefined;
  const diff = spawnSync("git", ["diff", "HEAD"], { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return `${status.stdout}\n${diff.stdout}`;
}

function changedPaths(before: string, after: string): string[] {
  const lines = (s: string) => new Set(s.split("\n\n")[0]!.split("\n").filter(Boolean));
  const a = lines(before);
  const changed = [...lines(after)].filter((l) => !a.has(l));
  return changed.length ? changed : ["(contents of files already modified before the run)"];
}

async function main() {
  const treeBefore = treeState();
  const onlyArg = process.argv.indexOf("--only");
  const only = onlyArg >= 0 ? new Set(process.argv[onlyArg + 1]?.split(",")) : undefined;
  const results: Result[] = [];
  for (const stage of stages) {
    if (only && !only.has(stage.name)) continue;
    console.log(`\n── ${stage.name}: ${stage.cmd.map((c) => path.relative(ROOT, c) || c).join(" ")}`);
    const { code, out } = await run(stage);
    if (stage.kind === "check") {
      results.push({ name: stage.name, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 });
      continue;
    }
    const counts = parseCounts(out);
    if (!counts) {
      results.push({ name: stage.name, passed: 0, failed: 1, skipped: 0, note: `exited ${code} with no test summary` });
    } else if (code !== 0 && counts.failed === 0) {
      results.push({ ...counts, name: stage.name, failed: 1, note: `exited ${code}` });
    } else {
      results.push({ ...counts, name: stage.name });
    }
  }
  const treeAfter = treeState();
  if (treeBefore !== undefined && treeAfter !== undefined) {
    const clean = treeAfter === treeBefore;
    console.log(`\n── clean-tree: ${clean ? "the run left the tree as it found it" : "the run changed the tree:"}`);
    if (!clean) for (const p of changedPaths(treeBefore, treeAfter).slice(0, 20)) console.log(`   ${p}`);
    results.push({ name: "clean-tree", passed: clean ? 1 : 0, failed: clean ? 0 : 1, skipped: 0 });
  }
  console.log("\n── summary");
  for (const r of results) {
    const status = r.failed ? "FAIL" : "ok  ";
    console.log(
      `${status} ${r.name.padEnd(10)} ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped${r.note ? ` (${r.note})` : ""}`,
    );
  }
  const total = results.reduce(
    (a, r) => ({ passed: a.passed + r.passed, failed: a.failed + r.failed, skipped: a.skipped + r.skipped }),
    { passed: 0, failed: 0, skipped: 0 },
  );
  console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  process.exit(total.failed === 0 && total.passed > 0 ? 0 : 1);
}

await main();
