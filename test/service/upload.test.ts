import { expect } from "chai";
import { request as httpRequest } from "node:http";
import { appendFile, readFile } from "node:fs/promises";
import path from "node:path";
import { encryptRecordV1 } from "../lib/crypto/v1-encoder.ts";
import { getAddress } from "viem";
import { x25519 } from "@noble/curves/ed25519.js";
import { REGISTRAR_ROLE } from "../../lib/chain/vocabulary.ts";
import { createKeyShare } from "../../lib/crypto/keyshare.ts";
import { cidToDigest, computeCid } from "../../lib/storage/cid.ts";
import { HeliaStore } from "../../lib/storage/helia.ts";
import { UploadLedger } from "../../lib/service/uploads.ts";
import {
  Client,
  CHAIN_ID,
  envelopeFor,
  logLines,
  randomBytes,
  registerPatient,
  startStack,
  type Stack,
} from "./harness.ts";

const MAX = 256 * 1024;

type RawResult = { status?: number; body?: string; error?: string; chunksWritten: number };

/**
 * A hand-driven HTTP request, for what fetch cannot do: stream a body of unknown
 * length and keep sending after the response, or stop halfway and drop the connection.
 */
function rawUpload(
  url: string,
  opts: { cookie?: string; contentLength?: number; chunks: Iterable<Uint8Array>; abortAfterChunks?: boolean },
): Promise<RawResult> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    if (opts.cookie) headers.cookie = opts.cookie;
    if (opts.contentLength !== undefined) headers["content-length"] = String(opts.contentLength);
    const req = httpRequest(new URL("/api/records/upload", url), { method: "POST", headers });
    let answered = false;
    let chunksWritten = 0;
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, body, chunksWritten }));
      res.on("error", () => resolve({ status: res.statusCode, body, chunksWritten }));
    });
    req.on("error", (err) => {
      if (!answered) resolve({ error: err.message, chunksWritten });
    });
    (async () => {
      for (const chunk of opts.chunks) {
        if (answered || req.destroyed) return;
        chunksWritten++;
        if (!req.write(chunk)) await new Promise((r) => req.once("drain", r));
        await new Promise((r) => setImmediate(r));
      }
      if (opts.abortAfterChunks) {
        req.destroy();
        resolve({ error: "aborted by the test", chunksWritten });
      } else if (!answered) req.end();
    })().catch(() => {});
  });
}

