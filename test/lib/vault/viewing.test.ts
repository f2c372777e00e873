/**
 * Reads of someone else's record go through an on-chain viewing session: the reader opens
 * one when the service asks for it, reuses it while it covers the record, and the
 * patient's timeline pages through the whole service log.
 */
import { expect } from "chai";
import { getAddress } from "viem";
import {
  fetchCiphertext,
  grantAccess,
  lastViewingSession,
  listRecords,
  openSession,
  ownKeyResolver,
  registerClinicianKey,
  registerPatient,
  serviceLog,
  signIn,
  unlockAccount,
  verifyClinician,
  writeRecord,
} from "../../../lib/vault/index.ts";
import { startStack, type Stack } from "../../service/harness.ts";
import { enc, registrarFor, vaultContextFor } from "./context.ts";

describe("lib/vault viewing sessions", function () {
  this.timeout(180_000);
  let stack: Stack;
  after(async () => stack?.close());

  it("opens a session when the service asks for one, reuses it, and pages the whole service log", async () => {
    stack = await startStack();
    const [, reg, doc, pat] = stack.signers;
    const registrar = await registrarFor(stack, reg!.address);
    const doctor = vaultContextFor(stack, doc!.address);
    const patient = vaultContextFor(stack, pat!.address);
    await verifyClinician(registrar, doctor.account, { name: "Dr. View", licence: "GMC-8" });
    await registerClinicianKey(doctor, await unlockAccount(doctor));
    const keys = await registerPatient(patient, await unlockAccount(patient));
    await signIn(patient);
    await signIn(doctor);
    const note = { patient: keys.account, category: 1, content: enc("note"), mime: "text/plain" };
    await writeRecord(patient, ownKeyResolver(patient, keys), note);
    await writeRecord(patient, ownKeyResolver(patient, keys), note);
    const grant = {
      grantee: doctor.account,
      scope: 0,
      permission: 1,
      expiry: Math.floor(Date.now() / 1000) + 86_400,
      purpose: 0,
    } as const;
    await grantAccess(patient, keys, grant);
    const [a, b] = await listRecords(doctor, keys.account);

    // No session yet: the read opens one for this record.
    expect(lastViewingSession(doctor, keys.account)).to.equal(undefined);
    await fetchCiphertext(doctor, a!);
    const first = lastViewingSession(doctor, keys.account);
    expect(first).to.match(/^0x[0-9a-f]{64}$/);
    // A second read of the same record reuses it; a read of another record opens a new one.
    await fetchCiphertext(doctor, a!);
    expect(lastViewingSession(doctor, keys.account)).to.equal(first);
    await fetchCiphertext(doctor, b!);
    expect(lastViewingSession(doctor, keys.account)).not.to.equal(first);
    // A session opened up front for both (the dashboard's way) covers both reads.
    const { hash } = await openSession(doctor, keys.account, [a!.recordId, b!.recordId], 0);
    await fetchCiphertext(doctor, b!);
    await fetchCiphertext(doctor, a!);
    expect(lastViewingSession(doctor, keys.account)).to.equal(hash);

    // 600 refusals by a signed-in stranger: the served reads are still on the timeline.
    const strangerCtx = vaultContextFor(stack, stack.signers[5]!.address);
    await signIn(strangerCtx);
    for (let i = 0; i < 600; i++) await fetchCiphertext(strangerCtx, a!).catch(() => undefined);
    const log = await serviceLog(patient, keys.account);
    expect(log.filter((e) => e.kind === "served" && e.actor === getAddress(doctor.account))).to.have.length(5);
    // 600, plus the doctor's two reads the service first refused for want of a session.
    expect(log.filter((e) => e.kind === "refused")).to.have.length(602);
  });
});
