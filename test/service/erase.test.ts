import { expect } from "chai";
import { getAddress, type Address } from "viem";
import {
  anchor,
  Client,
  envelopeFor,
  randomBytes,
  registerPatient,
  startStack,
  type Signer,
  type Stack,
} from "./harness.ts";

describe("service: DELETE /api/records/{cid} (storage half of erasure)", function () {
  let stack: Stack;
  let patient: Signer, stranger: Signer;
  let patientClient: Client, strangerClient: Client, anonymous: Client;
  let P: Address;
  let record: { cid: string; id: number };

  const url = (cid: string, patientAddr: string, id: number | string) =>
    `/api/records/${cid}?patient=${patientAddr}&record=${id}`;
  const del = (client: Client, path: string) => client.request(path, { method: "DELETE" });
  const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

  before(async function () {
    stack = await startStack();
    [, patient, , stranger] = stack.signers as [Signer, Signer, Signer, Signer];
    P = getAddress(patient.address);
    await registerPatient(stack, patient);
    patientClient = new Client(stack.url);
    strangerClient = new Client(stack.url);
    anonymous = new Client(stack.url);
    await patientClient.signIn(patient);
    await strangerClient.signIn(stranger);
    const up = await patientClient.upload(envelopeFor(stack, P, randomBytes(5_000)));
    expect(up.status).to.equal(201);
    record = { cid: up.body.cid as string, id: await anchor(stack, patient, up.body.digest, up.body.dagPb) };
  });
  after(async () => stack?.close());

  it("refuses while the record is not erased on-chain, and keeps it pinned", async () => {
    const res = await del(patientClient, url(record.cid, P, record.id));
    expect(res.status).to.equal(409);
    expect(await errorOf(res)).to.equal("RECORD_NOT_ERASED");
    expect((await stack.store.stat(record.cid))?.pinned).to.equal(true);
  });

  it("answers bad input and other accounts with a clear error", async () => {
    await (await stack.medVault.connect(patient).markErased(record.id)).wait();
    const cases: [Client, string, number, string][] = [
      [anonymous, url(record.cid, P, record.id), 401, "SESSION_REQUIRED"],
      [strangerClient, url(record.cid, P, record.id), 403, "NOT_YOUR_RECORD"],
      [patientClient, url("not-a-cid", P, record.id), 400, "BAD_CID"],
      [patientClient, url(record.cid, "0x1234", record.id), 400, "BAD_PATIENT"],
      [patientClient, url(record.cid, P, "x"), 400, "BAD_RECORD_ID"],
      [patientClient, url(record.cid, P, 999), 404, "RECORD_NOT_FOUND"],
    ];
    for (const [client, path, status, code] of cases) {
      const res = await del(client, path);
      expect(res.status, `${code}: ${path}`).to.equal(status);
      expect(await errorOf(res)).to.equal(code);
    }
    // A CID other than the one anchored for the record is not unpinned through it.
    const other = await patientClient.upload(envelopeFor(stack, P, randomBytes(300)));
    const res = await del(patientClient, url(other.body.cid as string, P, record.id));
    expect(res.status).to.equal(403);
    expect(await errorOf(res)).to.equal("CID_MISMATCH");
    expect((await stack.store.stat(other.body.cid as string))?.pinned).to.equal(true);
    expect((await stack.store.stat(record.cid))?.pinned).to.equal(true);
  });

  it("unpins an erased record's ciphertext for its patient, and repeating it is harmless", async () => {
    const first = await del(patientClient, url(record.cid, P, record.id));
    expect(first.status).to.equal(204);
    expect((await stack.store.stat(record.cid))?.pinned ?? false).to.equal(false);
    expect((await del(patientClient, url(record.cid, P, record.id))).status).to.equal(204);
  });
});
