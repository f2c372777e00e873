/**
 * The vault's flows end to end, as the app runs them: real contracts on Hardhat's chain,
 * the real storage service over HTTP, real wallet signatures. Each step asserts what a
 * patient or clinician relies on.
 */
import { expect } from "chai";
import type { Address } from "viem";
import { KeyMismatchError, MissingCategoryKeyError } from "../../../lib/crypto/errors.ts";
import { decryptRecord } from "../../../lib/crypto/envelope.ts";
import {
  breakGlass,
  eraseRecord,
  explainError,
  fetchCiphertext,
  grantAccess,
  granteeKeyResolver,
  grantsTo,
  listGrants,
  listRecords,
  openSession,
  ownKeyResolver,
  readProfile,
  readRecord,
  registerClinicianKey,
  registerPatient,
  revokeAccess,
  saveProfile,
  sendTx,
  ServiceError,
  signIn,
  timeline,
  unlockAccount,
  verifyClinician,
  verifyRecord,
  writeRecord,
  type AccountKeys,
  type VaultContext,
} from "../../../lib/vault/index.ts";
import { startStack, type Stack } from "../../service/harness.ts";
import { dec, enc, registrarFor, vaultContextFor } from "./context.ts";

describe("lib/vault flows against the real contracts and storage service", function () {
  this.timeout(120_000);
  let stack: Stack;
  let patient: VaultContext;
  let doctor: VaultContext;
  let registrar: VaultContext;
  let pKeys: AccountKeys;
  let dKeys: AccountKeys;
  let colleague: VaultContext;
  let cKeys: AccountKeys;
  const NOTE = "Migraine with aura since March; sumatriptan helps within 30 minutes.";

  const ctxFor = (address: string): VaultContext => vaultContextFor(stack, address);

  before(async () => {
    stack = await startStack();
    const [, reg, doc, pat] = stack.signers;
    registrar = await registrarFor(stack, reg!.address);
    doctor = ctxFor(doc!.address);
    patient = ctxFor(pat!.address);
    colleague = ctxFor(stack.signers[6]!.address);
  });
  after(async () => stack?.close());

  it("onboards: unlock derives a key, registration stores it, the next unlock checks it", async () => {
    const first = await unlockAccount(patient);
    expect(first.registered).to.equal(false);
    pKeys = await registerPatient(patient, first);
    const again = await unlockAccount(patient);
    expect(again.registered).to.equal(true);
    expect(again.key.publicKeyHex).to.equal(pKeys.key.publicKeyHex);

    dKeys = await registerClinicianKey(doctor, await unlockAccount(doctor));
    const name = "Dr. Amara Okafor";
    await verifyClinician(registrar, doctor.account, { name, licence: "GMC-7041123" });
  });

  it("refuses a wallet whose derived key is not the registered one", async () => {
    const other = ctxFor(stack.signers[5]!.address);
    const keys = await registerPatient(other, await unlockAccount(other));
    // The account registers a different key (as if from another device): unlocking must say so.
    await sendTx(other, { functionName: "setEncryptionKey", args: [pKeys.key.publicKeyHex] });
    const err = await unlockAccount(other).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(KeyMismatchError);
    expect(keys.registered).to.equal(true);
  });

  it("keeps a profile and a record encrypted, and proves them against the chain", async () => {
    await signIn(patient);
    const resolver = ownKeyResolver(patient, pKeys);
    const stages: string[] = [];
    await saveProfile(
      patient,
      resolver,
      pKeys.account,
      {
        name: "Maria Lopez",
        birthDate: "1979-03-14",
        gender: "female",
        phone: "+34 600 123 456",
        email: "maria@example.org",
        address: "Calle Mayor 1, Madrid",
        currentProblem: "Recurring migraines",
      },
      undefined,
      (p) => stages.push(p.stage),
    );
    expect([...new Set(stages)]).to.deep.equal(["encrypt", "upload", "anchor", "confirmed"]);
    const note = await writeRecord(patient, resolver, {
      patient: pKeys.account,
      category: 1,
      content: enc(NOTE),
      mime: "text/plain",
    });
    expect(note.recordId).to.equal(2);

    const records = await listRecords(patient, pKeys.account);
    expect(records.map((r) => [r.recordId, r.category, r.author])).to.deep.equal([
      [2, 1, pKeys.account],
      [1, 0, pKeys.account],
    ]);
    const profile = await readProfile(patient, resolver, records);
    expect(profile?.profile.name).to.equal("Maria Lopez");
    const opened = await readRecord(patient, resolver, records[0]!);
    expect(dec(opened.content)).to.equal(NOTE);
    expect((await verifyRecord(patient, records[0]!)).ok).to.equal(true);
    // The ciphertext the service stores holds none of the plaintext.
    expect(dec(await fetchCiphertext(patient, records[0]!))).to.not.include("Migraine");
  });

  it("grants one category for a day; the clinician opens one session and reads exactly what was written", async () => {
    const expiry = Math.floor(Date.now() / 1000) + 86_400;
    await grantAccess(patient, pKeys, {
      grantee: doctor.account,
      scope: 1,
      categories: [1],
      permission: 1,
      expiry,
      purpose: 0,
    });
    const [grant] = await grantsTo(doctor, doctor.account);
    expect(grant).to.include({ patient: pKeys.account, state: "active", categoryMask: 2 });

    await signIn(doctor);
    const resolver = await granteeKeyResolver(doctor, dKeys, pKeys.account);
    const records = await listRecords(doctor, pKeys.account);
    const inScope = records.filter((r) => r.category === 1);
    await openSession(
      doctor,
      pKeys.account,
      inScope.map((r) => r.recordId),
      0,
    );
    expect(dec((await readRecord(doctor, resolver, inScope[0]!)).content)).to.equal(NOTE);
    // The profile (category 0) was not shared: the service refuses it.
    const refused = await readRecord(
      doctor,
      resolver,
      records.find((r) => r.category === 0)!,
    ).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(ServiceError).and.include({ status: 403 });

    const events = await timeline(patient, pKeys.account);
    const session = events.find((e) => e.kind === "session");
    expect(session).to.include({ actor: doctor.account });
    expect(session?.recordIds).to.deep.equal([2]);
  });

  it("rejects a session over records outside the grant with the contract's error in words", async () => {
    const err = await openSession(doctor, pKeys.account, [1], 0).catch((e: unknown) => e);
    expect(explainError(err)).to.include({ code: "OutOfScope" });
  });

  it("revokes with key rotation: a later record is refused by storage and unreadable with the old keys", async () => {
    // A second clinician with the same category keeps reading after the first is revoked.
    cKeys = await registerClinicianKey(colleague, await unlockAccount(colleague));
    const name = "Dr. Lucas Brandt";
    await verifyClinician(registrar, colleague.account, { name, licence: "GMC-1" });
    await grantAccess(patient, pKeys, {
      grantee: colleague.account,
      scope: 1,
      categories: [1, 2],
      permission: 1,
      expiry: Math.floor(Date.now() / 1000) + 7 * 86_400,
      purpose: 1,
    });
    await signIn(colleague);

    const oldShare = await granteeKeyResolver(doctor, dKeys, pKeys.account);
    const { rotated, reshared } = await revokeAccess(patient, pKeys, doctor.account);
    expect(rotated).to.deep.equal([1]);
    expect(reshared).to.deep.equal([colleague.account]);
    const grants = await listGrants(patient, pKeys.account);
    expect(grants.find((g) => g.grantee === doctor.account)).to.include({ state: "revoked" });
    expect(grants.find((g) => g.grantee === colleague.account)).to.include({ state: "active" });

    const after = await writeRecord(patient, ownKeyResolver(patient, pKeys), {
      patient: pKeys.account,
      category: 1,
      content: enc("Seen after revocation"),
      mime: "text/plain",
    });
    const record = (await listRecords(doctor, pKeys.account)).find((r) => r.recordId === after.recordId)!;
    const err = await readRecord(doctor, oldShare, record).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ServiceError).and.include({ status: 403 });

    // Even holding the ciphertext, the keys the clinician had cannot open it: the epoch moved on.
    const bytes = await fetchCiphertext(patient, record);
    expect(() =>
      decryptRecord(bytes, { chainId: 31337, contract: stack.contract, patient: pKeys.account, category: 1 }, oldShare),
    ).to.throw(MissingCategoryKeyError);

    const fresh = await granteeKeyResolver(colleague, cKeys, pKeys.account);
    expect(dec((await readRecord(colleague, fresh, record)).content)).to.equal("Seen after revocation");

    const events = await timeline(patient, pKeys.account);
    expect(
      events.some((e) => e.kind === "refused" && e.actor === doctor.account && e.recordIds[0] === after.recordId),
    ).to.equal(true);
  });

  it("puts break-glass access first on the patient's timeline with its reason", async () => {
    await breakGlass(doctor, pKeys.account, "Unconscious in A&E, suspected overdose", 3600);
    const [first] = await timeline(patient, pKeys.account);
    expect(first).to.include({
      kind: "emergency",
      actor: doctor.account,
      reason: "Unconscious in A&E, suspected overdose",
    });
    const err = await breakGlass(doctor, pKeys.account, "  ", 3600).catch((e: unknown) => e);
    expect(err).to.include({ code: "REASON_REQUIRED" });
  });

  it("lets a read+write clinician add a record the patient can open, and blocks them at once when suspended", async () => {
    const expiry = Math.floor(Date.now() / 1000) + 86_400;
    await grantAccess(patient, pKeys, { grantee: doctor.account, scope: 0, permission: 2, expiry, purpose: 1 });
    const records = await listRecords(doctor, pKeys.account);
    const resolver = await granteeKeyResolver(doctor, dKeys, pKeys.account);
    expect(dec((await readRecord(doctor, resolver, records[0]!)).content)).to.equal("Seen after revocation");
    // Read+write: the clinician adds a record the patient can open with their own keys.
    const written = await writeRecord(doctor, resolver, {
      patient: pKeys.account,
      category: 4,
      content: enc("Diagnosis: migraine with aura"),
      mime: "text/plain",
    });
    const byDoctor = (await listRecords(patient, pKeys.account)).find((r) => r.recordId === written.recordId)!;
    expect(byDoctor.author).to.equal(doctor.account);
    expect(dec((await readRecord(patient, ownKeyResolver(patient, pKeys), byDoctor)).content)).to.equal(
      "Diagnosis: migraine with aura",
    );
    await sendTx(registrar, { functionName: "suspendClinician", args: [doctor.account as Address] });
    expect((await grantsTo(doctor, doctor.account))[0]).to.include({ state: "suspended" });
    const err = await readRecord(doctor, resolver, records[0]!).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ServiceError).and.include({ status: 403 });
    const simulated = await openSession(doctor, pKeys.account, [records[0]!.recordId], 0).catch((e: unknown) => e);
    expect(explainError(simulated)).to.include({ code: "ClinicianSuspended" });
  });
});

