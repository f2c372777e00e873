import { expect } from "chai";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { getAddress, type Address } from "viem";
import { AccessLog, GENESIS_HASH, verifyAccessLog, type AccessLogInput } from "../../lib/service/access-log.ts";
import { Client, startStack, type Stack } from "./harness.ts";

const PATIENT = getAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
const DOCTOR = getAddress("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
const OTHER = getAddress("0x90f79bf6eb2c4f870365e785982e1f101e93b906");

function read(
  patient: Address,
  actor: Address | null,
  recordId: number,
  outcome: "served" | "refused" = "served",
): AccessLogInput {
  return {
    action: "read",
    outcome,
    status: outcome === "served" ? 200 : 403,
    actor,
    patient,
    recordId,
    cid: null,
    reason: outcome === "served" ? null : "ACCESS_DENIED",
  };
}

describe("service access log (hash-chained JSON lines)", function () {
  let dir: string;
  let file: string;
  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "medvault-log-"));
    file = path.join(dir, "nested", "service-log.jsonl");
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("chains every line to the sha256 of the line before it", async function () {
    const log = new AccessLog(file);
    for (let i = 1; i <= 5; i++) await log.append(read(PATIENT, DOCTOR, i));
    await log.close();
    const lines = (await readFile(file, "utf8")).trimEnd().split("\n");
    expect(lines).to.have.length(5);
    expect(JSON.parse(lines[0]!).prev).to.equal(GENESIS_HASH);
    for (let i = 1; i < lines.length; i++) {
      expect(JSON.parse(lines[i]!).prev).to.equal(bytesToHex(sha256(new TextEncoder().encode(lines[i - 1]!))));
    }
    const check = await verifyAccessLog(file);
    expect(check).to.deep.equal({
      ok: true,
      entries: 5,
      head: bytesToHex(sha256(new TextEncoder().encode(lines[4]!))),
    });
  });

  it("makes an edited, removed or reordered line evident, naming where the chain breaks", async function () {
    const log = new AccessLog(file);
    for (let i = 1; i <= 4; i++) await log.append(read(PATIENT, DOCTOR, i, i === 2 ? "refused" : "served"));
    await log.close();
    const original = (await readFile(file, "utf8")).trimEnd().split("\n");

    // Turn the refusal into a served read.
    const edited = [...original];
    edited[1] = edited[1]!.replace('"outcome":"refused"', '"outcome":"served"');
    await writeFile(file, edited.join("\n") + "\n");
    expect(await verifyAccessLog(file)).to.include({ ok: false, line: 3 });

    await writeFile(file, [original[0], original[2], original[3]].join("\n") + "\n");
    expect(await verifyAccessLog(file)).to.include({ ok: false, line: 2 });

    await writeFile(file, [original[0], original[2], original[1], original[3]].join("\n") + "\n");
    expect(await verifyAccessLog(file)).to.include({ ok: false, line: 2 });
  });

  it("continues the chain and the sequence after a restart", async function () {
    const first = new AccessLog(file);
    await first.append(read(PATIENT, DOCTOR, 1));
    await first.append(read(PATIENT, DOCTOR, 2));
    await first.close();
    const second = new AccessLog(file);
    const entry = await second.append(read(PATIENT, DOCTOR, 3));
    expect(entry.seq).to.equal(3);
    const page = await second.query(PATIENT, { limit: 10 });
    expect(page.entries.map((e) => e.recordId)).to.deep.equal([3, 2, 1]);
    await second.close();
    expect(await verifyAccessLog(file)).to.include({ ok: true, entries: 3 });
  });

  it("keeps a crash-truncated last line visible instead of silently repairing it", async function () {
    const log = new AccessLog(file);
    await log.append(read(PATIENT, DOCTOR, 1));
    await log.close();
    await appendFile(file, '{"seq":2,"time":"2026');
    const reopened = new AccessLog(file);
    await reopened.append(read(PATIENT, DOCTOR, 3));
    await reopened.close();
    const lines = (await readFile(file, "utf8")).trimEnd().split("\n");
    expect(lines).to.have.length(3);
    expect(await verifyAccessLog(file)).to.include({ ok: false, line: 2, problem: "not a JSON object" });
  });

  it("serialises concurrent appends into one unbroken chain", async function () {
    const log = new AccessLog(file);
    const entries = await Promise.all(Array.from({ length: 100 }, (_, i) => log.append(read(PATIENT, DOCTOR, i + 1))));
    await log.close();
    expect(entries.map((e) => e.seq).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(await verifyAccessLog(file)).to.include({ ok: true, entries: 100 });
  });

  it("pages a patient's entries newest first, and only that patient's", async function () {
    const log = new AccessLog(file);
    for (let i = 1; i <= 7; i++) {
      await log.append(read(PATIENT, DOCTOR, i));
      await log.append(read(OTHER, DOCTOR, i));
    }
    const p1 = await log.query(PATIENT, { limit: 3 });
    expect(p1.entries.map((e) => e.recordId)).to.deep.equal([7, 6, 5]);
    expect(p1.entries.every((e) => e.patient === PATIENT)).to.equal(true);
    const p2 = await log.query(PATIENT, { limit: 3, before: p1.next! });
    expect(p2.entries.map((e) => e.recordId)).to.deep.equal([4, 3, 2]);
    const p3 = await log.query(PATIENT, { limit: 3, before: p2.next! });
    expect(p3.entries.map((e) => e.recordId)).to.deep.equal([1]);
    expect(p3.next).to.equal(null);
    // Keyed by whose data it is: the reader's own activity is not "their" log.
    expect((await log.query(DOCTOR, { limit: 100 })).entries).to.deep.equal([]);
    expect(
      (await log.query(getAddress("0x0000000000000000000000000000000000000001"), { limit: 5 })).entries,
    ).to.deep.equal([]);
    await log.close();
  });
});

