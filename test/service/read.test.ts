import { expect } from "chai";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, keccak256, toHex, zeroHash, type Address } from "viem";
import { x25519 } from "@noble/curves/ed25519.js";
import { createKeyShare } from "../../lib/crypto/keyshare.ts";
import { cidToDigest, computeCid } from "../../lib/storage/cid.ts";
import { HeliaStore } from "../../lib/storage/helia.ts";
import { REGISTRAR_ROLE } from "../../lib/chain/vocabulary.ts";
import {
  anchor,
  Client,
  CHAIN_ID,
  envelopeFor,
  logLines,
  randomBytes,
  registerPatient,
  startStack,
  type Signer,
  type Stack,
} from "./harness.ts";

describe("service: GET /api/records/{cid} and /api/keyshares/{cid}", function () {
  let stack: Stack;
  let patient: Signer, doctor: Signer, stranger: Signer;
  let patientClient: Client, doctorClient: Client, strangerClient: Client;
  let small: { bytes: Uint8Array; cid: string; id: number };
  let large: { bytes: Uint8Array; cid: string; id: number };
  let unstored: { cid: string; id: number };
  let P: Address;

  // The doctor's viewing session over the records made in `before` (the patient needs none).
  let viewing = "";
  const url = (cid: string, patientAddr: string, record: number | string) =>
    `/api/records/${cid}?patient=${patientAddr}&record=${record}${viewing ? `&session=${viewing}` : ""}`;

  async function uploadAndAnchor(bytes: Uint8Array) {
    const up = await patientClient.upload(bytes);
    expect(up.status, JSON.stringify(up.body)).to.equal(201);
    const id = await anchor(stack, patient, up.body.digest, up.body.dagPb);
    return { bytes, cid: up.body.cid, id };
  }

  before(async function () {
    stack = await startStack();
    [, patient, doctor, stranger] = stack.signers as [Signer, Signer, Signer, Signer];
    P = getAddress(patient.address);
    const [admin] = stack.signers;
    await (await stack.medVault.connect(admin).grantRole(REGISTRAR_ROLE, admin!.address)).wait();
    await (
      await stack.medVault
        .connect(admin)
        .verifyClinician(doctor.address, keccak256(toHex("GMC-7")), keccak256(toHex("Dr Who")), "Dr Who")
    ).wait();
    await registerPatient(stack, patient);

    patientClient = new Client(stack.url);
    doctorClient = new Client(stack.url);
    strangerClient = new Client(stack.url);
    await patientClient.signIn(patient);
    await doctorClient.signIn(doctor);
    await strangerClient.signIn(stranger);

    small = await uploadAndAnchor(envelopeFor(stack, P, randomBytes(4_000)));
    // Over one 1 MiB chunk: stored as a UnixFS DAG (dag-pb CID).
    large = await uploadAndAnchor(envelopeFor(stack, P, randomBytes(3 * 1024 * 1024 + 17)));
    const never = envelopeFor(stack, P, randomBytes(100));
    const neverCid = await computeCid(never);
    unstored = { cid: neverCid.toString(), id: await anchor(stack, patient, cidToDigest(neverCid).digest, false) };

    const now = Number((await stack.conn.ethers.provider.getBlock("latest"))!.timestamp);
    await (
      await stack.medVault.connect(patient).grantConsent({
        grantee: doctor.address,
        scope: 0,
        categoryMask: 0,
        recordIds: [],
        permission: 1,
        expiry: now + 86_400,
        purpose: 0,
        keyShareDigest: zeroHash,
      })
    ).wait();
    const opened = await stack.medVault.connect(doctor).openAccessSession(P, [small.id, large.id, unstored.id], 0);
    await opened.wait();
    viewing = opened.hash;
  });
  after(async function () {
    await stack?.close();
  });

  it("serves the patient their own record, byte for byte, as uncacheable octet-stream", async function () {
    const res = await patientClient.request(url(small.cid, P, small.id));
    expect(res.status).to.equal(200);
    expect(res.headers.get("content-type")).to.equal("application/octet-stream");
    expect(res.headers.get("cache-control")).to.equal("private, no-store");
    expect(res.headers.get("x-content-type-options")).to.equal("nosniff");
    expect(new Uint8Array(await res.arrayBuffer())).to.deep.equal(small.bytes);
  });

  it("serves a granted clinician a multi-chunk (dag-pb) record intact", async function () {
    expect(cidToDigest(large.cid).dagPb).to.equal(true);
    const res = await doctorClient.request(url(large.cid, P, large.id));
    expect(res.status).to.equal(200);
    expect(new Uint8Array(await res.arrayBuffer())).to.deep.equal(large.bytes);
  });

  it("accepts the patient address in any letter case", async function () {
    const res = await doctorClient.request(url(small.cid, P.toLowerCase(), small.id));
    expect(res.status).to.equal(200);
  });

  it("refuses an account without consent with 403 naming the contract's reason", async function () {
    const { status, body } = await strangerClient.json(url(small.cid, P, small.id));
    expect(status).to.equal(403);
    expect(body.error).to.equal("ACCESS_DENIED");
    expect(body.contractError).to.equal(`ClinicianNotVerified(${getAddress(stranger.address)})`);
    expect(body.message).to.include(getAddress(stranger.address));
  });

  it("refuses a read without a session with 401", async function () {
    const { status, body } = await new Client(stack.url).json(url(small.cid, P, small.id));
    expect(status).to.equal(401);
    expect(body.error).to.equal("SESSION_REQUIRED");
  });

  it("answers malformed CIDs and parameters with 400 naming the problem", async function () {
    const cases: [string, string][] = [
      [url("not-a-cid", P, 1), "BAD_CID"],
      // CIDv0 (sha2-256 dag-pb, base58): a real CID, but not the kind MedVault stores.
      [url("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", P, 1), "BAD_CID"],
      [url(small.cid, "0x1234", 1), "BAD_PATIENT"],
      [`/api/records/${small.cid}?record=1`, "BAD_PATIENT"],
      [url(small.cid, P, 0), "BAD_RECORD_ID"],
      [url(small.cid, P, "1.5"), "BAD_RECORD_ID"],
      [url(small.cid, P, "4294967296"), "BAD_RECORD_ID"],
      [`/api/records/${small.cid}?patient=${P}`, "BAD_RECORD_ID"],
    ];
    for (const [path, code] of cases) {
      const { status, body } = await doctorClient.json(path);
      expect(status, path).to.equal(400);
      expect(body.error, path).to.equal(code);
      expect(body.message, path).to.be.a("string").with.length.above(0);
    }
  });

  it("answers 404 for a record id the chain does not know", async function () {
    const { status, body } = await patientClient.json(url(small.cid, P, 999));
    expect(status).to.equal(404);
    expect(body.error).to.equal("RECORD_NOT_FOUND");
  });

  it("answers 404 for an anchored CID that storage does not hold", async function () {
    const { status, body } = await patientClient.json(url(unstored.cid, P, unstored.id));
    expect(status).to.equal(404);
    expect(body.error).to.equal("CID_NOT_FOUND");
  });

  it("refuses with 403 a CID that is not the one anchored for that record", async function () {
    // The doctor may read record `small`, but asks for `large`'s bytes under its id.
    const { status, body } = await doctorClient.json(url(large.cid, P, small.id));
    expect(status).to.equal(403);
    expect(body.error).to.equal("CID_MISMATCH");
  });

  it("logs every served and refused read, which the patient sees in their access log", async function () {
    const before = (await logLines(stack)).length;

    await doctorClient.request(url(small.cid, P, small.id));
    await strangerClient.request(url(small.cid, P, small.id));
    await new Client(stack.url).request(url(small.cid, P, small.id));
    const lines = (await logLines(stack)).slice(before).map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.outcome, l.status, l.actor, l.reason])).to.deep.equal([
      ["served", 200, getAddress(doctor.address), null],
      ["refused", 403, getAddress(stranger.address), "ACCESS_DENIED"],
      ["refused", 401, null, "SESSION_REQUIRED"],
    ]);
    for (const l of lines.slice(0, 2))
      expect(l).to.include({ action: "read", patient: P, recordId: small.id, cid: small.cid });
    // A request without a session goes on no patient's log (anyone could send it).
    expect(lines[2]).to.include({ action: "read", patient: null, recordId: null, cid: null });

    const { status, body } = await patientClient.json<{ entries: { outcome: string; actor: string | null }[] }>(
      `/api/access-log?patient=${P}&limit=2`,
    );
    expect(status).to.equal(200);
    expect(body.entries.map((e) => [e.outcome, e.actor])).to.deep.equal([
      ["refused", getAddress(stranger.address)],
      ["served", getAddress(doctor.address)],
    ]);
  });

  it("names why a viewing session does not cover a read: none, unknown, malformed, another patient", async function () {
    const bare = `/api/records/${small.cid}?patient=${P}&record=${small.id}`;
    const none = await doctorClient.json(bare);
    expect([none.status, none.body.error]).to.deep.equal([403, "VIEWING_SESSION_REQUIRED"]);
    expect(none.body.message).to.match(/openAccessSession/);
    const unknown = await doctorClient.json(`${bare}&session=0x${"ab".repeat(32)}`);
    expect([unknown.status, unknown.body.error]).to.deep.equal([403, "VIEWING_SESSION_NOT_FOUND"]);
    for (const bad of ["", "abc", `0x${"g".repeat(64)}`, `0x${"ab".repeat(33)}`]) {
      const res = await doctorClient.json(`${bare}&session=${bad}`);
      expect([res.status, res.body.error], bad).to.deep.equal([400, "BAD_SESSION_TX"]);
    }
    // A session the doctor opened over another patient's record does not cover this one.
    await registerPatient(stack, stranger);
    const strangerDoc = await (
      await strangerClient.upload(envelopeFor(stack, getAddress(stranger.address), randomBytes(50)))
    ).body;
    const otherId = await anchor(stack, stranger, strangerDoc.digest, strangerDoc.dagPb);
    const now = Number((await stack.conn.ethers.provider.getBlock("latest"))!.timestamp);
    await (
      await stack.medVault.connect(stranger).grantConsent({
        grantee: doctor.address,
        scope: 0,
        categoryMask: 0,
        recordIds: [],
        permission: 1,
        expiry: now + 86_400,
        purpose: 0,
        keyShareDigest: zeroHash,
      })
    ).wait();
    const elsewhere = await stack.medVault.connect(doctor).openAccessSession(stranger.address, [otherId], 0);
    await elsewhere.wait();
    const other = await doctorClient.json(`${bare}&session=${elsewhere.hash}`);
    expect([other.status, other.body.error]).to.deep.equal([403, "VIEWING_SESSION_OTHER_PATIENT"]);
    // The patient reads their own record with no session at all.
    expect((await patientClient.request(bare)).status).to.equal(200);
  });

  it("lists served and refused entries apart on request, and refuses an unknown outcome (400)", async function () {
    await strangerClient.request(url(small.cid, P, small.id));
    const served = await patientClient.json<{ entries: { outcome: string }[] }>(
      `/api/access-log?patient=${P}&outcome=served&limit=500`,
    );
    expect(served.status).to.equal(200);
    expect(served.body.entries.length).to.be.above(0);
    expect(served.body.entries.every((e) => e.outcome !== "refused")).to.equal(true);
    const refused = await patientClient.json<{ entries: { outcome: string }[] }>(
      `/api/access-log?patient=${P}&outcome=refused`,
    );
    expect(refused.body.entries.every((e) => e.outcome === "refused")).to.equal(true);
    const bad = await patientClient.json(`/api/access-log?patient=${P}&outcome=everything`);
    expect([bad.status, bad.body.error]).to.deep.equal([400, "BAD_OUTCOME"]);
  });

  describe("key shares", function () {
    let shareCid: string;
    let share: Uint8Array;
    before(async function () {
      share = createKeyShare({
        ctx: { chainId: CHAIN_ID, contract: stack.contract },
        patient: P,
        grantee: getAddress(doctor.address),
        granteePublicKey: x25519.getPublicKey(x25519.utils.randomSecretKey()),
        entries: [{ category: 1, epoch: 0, key: randomBytes(32) }],
      });
      const up = await patientClient.upload(share);
      expect(up.status).to.equal(201);
      shareCid = up.body.cid;
    });

    it("serves a key share to any signed-in account", async function () {
      const res = await strangerClient.request(`/api/keyshares/${shareCid}`);
      expect(res.status).to.equal(200);
      expect(new Uint8Array(await res.arrayBuffer())).to.deep.equal(share);
      const last = JSON.parse((await logLines(stack)).at(-1)!);
      expect(last).to.include({
        action: "keyshare",
        outcome: "served",
        actor: getAddress(stranger.address),
        patient: P,
        cid: shareCid,
      });
    });

    it("never serves a record envelope through the key-share route", async function () {
      const { status, body } = await strangerClient.json(`/api/keyshares/${small.cid}`);
      expect(status).to.equal(403);
      expect(body.error).to.equal("NOT_A_KEY_SHARE");
    });

    it("answers 401 without a session, 400 for a bad CID and 404 for an unknown one", async function () {
      expect((await new Client(stack.url).json(`/api/keyshares/${shareCid}`)).body.error).to.equal("SESSION_REQUIRED");
      const bad = await strangerClient.json(`/api/keyshares/zzz`);
      expect([bad.status, bad.body.error]).to.deep.equal([400, "BAD_CID"]);
      const missing = await strangerClient.json(`/api/keyshares/${unstored.cid}`);
      expect([missing.status, missing.body.error]).to.deep.equal([404, "CID_NOT_FOUND"]);
    });
  });

  it("never serves bytes corrupted on the storage node's disk (502), and logs the refusal", async function () {
    const victim = await uploadAndAnchor(envelopeFor(stack, P, randomBytes(2_000)));
    // A single-block record is stored as one file holding exactly its bytes.
    const blocks = path.join(stack.dir, "ipfs", "blocks");
    const files = (await readdir(blocks, { recursive: true })).map((f) => path.join(blocks, f));
    let corrupted = 0;
    for (const file of files) {
      if (!file.endsWith(".data")) continue;
      const content = await readFile(file);
      if (content.length !== victim.bytes.length || !content.equals(victim.bytes)) continue;
      content[content.length - 1]! ^= 0x01;
      await writeFile(file, content);
      corrupted++;
    }
    expect(corrupted).to.equal(1);
    const { status, body } = await patientClient.json(url(victim.cid, P, victim.id));
    expect(status).to.equal(502);
    expect(body.error).to.equal("STORAGE_INTEGRITY");
    expect(JSON.parse((await logLines(stack)).at(-1)!)).to.include({
      outcome: "refused",
      status: 502,
      reason: "STORAGE_INTEGRITY",
    });
  });

  it("answers 503 when storage is down, and logs the refusal", async function () {
    await stack.store.close();
    try {
      const { status, body } = await patientClient.json(url(small.cid, P, small.id));
      expect(status).to.equal(503);
      expect(body.error).to.equal("STORAGE_UNAVAILABLE");
      expect(JSON.parse((await logLines(stack)).at(-1)!)).to.include({
        outcome: "refused",
        status: 503,
        reason: "STORAGE_UNAVAILABLE",
      });
    } finally {
      stack.setStore(await HeliaStore.create({ dataDir: path.join(stack.dir, "ipfs") }));
    }
    expect((await patientClient.request(url(small.cid, P, small.id))).status).to.equal(200);
  });

  it("stops serving a clinician the moment the patient revokes consent", async function () {
    expect((await doctorClient.request(url(small.cid, P, small.id))).status).to.equal(200);
    await (await stack.medVault.connect(patient).revokeConsent(doctor.address)).wait();
    const { status, body } = await doctorClient.json(url(small.cid, P, small.id));
    expect(status).to.equal(403);
    expect(body.error).to.equal("ACCESS_DENIED");
  });

  it("refuses an erased record even to its patient", async function () {
    await (await stack.medVault.connect(patient).markErased(small.id)).wait();
    const { status, body } = await patientClient.json(url(small.cid, P, small.id));
    expect(status).to.equal(403);
    expect(body.error).to.equal("RECORD_ERASED");
  });
});
