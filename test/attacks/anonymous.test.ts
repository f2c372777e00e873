import { expect } from "chai";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import path from "node:path";
import { getAddress } from "viem";
import { createSiweMessage } from "viem/siwe";
import { CHAIN_ID, Client, DOMAIN, ORIGIN, siweMessage } from "../service/harness.ts";
import { envelopeFor, randomBytes, recordUrl, serviceCast, storeRecord, type Cast } from "./service.ts";

/** Sends raw HTTP; resolves with the status line and how many body bytes were written before it came. */
function rawRequest(
  url: string,
  head: string,
  body?: { chunk: Uint8Array; max: number; chunked: boolean },
): Promise<{ status: number; sent: number; ms: number }> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let sent = 0;
    let answered = false;
    let text = "";
    socket.on("error", (err) => (answered ? undefined : reject(err)));
    socket.on("data", (d) => {
      text += d.toString("latin1");
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m && !answered) {
        answered = true;
        resolve({ status: Number(m[1]), sent, ms: Date.now() - started });
        socket.destroy();
      }
    });
    socket.write(head, async () => {
      if (!body) return;
      while (!answered && sent < body.max) {
        const framed = body.chunked
          ? Buffer.concat([Buffer.from(`${body.chunk.length.toString(16)}\r\n`), body.chunk, Buffer.from("\r\n")])
          : body.chunk;
        const ok = socket.write(framed);
        sent += body.chunk.length;
        if (!ok) await new Promise((r) => socket.once("drain", r).once("close", r));
        if (socket.destroyed) break;
      }
    });
  });
}

