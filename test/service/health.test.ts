import { expect } from "chai";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { custom, getAddress } from "viem";
import { createChainClient } from "../../lib/chain/client.ts";
import { loadConfig } from "../../lib/config.ts";
import { AccessLog } from "../../lib/service/access-log.ts";
import { createService } from "../../lib/service/service.ts";
import { HeliaStore } from "../../lib/storage/helia.ts";
import { ORIGIN, SESSION_SECRET, startStack, type Stack } from "./harness.ts";

type Health = {
  ok: boolean;
  chainId: number | null;
  blockNumber: number | null;
  contracts: { MedVault: { address: string | null; hasCode: boolean | null } };
  storage: { backend: string | null; peerId: string | null; blockCount: number | null };
  failing?: string[];
  reasons?: Record<string, string>;
};

async function health(service: { health(req: Request): Promise<Response> }): Promise<{ status: number; body: Health }> {
  const res = await service.health(new Request("http://127.0.0.1/api/health"));
  return { status: res.status, body: (await res.json()) as Health };
}

describe("service: GET /api/health", function () {
  let stack: Stack;
  before(async function () {
    stack = await startStack({ HEALTH_TIMEOUT_MS: "500" });
  });
  after(async function () {
    await stack?.close();
  });

  /** A service sharing the stack's chain and store, with other settings. */
  function variant(env: Record<string, string>, transport = custom(stack.conn.provider, { retryCount: 0 })) {
    const config = loadConfig({
      SESSION_SECRET,
      SIWE_ORIGIN: ORIGIN,
      MEDVAULT_DATA_DIR: stack.dir,
      HEALTH_TIMEOUT_MS: "500",
      ...env,
    });
    return createService({
      config,
      chain: createChainClient(config, transport),
      store: async () => stack.store,
      accessLog: new AccessLog(path.join(stack.dir, "variant-log.jsonl")),
    });
  }

  it("reports chain, contract and storage when all are up", async function () {
    const res = await fetch(`${stack.url}/api/health`);
    expect(res.status).to.equal(200);
    const body = (await res.json()) as Health;
    expect(body.ok).to.equal(true);
    expect(body.chainId).to.equal(31337);
    expect(body.blockNumber).to.be.a("number").and.at.least(1);
    expect(body.contracts.MedVault).to.deep.equal({ address: stack.contract, hasCode: true });
    expect(body.storage.backend).to.equal("helia");
    expect(body.storage.peerId).to.match(/^12D3Koo|^Qm/);
    expect(body.storage.blockCount).to.be.a("number");
    expect(body).to.not.have.property("failing");
  });

  it("answers 503 naming the contract when the configured address has no code", async function () {
    const eoa = getAddress(stack.signers[5]!.address);
    const { status, body } = await health(variant({ MEDVAULT_CONTRACT: eoa }));
    expect(status).to.equal(503);
    expect(body.ok).to.equal(false);
    expect(body.failing).to.deep.equal(["contract"]);
    expect(body.contracts.MedVault).to.deep.equal({ address: eoa, hasCode: false });
    expect(body.reasons!.contract).to.include("no contract code").and.include("redeploy");
    expect(body.chainId).to.equal(31337);
  });

  it("answers 503 naming the chain when the RPC node is configured for another chain id", async function () {
    const { status, body } = await health(
      variant({ MEDVAULT_CONTRACT: stack.contract, MEDVAULT_CHAIN_ID: "11155111" }),
    );
    expect(status).to.equal(503);
    expect(body.failing).to.include("chain");
    expect(body.reasons!.chain).to.include("31337").and.include("11155111");
  });

  it("answers 503 naming chain and contract when the RPC node is down", async function () {
    // A port that was free a moment ago: nothing answers there.
    const probe: Server = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const rpcUrl = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      SESSION_SECRET,
      MEDVAULT_RPC_URL: rpcUrl,
      MEDVAULT_CONTRACT: stack.contract,
      MEDVAULT_DATA_DIR: stack.dir,
      HEALTH_TIMEOUT_MS: "500",
    });
    const service = createService({
      config,
      chain: createChainClient(config),
      store: async () => stack.store,
      accessLog: new AccessLog(path.join(stack.dir, "down-log.jsonl")),
    });
    const { status, body } = await health(service);
    expect(status).to.equal(503);
    expect(body.failing).to.have.members(["chain", "contract"]);
    expect(body.reasons!.chain).to.include(rpcUrl);
    expect(body.chainId).to.equal(null);
    expect(body.storage.backend).to.equal("helia");
  });

  it("answers 503 naming a chain that never answers, within the timeout", async function () {
    // Accepts connections and never replies: the probe must give up, not hang.
    const sockets: import("node:net").Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const rpcUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const config = loadConfig({
        SESSION_SECRET,
        MEDVAULT_RPC_URL: rpcUrl,
        MEDVAULT_CONTRACT: stack.contract,
        MEDVAULT_DATA_DIR: stack.dir,
        HEALTH_TIMEOUT_MS: "300",
      });
      const service = createService({
        config,
        chain: createChainClient(config),
        store: async () => stack.store,
        accessLog: new AccessLog(path.join(stack.dir, "silent-log.jsonl")),
      });
      const { status, body } = await health(service);
      expect(status).to.equal(503);
      expect(body.failing).to.include("chain");
      expect(body.reasons!.chain).to.include("did not answer within 300 ms");
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it("answers 503 naming storage when the IPFS node is down", async function () {
    await stack.store.close();
    try {
      const res = await fetch(`${stack.url}/api/health`);
      const body = (await res.json()) as Health;
      expect(res.status).to.equal(503);
      expect(body.failing).to.deep.equal(["storage"]);
      expect(body.reasons!.storage).to.match(/closed/);
      expect(body.storage).to.deep.equal({ backend: null, peerId: null, blockCount: null });
      expect(body.contracts.MedVault.hasCode).to.equal(true);
    } finally {
      stack.setStore(await HeliaStore.create({ dataDir: path.join(stack.dir, "ipfs") }));
    }
    expect((await fetch(`${stack.url}/api/health`)).status).to.equal(200);
  });
});
