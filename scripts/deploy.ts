/**
 * `npm run deploy [-- --network <name>] [--parameters file.json]`: deploys MedVault with Ignition
 * (default network: localhost, the `npx hardhat node` on 127.0.0.1:8545 or LOCAL_RPC_URL), then
 * exports the ABI and every recorded deployment to lib/chain/generated.ts.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

const args = process.argv.slice(2);
if (!args.includes("--network")) args.push("--network", "localhost");

function run(cmd: string, cmdArgs: string[]): void {
  const r = spawnSync(cmd, cmdArgs, { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run(bin("hardhat"), ["ignition", "deploy", "ignition/modules/MedVault.ts", ...args]);
run(bin("tsx"), ["scripts/export-abi.ts"]);