describe("service: POST /api/records/upload", function () {
  let stack: Stack;
  let alice: Client;

  before(async function () {
    stack = await startStack({ MAX_UPLOAD_BYTES: String(MAX) });
    alice = new Client(stack.url);
    // Only registered accounts upload.
    await registerPatient(stack, stack.signers[1]!);
    expect((await alice.signIn(stack.signers[1]!)).status).to.equal(200);
  });
  after(async function () {
    await stack?.close();
  });

  const aliceAddress = () => getAddress(stack.signers[1]!.address);

  it("stores a record envelope and answers 201 with its CID, digest and codec", async function () {
    const bytes = envelopeFor(stack, aliceAddress(), randomBytes(10_000));
    const before = (await logLines(stack)).length;
    const { status, body } = await alice.upload(bytes);
    expect(status, JSON.stringify(body)).to.equal(201);
    const expected = await computeCid(bytes);
    expect(body.cid).to.equal(expected.toString());
    expect(body).to.include({ size: bytes.length, digest: cidToDigest(expected).digest, dagPb: false, kind: "record" });
    expect(await stack.store.get(body.cid)).to.deep.equal(bytes);

    const lines = await logLines(stack);
    expect(lines).to.have.length(before + 1);
    expect(JSON.parse(lines.at(-1)!)).to.include({
      action: "upload",
      outcome: "stored",
      status: 201,
      actor: aliceAddress(),
      cid: body.cid,
    });
  });

  it("refuses a version 1 record envelope, which names no patient (400)", async function () {
    const v1 = encryptRecordV1(
      randomBytes(100),
      { chainId: CHAIN_ID, contract: stack.contract, patient: aliceAddress(), category: 1 },
      randomBytes(32),
      0,
    );
    const res = await alice.upload(v1);
    expect(res.status).to.equal(400);
    expect(res.body.error).to.equal("ENVELOPE_VERSION_REFUSED");
    expect(res.body.message).to.match(/version 2/);
  });

  it("refuses uploads past the pending count with 429 naming the limit, and counts anchored ones as settled", async function () {
    const limited = await startStack({ MAX_PENDING_UPLOADS: "2" });
    try {
      const [, owner] = limited.signers;
      await registerPatient(limited, owner!);
      const c = new Client(limited.url);
      await c.signIn(owner!);
      const me = getAddress(owner!.address);
      const first = await c.upload(envelopeFor(limited, me, randomBytes(100)));
      await c.upload(envelopeFor(limited, me, randomBytes(100)));
      const third = await c.upload(envelopeFor(limited, me, randomBytes(100)));
      expect(third.status).to.equal(429);
      expect(third.body).to.include({ error: "UPLOAD_QUOTA_COUNT", limit: 2 });
      expect(third.body.message).to.match(/limit 2/);
      expect(third.res.headers.get("retry-after")).to.equal("60");
      // Anchoring one frees its place.
      await (await limited.medVault.connect(owner).anchorRecord(me, first.body.digest, 1, 0, 0)).wait();
      const fourth = await c.upload(envelopeFor(limited, me, randomBytes(100)));
      expect(fourth.status, JSON.stringify(fourth.body)).to.equal(201);
      // The bookkeeping is durable: one line per upload and per settlement.
      const ledger = (await readFile(limited.config.uploadLedgerPath, "utf8"))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(ledger.map((l) => l.type)).to.deep.equal(["upload", "upload", "anchored", "upload"]);
      expect(ledger[0]).to.include({ uploader: me, patient: me, kind: "record", size: first.body.size });
    } finally {
      await limited.close();
    }
  });

  it("after a restart, still collects an upload left unanchored past the window", async function () {
    const short = await startStack({ UPLOAD_ANCHOR_WINDOW_SECONDS: "1" });
    try {
      const [, owner] = short.signers;
      await registerPatient(short, owner!);
      const c = new Client(short.url);
      await c.signIn(owner!);
      const parked = await c.upload(envelopeFor(short, getAddress(owner!.address), randomBytes(100)));
      expect(parked.status).to.equal(201);
      short.service.context.uploads.stop();
      // A torn last line (crash mid-write) is skipped, not fatal.
      await appendFile(short.config.uploadLedgerPath, '{"type":"upl');
      const restarted = new UploadLedger(short.config, short.chain, async () => short.store);
      await new Promise((r) => setTimeout(r, 1_100));
      expect((await restarted.sweep()).collected).to.deep.equal([parked.body.cid]);
      expect((await short.store.stat(parked.body.cid))?.pinned ?? false).to.equal(false);
      const lines = (await readFile(short.config.uploadLedgerPath, "utf8")).trimEnd().split("\n");
      expect(JSON.parse(lines.at(-1)!)).to.include({ type: "collected", cid: parked.body.cid });
      restarted.stop();
    } finally {
      await short.close();
    }
  });

  it("refuses an upload without a session with 401", async function () {
    const res = await new Client(stack.url).upload(envelopeFor(stack, aliceAddress(), randomBytes(100)));
    expect(res.status).to.equal(401);
    expect(res.body).to.include({ error: "SESSION_REQUIRED" });
  });

  it("refuses any content type but application/octet-stream with 415", async function () {
    const bytes = envelopeFor(stack, aliceAddress(), randomBytes(100));
    for (const type of ["application/json", "text/plain", "multipart/form-data; boundary=x"]) {
      const res = await alice.upload(bytes, type);
      expect(res.status, type).to.equal(415);
      expect(res.body.error).to.equal("UNSUPPORTED_MEDIA_TYPE");
    }
  });

  it("refuses bodies that are not MedVault envelopes with 400 naming why", async function () {
    const plain = await alice.upload(new TextEncoder().encode("Patient: Jane Doe, HbA1c 6.1%"));
    expect(plain.status).to.equal(400);
    expect(plain.body.error).to.equal("NOT_AN_ENVELOPE");
    expect(plain.body.message).to.include('neither "MVE"');

    const full = envelopeFor(stack, aliceAddress(), randomBytes(100));
    const truncated = await alice.upload(full.subarray(0, 40));
    expect(truncated.status).to.equal(400);
    expect(truncated.body.message).to.match(/truncated: 40 bytes/);

    const future = full.slice();
    future[3] = 9;
    const version = await alice.upload(future);
    expect(version.status).to.equal(400);
    expect(version.body.message).to.match(/version/i);

    const empty = await alice.upload(new Uint8Array(0));
    expect(empty.status).to.equal(400);
    expect(empty.body.message).to.include("empty");
  });

  it("refuses a body over the limit by its Content-Length, before reading it (413)", async function () {
    const before = (await logLines(stack)).length;
    const res = await alice.upload(envelopeFor(stack, aliceAddress(), randomBytes(MAX)));
    expect(res.status).to.equal(413);
    expect(res.body).to.include({ error: "PAYLOAD_TOO_LARGE", limit: MAX });
    expect(await logLines(stack)).to.have.length(before);
  });

  it("stops reading a streamed body once it passes the limit (413), without buffering the rest", async function () {
    const header = envelopeFor(stack, aliceAddress(), new Uint8Array(0));
    const chunk = randomBytes(64 * 1024);
    // Far more than the limit: the server must answer before the client is done.
    function* chunks() {
      yield header;
      for (let i = 0; i < 200; i++) yield chunk;
    }
    const res = await rawUpload(stack.url, { cookie: alice.cookie, chunks: chunks() });
    expect(res.status, res.error).to.equal(413);
    expect(JSON.parse(res.body!)).to.include({ error: "PAYLOAD_TOO_LARGE" });
    // 12.8 MB offered; the refusal came while most of it was still unsent.
    expect(res.chunksWritten).to.be.below(100);
  });

  it("stores nothing and logs nothing when the client drops the connection mid-body", async function () {
    const full = envelopeFor(stack, aliceAddress(), randomBytes(100_000));
    const before = await logLines(stack);
    const res = await rawUpload(stack.url, {
      cookie: alice.cookie,
      contentLength: full.length,
      chunks: [full.subarray(0, 30_000), full.subarray(30_000, 60_000)],
      abortAfterChunks: true,
    });
    expect(res.error).to.equal("aborted by the test");
    await stack.server.settled();
    expect(await stack.store.has(await computeCid(full))).to.equal(false);
    expect(await stack.store.has(await computeCid(full.subarray(0, 60_000)))).to.equal(false);
    expect(await logLines(stack)).to.deep.equal(before);
    // And the service is still up.
    expect((await alice.json("/api/auth/session")).status).to.equal(200);
  });

  it("refuses a body shorter than its Content-Length as incomplete", async function () {
    const full = envelopeFor(stack, aliceAddress(), randomBytes(1000));
    const req = new Request(new URL("/api/records/upload", stack.url), {
      method: "POST",
      headers: {
        "content-type": "application/octet-stream",
        "content-length": String(full.length + 10),
        cookie: alice.cookie!,
      },
      body: full as Uint8Array<ArrayBuffer>,
    });
    // Straight to the handler: an HTTP client would not send a lying Content-Length.
    const res = await stack.service.upload(req);
    expect(res.status).to.equal(400);
    expect(await res.json()).to.include({ error: "BODY_INCOMPLETE" });
  });

  it("accepts a key share only from the patient it belongs to, or from a registrar", async function () {
    const [admin, patient, grantee, registrar] = stack.signers;
    const share = createKeyShare({
      ctx: { chainId: CHAIN_ID, contract: stack.contract },
      patient: getAddress(patient!.address),
      grantee: getAddress(grantee!.address),
      granteePublicKey: x25519.getPublicKey(x25519.utils.randomSecretKey()),
      entries: [{ category: 2, epoch: 0, key: randomBytes(32) }],
    });
    const own = await alice.upload(share);
    expect(own.status, JSON.stringify(own.body)).to.equal(201);
    expect(own.body.kind).to.equal("keyshare");

    // Neither the grantee nor any other account without the registrar role may store it.
    const bob = new Client(stack.url);
    await registerPatient(stack, grantee!);
    await bob.signIn(grantee!);
    const other = await bob.upload(share);
    expect(other.status).to.equal(403);
    expect(other.body.error).to.equal("KEY_SHARE_NOT_YOURS");
    const carol = new Client(stack.url);
    await carol.signIn(registrar!);
    const before = await logLines(stack);
    const refused = await carol.upload(share);
    expect(refused.status).to.equal(403);
    expect(refused.body.error).to.equal("NOT_REGISTERED");
    expect(await logLines(stack)).to.have.length(before.length);

    // A registrar re-wraps a patient's emergency kit for a clinician, so it may store the share.
    await (await stack.medVault.connect(admin).grantRole(REGISTRAR_ROLE, registrar!.address)).wait();
    const rewrapped = await carol.upload(share);
    expect(rewrapped.status, JSON.stringify(rewrapped.body)).to.equal(201);
    expect(rewrapped.body.kind).to.equal("keyshare");
    const entry = JSON.parse((await logLines(stack)).at(-1)!) as { actor: string; patient: string };
    expect(entry.actor).to.equal(getAddress(registrar!.address));
    expect(entry.patient).to.equal(getAddress(patient!.address));
  });

  it("answers 503 naming the reason when storage is down, and logs nothing", async function () {
    const bytes = envelopeFor(stack, aliceAddress(), randomBytes(5000));
    const before = await logLines(stack);
    await stack.store.close();
    try {
      const res = await alice.upload(bytes);
      expect(res.status).to.equal(503);
      expect(res.body.error).to.equal("STORAGE_UNAVAILABLE");
      expect(res.body.message).to.match(/closed/);
      expect(await logLines(stack)).to.deep.equal(before);
    } finally {
      stack.setStore(await HeliaStore.create({ dataDir: path.join(stack.dir, "ipfs") }));
    }
    // Back up: the same upload goes through and nothing from the failed attempt lingers.
    const again = await alice.upload(bytes);
    expect(again.status).to.equal(201);
    expect(await logLines(stack)).to.have.length(before.length + 1);
  });
});
