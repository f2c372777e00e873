/**
 * Coverage gate for contracts/: reads coverage/lcov.info (written by `hardhat test --coverage`),
 * prints each contract's line coverage (and branch coverage when the report has BRDA records) and
 * exits non-zero when any file, or the total, is under the threshold. Solidity test contracts
 * (contracts/test/) are excluded: they are the tests, not the code under test.
 *
 *   tsx scripts/check-coverage.ts [--min 95] [--lcov coverage/lcov.info]
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const MIN = Number(arg("--min", "95"));
const LCOV = path.resolve(ROOT, arg("--lcov", "coverage/lcov.info"));

type FileCoverage = { lines: Map<number, number>; branches: Map<string, number> };

/** Merges every SF block per file: Hardhat may list a file more than once (one block per test run). */
function parse(text: string): Map<string, FileCoverage> {
  const files = new Map<string, FileCoverage>();
  let current: FileCoverage | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("SF:")) {
      const file = line.slice(3);
      current = files.get(file) ?? { lines: new Map(), branches: new Map() };
      files.set(file, current);
    } else if (line === "end_of_record") {
      current = undefined;
    } else if (current && line.startsWith("DA:")) {
      const [ln, hits] = line.slice(3).split(",");
      const n = Number(ln);
      current.lines.set(n, Math.max(current.lines.get(n) ?? 0, Number(hits)));
    } else if (current && line.startsWith("BRDA:")) {
      const [ln, block, branch, taken] = line.slice(5).split(",");
      const key = `${ln},${block},${branch}`;
      const hits = taken === "-" ? 0 : Number(taken);
      current.branches.set(key, Math.max(current.branches.get(key) ?? 0, hits));
    }
  }
  return files;
}

/** "3, 7-9, 12" from sorted line numbers. */
function ranges(lines: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < lines.length;) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j]! + 1) j++;
    out.push(i === j ? `${lines[i]}` : `${lines[i]}-${lines[j]}`);
    i = j + 1;
  }
  return out.join(", ");
}

const pct = (hit: number, total: number) => (total === 0 ? 100 : (100 * hit) / total);

function main(): void {
  if (!existsSync(LCOV)) {
    console.error(`coverage: ${path.relative(ROOT, LCOV)} not found; run \`npx hardhat test --coverage\` first`);
    process.exit(1);
  }
  const files = [...parse(readFileSync(LCOV, "utf8")).entries()]
    .filter(([f]) => f.startsWith("contracts/") && !f.startsWith("contracts/test/"))
    .sort(([a], [b]) => a.localeCompare(b));
  if (files.length === 0) {
    console.error("coverage: no contracts/ files in the report");
    process.exit(1);
  }
  let failed = false;
  let lineHit = 0;
  let lineTotal = 0;
  let brHit = 0;
  let brTotal = 0;
  const hasBranches = files.some(([, c]) => c.branches.size > 0);
  console.log(`coverage of contracts/ (minimum ${MIN}% per file)`);
  for (const [file, c] of files) {
    const hit = [...c.lines.values()].filter((h) => h > 0).length;
    const bHit = [...c.branches.values()].filter((h) => h > 0).length;
    lineHit += hit;
    lineTotal += c.lines.size;
    brHit += bHit;
    brTotal += c.branches.size;
    const linePct = pct(hit, c.lines.size);
    const missed = [...c.lines.entries()]
      .filter(([, h]) => h === 0)
      .map(([n]) => n)
      .sort((a, b) => a - b);
    const ok = linePct >= MIN && (!hasBranches || pct(bHit, c.branches.size) >= MIN);
    if (!ok) failed = true;
    const branchCol = hasBranches ? `  branches ${pct(bHit, c.branches.size).toFixed(2).padStart(6)}%` : "";
    console.log(
      `${ok ? "ok  " : "FAIL"} ${file.padEnd(34)} lines ${linePct.toFixed(2).padStart(6)}% (${hit}/${c.lines.size})` +
        `${branchCol}${missed.length ? `  uncovered: ${ranges(missed)}` : ""}`,
    );
  }
  const total = pct(lineHit, lineTotal);
  if (total < MIN) failed = true;
  const branchTotal = hasBranches ? `, branches ${pct(brHit, brTotal).toFixed(2)}%` : "";
  console.log(`total lines ${total.toFixed(2)}% (${lineHit}/${lineTotal})${branchTotal}`);
  if (failed) {
    console.error(`coverage: under ${MIN}%`);
    process.exit(1);
  }
}

main();