describe("lib/vault erasure", function () {
  this.timeout(120_000);
  let stack: Stack;
  after(async () => stack?.close());

  it("erases a record: it stays listed as erased and storage no longer serves it", async () => {
    stack = await startStack();
    const ctx = vaultContextFor(stack, stack.signers[3]!.address);
    const account = ctx.account;

    const keys = await registerPatient(ctx, await unlockAccount(ctx));
    await signIn(ctx);
    const { recordId, cid } = await writeRecord(ctx, ownKeyResolver(ctx, keys), {
      patient: account,
      category: 9,
      content: enc("to be shredded"),
      mime: "text/plain",
    });
    expect((await stack.store.stat(cid))?.pinned).to.equal(true);
    await eraseRecord(ctx, { recordId, cid, patient: account });
    const [record] = await listRecords(ctx, account);
    expect(record).to.include({ recordId, erased: true });
    // The service no longer keeps the ciphertext pinned for the patient.
    expect((await stack.store.stat(cid))?.pinned ?? false).to.equal(false);
    const err = await fetchCiphertext(ctx, record!).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ServiceError).and.include({ status: 403 });
    const read = await readRecord(ctx, ownKeyResolver(ctx, keys), record!).catch((e: unknown) => e);
    expect(read).to.include({ code: "ERASED" });
  });
});
