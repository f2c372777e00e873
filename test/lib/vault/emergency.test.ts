/**
 * The emergency kit end to end: a patient escrows the emergency categories with a
 * registrar, a clinician opens break-glass access, the registrar releases the kit, and the
 * clinician decrypts exactly the emergency categories. Real contracts on Hardhat's chain,
 * the real storage service over HTTP, real wallet signatures.
 */
import { expect } from "chai";
import { MissingCategoryKeyError } from "../../../lib/crypto/errors.ts";
import { EMERGENCY_CATEGORIES } from "../../../lib/records/categories.ts";
import {
  breakGlass,
  EMERGENCY_MASK,
  emergencyKeyResolver,
  emergencyKitOf,
  explainError,
  fetchCiphertext,
  listOpenEmergencies,
  listRecords,
  listRegistrars,
  ownKeyResolver,
  readRecord,
  registerClinicianKey,
  registerPatient,
  releaseEmergencyKit,
  ServiceError,
  setupEmergencyKit,
  signIn,
  timeline,
  unlockAccount,
  verifyClinician,
  writeRecord,
  type AccountKeys,
  type VaultContext,
} from "../../../lib/vault/index.ts";
import { logLines, startStack, type Stack } from "../../service/harness.ts";
import { dec, enc, registrarFor, vaultContextFor } from "./context.ts";

const ALLERGY = "Anaphylaxis to penicillin (2019): hives, airway swelling.";
const REASON = "Unconscious in A&E, checking allergies before antibiotics";

describe("lib/vault emergency kit", function () {
  this.timeout(120_000);
  let stack: Stack;
  let patient: VaultContext, doctor: VaultContext, registrar: VaultContext, stranger: VaultContext;
  let pKeys: AccountKeys, dKeys: AccountKeys, rKeys: AccountKeys;
  let allergyId: number, noteId: number;

  const ctxFor = (address: string): VaultContext => vaultContextFor(stack, address);
  const uploadsBy = async (account: string) =>
    (await logLines(stack))
      .map((l) => JSON.parse(l) as { action: string; actor: string })
      .filter((e) => e.action === "upload" && e.actor === account).length;

  before(async () => {
    stack = await startStack();
    const [, reg, doc, pat, other] = stack.signers;
    registrar = await registrarFor(stack, reg!.address);
    doctor = ctxFor(doc!.address);
    patient = ctxFor(pat!.address);
    stranger = ctxFor(other!.address);

    pKeys = await registerPatient(patient, await unlockAccount(patient));
    // The registrar registers an encryption key like a clinician does, so a kit can be escrowed with it.
    rKeys = await registerClinicianKey(registrar, await unlockAccount(registrar));
    dKeys = await registerClinicianKey(doctor, await unlockAccount(doctor));
    const name = "Dr. Amara Okafor";
    await verifyClinician(registrar, doctor.account, { name, licence: "GMC-7041123" });
    await registerClinicianKey(stranger, await unlockAccount(stranger));

    await Promise.all([signIn(patient), signIn(doctor), signIn(registrar)]);
    const own = ownKeyResolver(patient, pKeys);
    allergyId = (
      await writeRecord(patient, own, {
        patient: pKeys.account,
        category: 7,
        content: enc(ALLERGY),
        mime: "text/plain",
      })
    ).recordId;
    noteId = (
      await writeRecord(patient, own, {
        patient: pKeys.account,
        category: 1,
        content: enc("Private note: not for emergencies"),
        mime: "text/plain",
      })
    ).recordId;
  });
  after(async () => stack?.close());

  it("sets up the kit only with a registrar, as an Escrow grant over the emergency categories", async () => {
    expect(await listRegistrars(patient)).to.deep.equal([registrar.account]);
    const err = await setupEmergencyKit(patient, pKeys, stranger.account).catch((e: unknown) => e);
    expect(err).to.include({ code: "NOT_A_REGISTRAR" });
    expect(await emergencyKitOf(patient, pKeys.account)).to.equal(undefined);

    await setupEmergencyKit(patient, pKeys, registrar.account);
    const kit = await emergencyKitOf(patient, pKeys.account);
    expect(kit).to.include({
      grantee: registrar.account,
      scope: 1,
      categoryMask: EMERGENCY_MASK,
      permission: 3,
      purpose: 5,
      state: "active",
    });
    expect(EMERGENCY_CATEGORIES).to.deep.equal([0, 3, 4, 7, 8]);
    // The escrow authorises no read: an escrow grant never does.
    const [allergy] = (await listRecords(registrar, pKeys.account)).filter((r) => r.recordId === allergyId);
    const refused = await fetchCiphertext(registrar, allergy!).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(ServiceError).and.include({ status: 403 });
  });

  it("refuses a release without live emergency access with the contract's error, storing nothing", async () => {
    const before = await uploadsBy(registrar.account);
    const err = await releaseEmergencyKit(registrar, rKeys, pKeys.account, doctor.account).catch((e: unknown) => e);
    expect(explainError(err)).to.include({ code: "NoEmergencyAccess" });
    expect(await uploadsBy(registrar.account)).to.equal(before);
    expect(await listOpenEmergencies(registrar)).to.deep.equal([]);
    const none = await emergencyKeyResolver(doctor, dKeys, pKeys.account).catch((e: unknown) => e);
    expect(none).to.include({ code: "NO_EMERGENCY_KEYS" });
  });

  it("releases the kit under break-glass: the clinician decrypts the allergy but not the note", async () => {
    await breakGlass(doctor, pKeys.account, REASON, 3600);
    const [open] = await listOpenEmergencies(registrar);
    expect(open).to.include({ patient: pKeys.account, clinician: doctor.account, reason: REASON, released: false });

    // Break-glass alone lets the clinician fetch ciphertext but not decrypt it.
    const records = await listRecords(doctor, pKeys.account);
    const allergy = records.find((r) => r.recordId === allergyId)!;
    const note = records.find((r) => r.recordId === noteId)!;
    expect(await fetchCiphertext(doctor, allergy)).to.have.length.greaterThan(0);

    const release = await releaseEmergencyKit(registrar, rKeys, pKeys.account, doctor.account);
    expect(release.categories).to.deep.equal([0, 3, 4, 7, 8]);
    expect((await listOpenEmergencies(registrar))[0]).to.include({ released: true });

    const resolver = await emergencyKeyResolver(doctor, dKeys, pKeys.account);
    expect(dec((await readRecord(doctor, resolver, allergy)).content)).to.equal(ALLERGY);
    const notKit = await readRecord(doctor, resolver, note).catch((e: unknown) => e);
    expect(notKit).to.be.instanceOf(MissingCategoryKeyError);
  });

  it("shows the release on the patient's timeline right after the emergency, with the registrar as actor", async () => {
    const [first, second] = await timeline(patient, pKeys.account);
    expect(first).to.include({ kind: "emergency", actor: doctor.account, reason: REASON });
    expect(second).to.include({ kind: "emergency-keys", actor: registrar.account, clinician: doctor.account });
  });
});