describe("anonymous against the storage service", function () {
  let cast: Cast;
  before(async function () {
    cast = await serviceCast({ NONCE_RATE_PER_MINUTE: "20000" });
  });
  after(async function () {
    await cast?.stack.close();
  });

  it("(#2) an anonymous caller cannot put a refusal or a made-up CID into a patient's log", async function () {
    const V = getAddress(cast.victim.address);
    const anonymous = new Client(cast.stack.url);
    await anonymous.request(recordUrl("I-was-here_call-0800-SCAM", V, 1));
    const rec = await storeRecord(cast, cast.victim, cast.victimClient);
    await anonymous.request(recordUrl(rec.cid, V, rec.id));
    const log = await cast.stack.accessLog.query(V, { limit: 1000 });
    expect(log.entries.filter((e) => e.actor === null)).to.deep.equal([]);
    // A signed-in stranger's made-up "CID" is refused, and never written out as typed.
    await cast.strangerClient.request(recordUrl("I-was-here_call-0800-SCAM", V, 1));
    const after = await cast.stack.accessLog.query(V, { limit: 1000 });
    expect(JSON.stringify(after.entries)).not.to.include("SCAM");
  });

  it("(#4) an anonymous caller cannot make /api/rpc wait for a 300 MiB declared body", async function () {
    const head =
      "POST /api/rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
      `Content-Length: ${300 * 1024 * 1024}\r\n\r\n`;
    const res = await rawRequest(cast.stack.url, head);
    expect(res.status).to.equal(413);
    expect(res.ms).to.be.below(2_000);
  });

  it("(#4) an anonymous caller cannot make any route wait for a 300 MiB declared body", async function () {
    const routes: [string, string, string, number][] = [
      ["POST", "/api/auth/verify", "application/json", 413],
      ["POST", "/api/records/upload", "application/octet-stream", 401],
      ["POST", "/api/auth/logout", "application/json", 200],
      ["DELETE", `/api/records/bafkreiaaaa?patient=${cast.victim.address}&record=1`, "application/json", 400],
    ];
    for (const [method, path, type, status] of routes) {
      const head = `${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${300 * 1024 * 1024}\r\n\r\n`;
      const res = await rawRequest(cast.stack.url, head);
      expect(res.status, path).to.equal(status);
      expect(res.ms, path).to.be.below(2_000);
    }
    // Signed in, the upload route refuses the declared length itself.
    const cookie = cast.victimClient.cookie!;
    const head = `POST /api/records/upload HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${300 * 1024 * 1024}\r\n\r\n`;
    expect((await rawRequest(cast.stack.url, head)).status).to.equal(413);
  });

  it("(#4) an anonymous caller cannot make any route buffer a 100 MiB chunked body", async function () {
    const signedIn = `Cookie: ${cast.victimClient.cookie!}\r\n`;
    for (const [path, extra] of [
      ["/api/rpc", ""],
      ["/api/auth/verify", ""],
      ["/api/records/upload", ""],
      ["/api/records/upload", signedIn],
      ["/api/auth/logout", ""],
    ]) {
      const type = path === "/api/records/upload" ? "application/octet-stream" : "application/json";
      const head = `POST ${path} HTTP/1.1\r\nHost: x\r\n${extra}Content-Type: ${type}\r\nTransfer-Encoding: chunked\r\n\r\n`;
      const res = await rawRequest(cast.stack.url, head, {
        chunk: new Uint8Array(64 * 1024).fill(0x20),
        max: 100 * 1024 * 1024,
        chunked: true,
      });
      expect(res.status, path).to.be.oneOf([413, 401, 200]);
      // Socket buffers take a few MiB; a server buffering the body would take all 100.
      expect(res.sent, path).to.be.below(40 * 1024 * 1024);
    }
  });

  it("(#5) an anonymous caller cannot predict the next sign-in nonce", async function () {
    const client = new Client(cast.stack.url);
    const a = await client.nonce();
    const b = await client.nonce();
    // viem's generateSiweNonce slides over one Math.random buffer: b is a shifted by one character.
    expect(b.slice(0, -1)).not.to.equal(a.slice(1));
    let same = 0;
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] === b[i]) same++;
    expect(same / a.length).to.be.below(0.5);
  });

  it("(#5) an anonymous caller cannot evict a pending sign-in with 10,000 nonce requests", async function () {
    const user = new Client(cast.stack.url);
    const nonce = await user.nonce();
    const message = siweMessage(getAddress(cast.victim.address), nonce);
    for (let i = 0; i < 10_000; i++) await cast.stack.service.nonce(new Request(`${cast.stack.url}/api/auth/nonce`));
    const signature = await cast.victim.signMessage(message);
    const res = await user.postJson("/api/auth/verify", { message, signature });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    // The nonce is single use.
    const again = await user.postJson("/api/auth/verify", { message, signature });
    expect([again.status, again.body.error]).to.deep.equal([401, "SIWE_NONCE_USED"]);
  });

  it("(#5) an anonymous caller is rate-limited when asking for nonces", async function () {
    const limited = await serviceCast({ NONCE_RATE_PER_MINUTE: "5" });
    try {
      const c = new Client(limited.stack.url);
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 30; i++) {
        const res = await c.request("/api/auth/nonce");
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get("retry-after");
      }
      expect(statuses).to.include(429);
      expect(Number(retryAfter)).to.be.above(0);
    } finally {
      await limited.stack.close();
    }
  });

  it("(#6) an unregistered account cannot store bytes behind an envelope header", async function () {
    const { stack, stranger, strangerClient } = cast;
    const res = await strangerClient.upload(envelopeFor(stack, getAddress(stranger.address), randomBytes(100_000)));
    expect(res.status).to.equal(403);
    expect(res.body.error).to.equal("NOT_REGISTERED");
    expect(res.body.message).to.match(/register/);
  });

  it("(#7) a corrupted link in a record's root block is reported as 502 STORAGE_INTEGRITY, not 404", async function () {
    const { stack, victim, victimClient } = cast;
    const blocks = path.join(stack.dir, "ipfs", "blocks");
    const listing = async () =>
      new Set((await readdir(blocks, { recursive: true })).filter((f) => f.endsWith(".data")));
    const before = await listing();
    // Over one 1 MiB chunk: a dag-pb root block linking raw leaves.
    const rec = await storeRecord(cast, victim, victimClient, 3 * 1024 * 1024);
    const added = [...(await listing())].filter((f) => !before.has(f)).map((f) => path.join(blocks, f));
    // The root is the block holding links: CIDs (v1, raw, sha2-256) of the leaves.
    const link = Buffer.from([0x01, 0x55, 0x12, 0x20]);
    const contents = await Promise.all(added.map((f) => readFile(f)));
    const index = contents.findIndex((c) => c.length < 4096 && c.includes(link));
    expect(index).to.be.above(-1);
    const root = added[index]!;
    const bytes = contents[index]!;
    // Change one digest byte of the first link.
    const at = bytes.indexOf(link);
    bytes[at + 10]! ^= 0x01;
    await writeFile(root, bytes);
    const res = await victimClient.json(recordUrl(rec.cid, victim.address, rec.id));
    expect([res.status, res.body.error]).to.deep.equal([502, "STORAGE_INTEGRITY"]);
  });

  it("(#7) an anonymous caller gets a JSON 400 for a malformed percent-escape in a path", async function () {
    const res = await fetch(`${cast.stack.url}/api/records/%E0%A4%A?patient=${cast.victim.address}&record=1`);
    expect(res.status).to.equal(400);
    expect(res.headers.get("content-type")).to.match(/application\/json/);
  });
});

void createSiweMessage;
void CHAIN_ID;
void DOMAIN;
void ORIGIN;
