import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import hardhatToolboxMochaEthersPlugin from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

// Network URLs and deployer keys come from the environment; a local .env (see
// .env.example) is read when present. Real keys belong in Hardhat's keystore or a CI
// secret store, never in the repository.
if (existsSync(".env")) process.loadEnvFile(".env");

// No compiler can be downloaded on our machines: Hardhat runs the npm `solc`
// package's WASM build, pinned in package.json to exactly this version.
const SOLC_VERSION = "0.8.30";
const solc = {
  version: SOLC_VERSION,
  path: require.resolve("solc/soljson.js"),
  settings: {
    // 200 runs, not more: MedVault must stay under the 24 KiB code-size limit (at 10,000 runs it
    // is ~28 KB), and bench:gas shows the hot paths cost within ~100 gas of the 10,000-run build.
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "prague",
  },
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin],
  solidity: {
    profiles: {
      default: solc,
      production: solc,
    },
  },
  paths: {
    tests: {
      mocha: "test/contracts",
      solidity: "contracts/test",
    },
  },
  test: {
    mocha: { timeout: 60_000 },
  },
  networks: {
    // `npx hardhat node` serves this one on 127.0.0.1:8545 (chain id 31337); the stack
    // runner and the browser tests point it at their own node with LOCAL_RPC_URL.
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env.LOCAL_RPC_URL ?? "http://127.0.0.1:8545",
    },
    // Public networks: URL and deployer key from .env / the environment (see .env.example).
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
    baseSepolia: {
      type: "http",
      chainType: "op",
      url: configVariable("BASE_SEPOLIA_RPC_URL"),
      accounts: [configVariable("BASE_SEPOLIA_PRIVATE_KEY")],
    },
  },
});
