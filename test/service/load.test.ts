import { expect } from "chai";
import { getAddress } from "viem";
import { ENVELOPE_OVERHEAD } from "../../lib/crypto/envelope.ts";
import { verifyAccessLog } from "../../lib/service/access-log.ts";
import { anchor, Client, envelopeFor, randomBytes, registerPatient, startStack, type Stack } from "./harness.ts";

const CLIENTS = 20;
const RECORDS_PER_CLIENT = 10;
const RECORD_BYTES = 64 * 1024;

describe("service: load check", function () {
  // Bounded: a hang fails the suite instead of stalling it.
  this.timeout(180_000);

  let stack: Stack;
  before(async function () {
    stack = await startStack();
  });
  after(async function () {
    await stack?.close();
  });

  it(`${CLIENTS} concurrent clients each upload and read back ${RECORDS_PER_CLIENT} records of 64 KiB, byte-identical`, async function () {
    expect(stack.signers.length).to.be.at.least(CLIENTS);
    const results = await Promise.all(
      stack.signers.slice(0, CLIENTS).map(async (signer) => {
        const patient = getAddress(signer.address);
        await registerPatient(stack, signer);
        const client = new Client(stack.url);
        const signIn = await client.signIn(signer);
        expect(signIn.status, JSON.stringify(signIn.body)).to.equal(200);

        const stored: { cid: string; id: number; bytes: Uint8Array }[] = [];
        for (let i = 0; i < RECORDS_PER_CLIENT; i++) {
          const bytes = envelopeFor(stack, patient, randomBytes(RECORD_BYTES - ENVELOPE_OVERHEAD));
          expect(bytes.length).to.equal(RECORD_BYTES);
          const up = await client.upload(bytes);
          expect(up.status, JSON.stringify(up.body)).to.equal(201);
          stored.push({ cid: up.body.cid, id: await anchor(stack, signer, up.body.digest, up.body.dagPb), bytes });
        }
        // Read back after all of this client's uploads, interleaved with other clients' writes.
        for (const r of stored) {
          const res = await client.request(`/api/records/${r.cid}?patient=${patient}&record=${r.id}`);
          expect(res.status).to.equal(200);
          expect(new Uint8Array(await res.arrayBuffer())).to.deep.equal(r.bytes);
        }
        return stored.map((r) => r.cid);
      }),
    );

    const cids = results.flat();
    expect(cids).to.have.length(CLIENTS * RECORDS_PER_CLIENT);
    expect(new Set(cids).size).to.equal(cids.length);
    // 200 uploads and 200 reads, every one in one unbroken hash chain.
    expect(await verifyAccessLog(stack.config.accessLogPath)).to.include({
      ok: true,
      entries: 2 * CLIENTS * RECORDS_PER_CLIENT,
    });
  });
});
