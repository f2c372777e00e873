/**
 * "Re-encrypt everything" against the real contracts and storage service: after it, the
 * keys a revoked clinician kept open nothing current, the remaining clinician still reads
 * everything, and the old ciphertext is served to nobody.
 */
import { expect } from "chai";
import { MissingCategoryKeyError } from "../../../lib/crypto/errors.ts";
import { decryptRecord } from "../../../lib/crypto/envelope.ts";
import { LOCAL_CHAIN_ID } from "../../../lib/chain/vocabulary.ts";
import {
  fetchCiphertext,
  grantAccess,
  granteeKeyResolver,
  liveRecords,
  listRecords,
  ownKeyResolver,
  readRecord,
  reencryptAll,
  registerClinicianKey,
  registerPatient,
  revokeAccess,
  ServiceError,
  signIn,
  unlockAccount,
  verifyClinician,
  writeRecord,
  type AccountKeys,
  type ReencryptProgress,
  type RecordInfo,
  type VaultContext,
} from "../../../lib/vault/index.ts";
import { startStack, type Stack } from "../../service/harness.ts";
import { dec, enc, registrarFor, vaultContextFor } from "./context.ts";

describe("lib/vault re-encrypt everything", function () {
  this.timeout(180_000);
  let stack: Stack;
  after(async () => stack?.close());

  it("leaves a revoked clinician's keys useless on current records while the others keep reading", async () => {
    stack = await startStack();
    const ctxFor = (address: string) => vaultContextFor(stack, address);
    const [, reg, docA, docB, pat] = stack.signers;
    const registrar = await registrarFor(stack, reg!.address);
    const patient = ctxFor(pat!.address);
    const revoked = ctxFor(docA!.address);
    const kept = ctxFor(docB!.address);

    const pKeys: AccountKeys = await registerPatient(patient, await unlockAccount(patient));
    await signIn(patient);
    const doctors = new Map<VaultContext, AccountKeys>();
    for (const [doc, name] of [
      [revoked, "Dr. Revoked"],
      [kept, "Dr. Kept"],
    ] as const) {
      await verifyClinician(registrar, doc.account, { name, licence: name });
      doctors.set(doc, await registerClinicianKey(doc, await unlockAccount(doc)));
      await signIn(doc);
    }

    const own = ownKeyResolver(patient, pKeys);
    const note = await writeRecord(patient, own, {
      patient: pKeys.account,
      category: 1,
      content: enc("Note before revocation"),
      mime: "text/plain",
    });
    const lab = await writeRecord(patient, own, {
      patient: pKeys.account,
      category: 2,
      content: enc("HbA1c 6.8 %"),
      mime: "text/plain",
    });
    const expiry = Math.floor(Date.now() / 1000) + 86_400;
    await grantAccess(patient, pKeys, {
      grantee: revoked.account,
      scope: 1,
      categories: [1, 2],
      permission: 1,
      expiry,
      purpose: 0,
    });
    await grantAccess(patient, pKeys, {
      grantee: kept.account,
      scope: 1,
      categories: [1, 2],
      permission: 1,
      expiry,
      purpose: 0,
    });

    // What the revoked clinician walks away with: the key share of the epochs they were given.
    const stolenKeys = await granteeKeyResolver(revoked, doctors.get(revoked)!, pKeys.account);
    const before = await listRecords(patient, pKeys.account);
    const oldNote = before.find((r) => r.recordId === note.recordId)!;
    const oldCiphertext = await fetchCiphertext(patient, oldNote);
    const context = { chainId: LOCAL_CHAIN_ID, contract: stack.contract, patient: pKeys.account, category: 1 };
    // Revocation alone leaves old ciphertext open to the old keys: the case this routine exists for.
    await revokeAccess(patient, pKeys, revoked.account);
    expect(dec(decryptRecord(oldCiphertext, context, stolenKeys).subarray(0))).to.include("Note before revocation");

    const progress: ReencryptProgress[] = [];
    const result = await reencryptAll(patient, pKeys, (p) => progress.push(p));
    expect(result.rotated).to.deep.equal([1, 2]);
    expect(result.reshared).to.deep.equal([kept.account]);
    expect([...result.replaced.keys()]).to.deep.equal([note.recordId, lab.recordId]);
    expect(progress.filter((p) => p.stage === "record" && p.newRecordId !== undefined)).to.have.length(2);

    const after = await listRecords(patient, pKeys.account);
    const current = liveRecords(after);
    expect(current.map((r) => r.supersedes).sort()).to.deep.equal([note.recordId, lab.recordId].sort());
    expect(
      after
        .filter((r) => r.erased)
        .map((r) => r.recordId)
        .sort(),
    ).to.deep.equal([note.recordId, lab.recordId].sort());

    // The new versions: unreadable with the revoked clinician's keys even given the bytes…
    const newNote = current.find((r) => r.supersedes === note.recordId)!;
    const newBytes = await fetchCiphertext(patient, newNote);
    expect(() => decryptRecord(newBytes, context, stolenKeys)).to.throw(MissingCategoryKeyError);
    // …readable by the clinician who kept consent, with the content unchanged…
    const keptKeys = await granteeKeyResolver(kept, doctors.get(kept)!, pKeys.account);
    expect(dec((await readRecord(kept, keptKeys, newNote)).content)).to.equal("Note before revocation");
    expect(
      dec(
        (
          await readRecord(
            patient,
            own,
            current.find((r) => r.supersedes === lab.recordId)!,
          )
        ).content,
      ),
    ).to.equal("HbA1c 6.8 %");
    // …and the old ciphertext is served to nobody any more.
    const refused = await fetchCiphertext(
      kept,
      after.find((r) => r.recordId === note.recordId)!,
    ).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(ServiceError).and.include({ status: 403 });
  });

  it("counts as live only records neither erased nor superseded by a later version", () => {
    const r = (recordId: number, supersedes: number, erased = false) =>
      ({ recordId, supersedes, erased }) as unknown as RecordInfo;
    const live = liveRecords([r(1, 0), r(2, 1), r(3, 0, true), r(4, 0), r(5, 2)]);
    expect(live.map((x) => x.recordId)).to.deep.equal([4, 5]);
  });
});
