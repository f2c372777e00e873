/**
 * The paged timeline against the real contracts: pages are newest first, never overlap or
 * skip a session, an old emergency access is still shown first, and together the pages
 * are the whole timeline.
 */
import { expect } from "chai";
import {
  breakGlass,
  grantAccess,
  openSession,
  ownKeyResolver,
  registerClinicianKey,
  registerPatient,
  signIn,
  timeline,
  timelinePage,
  unlockAccount,
  verifyClinician,
  writeRecord,
} from "../../../lib/vault/index.ts";
import { startStack, type Stack } from "../../service/harness.ts";
import { enc, registrarFor, vaultContextFor } from "./context.ts";

describe("lib/vault paged timeline", function () {
  this.timeout(180_000);
  let stack: Stack;
  after(async () => stack?.close());

  it("pages sessions newest first without gaps or overlaps, emergency access first", async () => {
    stack = await startStack();
    const ctxFor = (address: string) => vaultContextFor(stack, address);
    const [, reg, doc, pat] = stack.signers;
    const registrar = await registrarFor(stack, reg!.address);
    const doctor = ctxFor(doc!.address);
    const patient = ctxFor(pat!.address);
    await verifyClinician(registrar, doctor.account, { name: "Dr. Page", licence: "GMC-9" });
    await registerClinicianKey(doctor, await unlockAccount(doctor));
    const keys = await registerPatient(patient, await unlockAccount(patient));
    await signIn(patient);
    const { recordId } = await writeRecord(patient, ownKeyResolver(patient, keys), {
      patient: keys.account,
      category: 1,
      content: enc("note"),
      mime: "text/plain",
    });
    await grantAccess(patient, keys, {
      grantee: doctor.account,
      scope: 0,
      permission: 1,
      expiry: Math.floor(Date.now() / 1000) + 86_400,
      purpose: 0,
    });
    // The emergency is the oldest access; twelve sessions follow, one block each.
    await breakGlass(doctor, keys.account, "Collapsed at the clinic, checking medication", 3600);
    for (let i = 0; i < 12; i++) {
      await openSession(doctor, keys.account, [recordId], 0);
      // Sparse history: empty blocks between sessions make the page widen its block window.
      await stack.conn.provider.request({ method: "hardhat_mine", params: ["0x64"] });
    }

    const first = await timelinePage(patient, keys.account, { limit: 5 });
    expect(first.entries[0]).to.include({ kind: "emergency", reason: "Collapsed at the clinic, checking medication" });
    const firstSessions = first.entries.filter((e) => e.kind === "session");
    expect(firstSessions).to.have.length(5);
    expect(first.olderBefore).to.be.a("bigint");

    const pages = [firstSessions];
    let before = first.olderBefore;
    while (before !== undefined) {
      const page = await timelinePage(patient, keys.account, { limit: 5, before });
      expect(
        page.entries.some((e) => e.kind === "emergency"),
        "emergency only on the first page",
      ).to.equal(false);
      pages.push(page.entries.filter((e) => e.kind === "session"));
      before = page.olderBefore;
    }
    const paged = pages.flat();
    const times = paged.map((e) => e.time);
    expect(times).to.deep.equal([...times].sort((a, b) => b - a));
    expect(new Set(paged.map((e) => e.id)).size).to.equal(12);

    const whole = await timeline(patient, keys.account);
    expect(
      whole
        .filter((e) => e.kind === "session")
        .map((e) => e.id)
        .sort(),
    ).to.deep.equal(paged.map((e) => e.id).sort());
  });
});
