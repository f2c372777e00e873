import { expect } from "chai";
import path from "node:path";
import { ConfigError, configDefaults, loadConfig } from "../../lib/config.ts";
import { withService } from "../../lib/service/index.ts";

const SECRET = "s".repeat(32);

describe("server config (lib/config.ts)", function () {
  it("runs the local stack with no settings at all", function () {
    const c = loadConfig({});
    expect(c).to.include({
      rpcUrl: "http://127.0.0.1:8545/",
      chainId: 31337,
      siweOrigin: "http://localhost:3000",
      siweDomain: "localhost:3000",
      secureCookies: false,
      maxUploadBytes: 25 * 1024 * 1024,
      sessionTtlSeconds: 8 * 3600,
      sessionSecretIsEphemeral: true,
    });
    expect(c.accessLogPath).to.equal(path.resolve("data", "service-log.jsonl"));
    expect(c.sessionSecret).to.have.length(32);
    expect(configDefaults.healthTimeoutMs).to.equal(2000);
  });

  it("reads every setting from the environment", function () {
    const c = loadConfig({
      MEDVAULT_RPC_URL: "https://rpc.example/v1/key",
      MEDVAULT_CHAIN_ID: "84532",
      MEDVAULT_CONTRACT: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      SIWE_ORIGIN: "https://medvault.example",
      SESSION_SECRET: SECRET,
      MAX_UPLOAD_BYTES: "1048576",
      MEDVAULT_DATA_DIR: "/var/lib/medvault",
      HEALTH_TIMEOUT_MS: "750",
    });
    expect(c).to.include({
      chainId: 84532,
      contractAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      siweDomain: "medvault.example",
      secureCookies: true,
      maxUploadBytes: 1048576,
      accessLogPath: "/var/lib/medvault/service-log.jsonl",
      healthTimeoutMs: 750,
      sessionSecretIsEphemeral: false,
    });
  });

  it("names the variable when a value is unusable", function () {
    const cases: [Record<string, string>, string][] = [
      [{ MAX_UPLOAD_BYTES: "25MB" }, "MAX_UPLOAD_BYTES"],
      [{ MAX_UPLOAD_BYTES: "0" }, "MAX_UPLOAD_BYTES"],
      [{ MEDVAULT_RPC_URL: "localhost:8545" }, "MEDVAULT_RPC_URL"],
      [{ MEDVAULT_RPC_URL: "ws://127.0.0.1:8545" }, "MEDVAULT_RPC_URL"],
      [{ MEDVAULT_CONTRACT: "0x1234" }, "MEDVAULT_CONTRACT"],
      [{ SIWE_ORIGIN: "https://medvault.example/app" }, "SIWE_ORIGIN"],
      [{ SIWE_DOMAIN: "https://medvault.example" }, "SIWE_DOMAIN"],
      [{ SESSION_SECRET: "short" }, "SESSION_SECRET"],
      [{ NODE_ENV: "production" }, "SESSION_SECRET"],
      [{ TRUST_PROXY: "yes" }, "TRUST_PROXY"],
      [{ VIEWING_SESSION_SECONDS: "1h" }, "VIEWING_SESSION_SECONDS"],
      [{ NONCE_RATE_PER_MINUTE: "0" }, "NONCE_RATE_PER_MINUTE"],
      [{ UPLOAD_ANCHOR_WINDOW_SECONDS: "-5" }, "UPLOAD_ANCHOR_WINDOW_SECONDS"],
      [{ MAX_PENDING_UPLOAD_BYTES: "1e6" }, "MAX_PENDING_UPLOAD_BYTES"],
      [{ MAX_PENDING_UPLOADS: "many" }, "MAX_PENDING_UPLOADS"],
    ];
    for (const [env, variable] of cases) {
      expect(() => loadConfig(env), JSON.stringify(env))
        .to.throw(ConfigError)
        .with.property("variable", variable);
    }
  });

  it("answers every route with a JSON 500 naming the variable when the server is misconfigured", async function () {
    const saved = { NODE_ENV: process.env.NODE_ENV, SESSION_SECRET: process.env.SESSION_SECRET };
    (process.env as Record<string, string | undefined>).NODE_ENV = "production";
    delete process.env.SESSION_SECRET;
    // Start from no service, as a fresh server process does.
    delete (globalThis as Record<symbol, unknown>)[Symbol.for("medvault.service")];
    try {
      const res = await withService(() => {
        throw new Error("must not be reached");
      });
      expect(res.status).to.equal(500);
      expect(await res.json()).to.include({ error: "CONFIG_INVALID", variable: "SESSION_SECRET" });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
