import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_RPC_BATCH, MAX_RPC_BODY_BYTES, createRpcProxy } from "../../lib/service/rpc-proxy.ts";

/** A tiny JSON-RPC node on loopback that records what reached it. */
async function fakeNode(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const parsed = JSON.parse(body) as { id: number; method: string } | { id: number; method: string }[];
      const calls = Array.isArray(parsed) ? parsed : [parsed];
      calls.forEach((c) => seen.push(c.method));
      const answers = calls.map((c) => ({
        jsonrpc: "2.0",
        id: c.id,
        result: c.method === "eth_chainId" ? "0x7a69" : "0x1",
      }));
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(Array.isArray(parsed) ? answers : answers[0]));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

const post = (body: string, contentType = "application/json") =>
  new Request("http://127.0.0.1/api/rpc", { method: "POST", headers: { "content-type": contentType }, body });

describe("RPC relay (/api/rpc)", () => {
  let node: Awaited<ReturnType<typeof fakeNode>>;
  let proxy: ReturnType<typeof createRpcProxy>;
  before(async () => {
    node = await fakeNode();
    proxy = createRpcProxy({ rpcUrl: node.url, timeoutMs: 2_000 });
  });
  after(() => node.close());

  it("relays a read call and a batch to the configured node", async () => {
    const one = await proxy(post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] })));
    expect(one.status).to.equal(200);
    expect(await one.json()).to.deep.equal({ jsonrpc: "2.0", id: 1, result: "0x7a69" });
    const batch = await proxy(
      post(
        JSON.stringify([
          { jsonrpc: "2.0", id: 1, method: "eth_blockNumber" },
          { jsonrpc: "2.0", id: 2, method: "eth_getLogs", params: [{}] },
        ]),
      ),
    );
    expect(((await batch.json()) as unknown[]).length).to.equal(2);
  });

  it("refuses state-changing and account methods without calling the node", async () => {
    const before = node.seen.length;
    for (const method of [
      "eth_sendRawTransaction",
      "eth_sendTransaction",
      "eth_accounts",
      "hardhat_setBalance",
      "evm_mine",
    ]) {
      const res = await proxy(post(JSON.stringify({ jsonrpc: "2.0", id: 1, method })));
      expect(res.status, method).to.equal(403);
      expect(await res.json()).to.include({ error: "METHOD_NOT_RELAYED", method });
    }
    // A batch with one forbidden call is refused whole.
    const mixed = await proxy(
      post(
        JSON.stringify([
          { id: 1, method: "eth_chainId" },
          { id: 2, method: "eth_sendRawTransaction" },
        ]),
      ),
    );
    expect(mixed.status).to.equal(403);
    expect(node.seen.length).to.equal(before);
  });

  it("refuses an oversized body by its Content-Length or as it streams, before reading it all (413)", async () => {
    const proxy = createRpcProxy({ rpcUrl: "http://127.0.0.1:9", timeoutMs: 1000 });
    const declared = await proxy(
      new Request("http://x/api/rpc", {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(300 * 1024 * 1024) },
      }),
    );
    expect(declared.status).to.equal(413);
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += 65_536;
        c.enqueue(new Uint8Array(65_536).fill(0x20));
      },
    });
    const streamed = await proxy(
      new Request("http://x/api/rpc", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: endless,
        duplex: "half",
      } as RequestInit),
    );
    expect(streamed.status).to.equal(413);
    expect(((await streamed.json()) as { limit: number }).limit).to.equal(MAX_RPC_BODY_BYTES);
    expect(pulled).to.be.below(MAX_RPC_BODY_BYTES + 4 * 65_536);
  });

  it("answers bad input with a clear JSON error", async () => {
    const cases: [Request, number, string][] = [
      [new Request("http://127.0.0.1/api/rpc"), 405, "METHOD_NOT_ALLOWED"],
      [post("{}", "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE"],
      [post("{not json"), 400, "BAD_JSON"],
      [post("[]"), 400, "BAD_BATCH"],
      [
        post(JSON.stringify(Array.from({ length: MAX_RPC_BATCH + 1 }, (_, id) => ({ id, method: "eth_chainId" })))),
        400,
        "BAD_BATCH",
      ],
      [post(JSON.stringify({ id: 1 })), 400, "BAD_RPC_REQUEST"],
      [
        post(JSON.stringify({ id: 1, method: "eth_call", params: ["x".repeat(MAX_RPC_BODY_BYTES)] })),
        413,
        "PAYLOAD_TOO_LARGE",
      ],
    ];
    for (const [req, status, code] of cases) {
      const res = await proxy(req);
      expect(res.status, code).to.equal(status);
      expect(((await res.json()) as { error: string }).error).to.equal(code);
    }
  });

  it("answers 503 naming the chain when the node is down", async () => {
    const down = createRpcProxy({ rpcUrl: "http://127.0.0.1:9", timeoutMs: 1_000 });
    const res = await down(post(JSON.stringify({ id: 1, method: "eth_chainId" })));
    expect(res.status).to.equal(503);
    expect(((await res.json()) as { error: string }).error).to.equal("CHAIN_UNAVAILABLE");
  });
});