describe("service: GET /api/access-log", function () {
  let stack: Stack;
  let patient: Client;
  let P: Address;
  before(async function () {
    stack = await startStack();
    P = getAddress(stack.signers[1]!.address);
    patient = new Client(stack.url);
    await patient.signIn(stack.signers[1]!);
    for (let i = 1; i <= 5; i++) await stack.accessLog.append(read(P, DOCTOR, i, i % 2 ? "served" : "refused"));
  });
  after(async function () {
    await stack?.close();
  });

  it("gives the signed-in patient their entries, newest first, in pages", async function () {
    type Page = {
      patient: string;
      entries: { recordId: number; outcome: string; prev: string }[];
      next: number | null;
    };
    const first = await patient.json<Page>(`/api/access-log?patient=${P}&limit=2`);
    expect(first.status).to.equal(200);
    expect(first.body.patient).to.equal(P);
    expect(first.body.entries.map((e) => [e.recordId, e.outcome])).to.deep.equal([
      [5, "served"],
      [4, "refused"],
    ]);
    const second = await patient.json<Page>(
      `/api/access-log?patient=${P.toLowerCase()}&limit=10&before=${first.body.next}`,
    );
    expect(second.body.entries.map((e) => e.recordId)).to.deep.equal([3, 2, 1]);
    expect(second.body.next).to.equal(null);
  });

  it("refuses other accounts (403), anonymous callers (401) and bad parameters (400)", async function () {
    const other = new Client(stack.url);
    await other.signIn(stack.signers[2]!);
    const forbidden = await other.json(`/api/access-log?patient=${P}`);
    expect([forbidden.status, forbidden.body.error]).to.deep.equal([403, "NOT_YOUR_LOG"]);

    const anon = await new Client(stack.url).json(`/api/access-log?patient=${P}`);
    expect([anon.status, anon.body.error]).to.deep.equal([401, "SESSION_REQUIRED"]);

    for (const [query, code] of [
      ["", "BAD_PATIENT"],
      ["patient=0xnope", "BAD_PATIENT"],
      [`patient=${P}&limit=0`, "BAD_LIMIT"],
      [`patient=${P}&limit=501`, "BAD_LIMIT"],
      [`patient=${P}&before=-1`, "BAD_BEFORE"],
    ]) {
      const res = await patient.json(`/api/access-log?${query}`);
      expect([res.status, res.body.error], query).to.deep.equal([400, code]);
    }
  });
});
