/**
 * The browser scenarios, in order, against the real stack: a patient, two clinicians
 * and a registrar, each in their own browser profile with their own wallet. Every step is
 * done through the app's UI and checked by what the user sees on the page; the chain is
 * read directly only to confirm what the page claims (the anchored CID).
 */
import { AssertionError } from "node:assert";
import { expect } from "chai";
import { CID } from "multiformats/cid";
import { createPublicClient, getAddress, http, toHex } from "viem";
import { medVaultAbi } from "../../lib/chain/generated.ts";
import { DEMO_ACCOUNTS, demoAccount } from "../../lib/devstack/demo-accounts.ts";
import { type Session, type Stack, openSession, startStack } from "./stack.ts";
import {
  horizontalOverflow,
  openDashboard,
  passGates,
  recordIdOf,
  seeAttribute,
  seeText,
  seeValue,
  visible,
} from "./ui.ts";

const patient = demoAccount("Maria Lopez");
const okafor = demoAccount("Dr. Amara Okafor");
const brandt = demoAccount("Dr. Lucas Brandt");
const registrar = demoAccount("St. Mary's Registrar");
const lower = (a: string) => a.toLowerCase();

/** Everything the patient types; scenario 6 checks none of it leaves the browser in clear. */
const PROFILE = {
  name: "Maria Lopez",
  birthDate: "1984-03-12",
  phone: "+34 612 345 678",
  email: "maria.lopez@example.org",
  address: "Calle Mayor 14, 28013 Madrid, Spain",
  currentProblem: "Recurring afternoon fatigue since October; thirst at night.",
};
const FIRST_NOTE = "Saw Dr. Ruiz on 3 November: fasting glucose 7.1 mmol/L, start metformin 500 mg with dinner.";
const LATER_NOTE = "Knee pain after running, right side, since last Tuesday. Ice and rest helped a little.";
const EMERGENCY_REASON = "Found unresponsive at home; checking medication and allergies before treatment.";

describe("MedVault in the browser (Chromium, injected wallet, real chain and storage)", function () {
  let stack: Stack;
  const sessions: Session[] = [];
  let maria: Session;
  let drOkafor: Session;
  let drBrandt: Session;
  let office: Session;
  let firstNoteId = 0;
  let laterNoteId = 0;

  const open = async (key: `0x${string}`, label: string, size?: { width: number; height: number }) => {
    const s = await openSession(stack, key, { label, ...size });
    s.page.on("pageerror", (err) => console.log(`      [${label} page error] ${err.message}`));
    sessions.push(s);
    return s;
  };

  before(async function () {
    stack = await startStack();
    maria = await open(patient.privateKey, "patient");
    drOkafor = await open(okafor.privateKey, "okafor");
    drBrandt = await open(brandt.privateKey, "brandt");
    office = await open(registrar.privateKey, "registrar");
  });

  afterEach(async function () {
    // What every page showed when a scenario failed, beside the step screenshots.
    if (this.currentTest?.state === "failed")
      for (const s of sessions) await s.shot("at-failure").catch(() => undefined);
  });

  after(async function () {
    for (const s of sessions) await s.context.close().catch(() => undefined);
  });

  it("1. a patient registers, fills the profile, adds a record, and its proof verifies against the chain", async function () {
    const page = maria.page;
    await page.goto(`${stack.appUrl}/patient`);
    await seeText(page.getByTestId("gate-connect"), "Connect your wallet");
    await maria.shot("not-connected");

    await page.getByTestId("connect-button").click();
    await seeText(page.getByTestId("account-address"), `${patient.address.slice(0, 6)}…${patient.address.slice(-4)}`);

    await seeText(page.getByTestId("gate-siwe"), "Sign in to MedVault");
    await maria.shot("sign-in");
    await page.getByTestId("gate-siwe-button").click();
    await seeText(page.getByTestId("siwe-status"), "Signed in");

    await seeText(page.getByTestId("why-signature"), "costs nothing and sends no transaction");
    await maria.shot("unlock");
    await page.getByTestId("unlock-button").click();

    await seeText(page.getByTestId("onboarding"), "Welcome to MedVault");
    await page.getByTestId("role-patient").check();
    await maria.shot("onboarding");
    await page.getByTestId("register-button").click();
    await seeText(page.getByTestId("patient-dashboard"), "My records");
    await seeText(page.getByTestId("records-empty"), "No records yet");
    expect(maria.wallet.calls).to.include.members(["personal_sign", "eth_sendTransaction"]);
    await maria.shot("dashboard-new");

    await page.getByTestId("tab-profile").click();
    await page.getByTestId("profile-name").fill(PROFILE.name);
    await page.getByTestId("profile-birthdate").fill(PROFILE.birthDate);
    await page.getByTestId("profile-gender").selectOption("female");
    await page.getByTestId("profile-phone").fill(PROFILE.phone);
    await page.getByTestId("profile-email").fill(PROFILE.email);
    await page.getByTestId("profile-address").fill(PROFILE.address);
    await page.getByTestId("profile-problem").fill(PROFILE.currentProblem);
    await seeText(page.getByTestId("profile-age"), /age \d+/);
    await page.getByTestId("profile-save").click();
    await seeText(page.getByTestId("profile-status"), "Profile saved");
    await maria.shot("profile-saved");

    await page.getByTestId("tab-records").click();
    await seeText(page.locator('[data-testid^="record-row-"][data-category="0"]'), "Profile");
    await page.getByTestId("record-kind").selectOption("note");
    await page.getByTestId("record-text").fill(FIRST_NOTE);
    await page.getByTestId("record-submit").click();
    await seeText(page.getByTestId("record-status"), "Record saved and anchored");
    await seeAttribute(page.getByTestId("record-progress"), "data-stage", "confirmed");
    const noteRow = page.locator('[data-testid^="record-row-"][data-category="1"]');
    await seeText(noteRow, "Note");
    firstNoteId = await recordIdOf(noteRow);
    await maria.shot("record-added");

    await page.getByTestId(`record-open-${firstNoteId}`).click();
    expect(await seeText(page.getByTestId(`record-content-${firstNoteId}`), FIRST_NOTE)).to.equal(FIRST_NOTE);

    await page.getByTestId(`record-proof-toggle-${firstNoteId}`).click();
    const proof = page.getByTestId(`record-proof-${firstNoteId}`);
    const cidText = await seeText(proof.getByTestId("proof-cid"), /^b[a-z2-7]{20,}$/);
    await page.getByTestId("proof-verify").click();
    await seeText(proof.getByTestId("proof-result"), "Verified: the");
    await seeAttribute(proof.getByTestId("proof-result"), "data-verified", "true");
    await maria.shot("record-proof-verified");

    // The CID the page shows is the one anchored on-chain for this record.
    const client = createPublicClient({ transport: http(stack.rpcUrl) });
    const [digest] = (await client.readContract({
      address: stack.contract,
      abi: medVaultAbi,
      functionName: "getRecord",
      args: [patient.address, firstNoteId],
    })) as readonly [`0x${string}`, number, number];
    expect(toHex(CID.parse(cidText).multihash.digest)).to.equal(digest);
  });

  it("2. the patient grants a registrar-verified clinician 1 day of Notes; the clinician reads exactly what was written; the session is on the patient's timeline", async function () {
    // The registrar verifies both clinicians through the registrar page.
    await office.page.goto(`${stack.appUrl}/registrar`);
    await office.page.getByTestId("connect-button").click();
    await seeText(office.page.getByTestId("registrar-dashboard"), "Verify a clinician");
    expect(await visible(office.page.getByTestId("not-registrar"))).to.equal(false);
    await office.shot("registrar");
    for (const [doc, licence] of [
      [okafor, "GMC-7012345"],
      [brandt, "GMC-7098765"],
    ] as const) {
      await office.page.getByTestId("verify-address").fill(doc.address);
      await office.page.getByTestId("verify-name").fill(doc.name);
      await office.page.getByTestId("verify-licence").fill(licence);
      await office.page.getByTestId("verify-submit").click();
      await seeText(office.page.getByTestId("verify-status"), `${doc.name} verified`);
      await seeText(office.page.getByTestId(`clinician-row-${lower(doc.address)}`), licence);
      await seeText(office.page.getByTestId(`clinician-status-${lower(doc.address)}`), "verified");
    }
    await office.shot("clinicians-verified");

    // Dr. Okafor onboards as a clinician (registers the key patients share with).
    await openDashboard(
      drOkafor,
      stack.appUrl,
      "/clinician",
      "clinician",
      "clinician-dashboard",
      "clinician-onboarded",
    );
    await seeText(drOkafor.page.getByTestId("clinician-dashboard"), "No patient has shared records with you yet");

    // The patient shares the Note category, read only, for 1 day.
    const page = maria.page;
    await page.getByTestId("tab-sharing").click();
    await page.getByTestId("grant-search").fill("Okafor");
    await seeText(page.getByTestId("grant-clinician"), okafor.name);
    await page.getByTestId("grant-clinician").selectOption(getAddress(okafor.address));
    await page.getByTestId("grant-scope-categories").check();
    for (let c = 0; c < 10; c++) {
      const box = page.getByTestId(`grant-category-${c}`);
      if ((await box.isChecked()) !== (c === 1)) await box.click();
    }
    await page.getByTestId("grant-permission").selectOption("1");
    await page.getByTestId("grant-expiry-days").selectOption("1");
    await maria.shot("grant-form");
    await page.getByTestId("grant-submit").click();
    await seeText(page.getByTestId("grant-status"), "Access granted");
    const grantRow = page.getByTestId(`grant-row-${lower(okafor.address)}`);
    await seeAttribute(grantRow, "data-state", "active");
    await seeText(grantRow, /Dr\. Amara Okafor[\s\S]*Note · read/);
    await maria.shot("granted");

    // The clinician sees the patient (live, no reload), opens one viewing session and reads the note.
    const doc = drOkafor.page;
    const p = lower(patient.address);
    await seeAttribute(doc.getByTestId(`patient-row-${p}`), "data-state", "active");
    await doc.getByTestId(`select-patient-${p}`).click();
    await doc.getByTestId(`open-patient-${p}`).click();
    await seeText(doc.getByTestId(`session-status-${p}`), "Session opened");
    const content = await seeText(doc.getByTestId(`record-content-${firstNoteId}`), FIRST_NOTE);
    expect(content).to.equal(FIRST_NOTE);
    // Only the shared category: the profile (record 1) is not offered.
    expect(await doc.locator('[data-testid^="clinician-record-"]').count()).to.equal(1);
    await drOkafor.shot("patient-opened");

    // The patient's timeline shows that session, by name.
    await page.getByTestId("tab-timeline").click();
    const session = page.locator('[data-testid="timeline-entry"][data-kind="session"]');
    await seeText(session, new RegExp(`Viewing session[\\s\\S]*Dr\\. Amara Okafor[\\s\\S]*Records #${firstNoteId}\\.`));
    await maria.shot("timeline-session");
  });

  it("3. after the patient revokes, a record added later is refused to that clinician on screen, and the refusal is on the timeline", async function () {
    const page = maria.page;
    await page.getByTestId("tab-sharing").click();
    await page.getByTestId(`revoke-${lower(okafor.address)}`).click();
    await seeText(page.getByTestId("revoke-status"), "Access revoked; keys rotated");
    await seeAttribute(page.getByTestId(`grant-row-${lower(okafor.address)}`), "data-state", "revoked");
    await maria.shot("revoked");

    await page.getByTestId("tab-records").click();
    await page.getByTestId("record-kind").selectOption("note");
    await page.getByTestId("record-text").fill(LATER_NOTE);
    await page.getByTestId("record-submit").click();
    await seeText(page.getByTestId("record-status"), "Record saved and anchored");
    const notes = page.locator('[data-testid^="record-row-"][data-category="1"]');
    await seeText(page.getByTestId("records-list"), new RegExp(`Record #${firstNoteId + 1}\\b`));
    laterNoteId = Math.max(...(await Promise.all((await notes.all()).map((r) => recordIdOf(r)))));
    expect(laterNoteId).to.be.greaterThan(firstNoteId);
    await maria.shot("record-after-revoke");

    const doc = drOkafor.page;
    const p = lower(patient.address);
    await seeAttribute(doc.getByTestId(`patient-row-${p}`), "data-state", "revoked");
    await seeText(doc.getByTestId(`open-patient-${p}`), "Try to read records");
    await doc.getByTestId(`open-patient-${p}`).click();
    const refusal = await seeText(doc.getByTestId(`clinician-record-error-${laterNoteId}`), "Access denied");
    expect(refusal).to.match(/no live consent|not shared with you|revoked/i);
    expect(await visible(doc.getByTestId(`record-content-${laterNoteId}`))).to.equal(false);
    await drOkafor.shot("read-refused-after-revoke");

    // The storage service logged the refusal; the patient sees it after a reload (no block is mined by a refused read).
    await page.reload();
    await passGates(page, "patient", "patient-dashboard");
    await page.getByTestId("tab-timeline").click();
    const refused = page.locator('[data-testid="timeline-entry"][data-kind="refused"]', { hasText: `#${laterNoteId}` });
    await seeText(refused, /Read refused by storage[\s\S]*Dr\. Amara Okafor/);
    await seeText(refused.getByTestId("timeline-refusal"), "Refused:");
    await maria.shot("timeline-refused");
  });

  it("4. the registrar suspends a clinician with a live grant; the clinician's next read is refused on screen", async function () {
    await openDashboard(
      drBrandt,
      stack.appUrl,
      "/clinician",
      "clinician",
      "clinician-dashboard",
      "clinician-onboarded",
    );

    const page = maria.page;
    await page.getByTestId("tab-sharing").click();
    await page.getByTestId("grant-search").fill("Brandt");
    await page.getByTestId("grant-clinician").selectOption(getAddress(brandt.address));
    await page.getByTestId("grant-scope-categories").check();
    for (let c = 0; c < 10; c++) {
      const box = page.getByTestId(`grant-category-${c}`);
      if ((await box.isChecked()) !== (c === 1)) await box.click();
    }
    await page.getByTestId("grant-expiry-days").selectOption("7");
    await page.getByTestId("grant-submit").click();
    await seeText(page.getByTestId("grant-status"), "Access granted");
    await seeAttribute(page.getByTestId(`grant-row-${lower(brandt.address)}`), "data-state", "active");
    await maria.shot("granted-second-clinician");

    // While verified, Dr. Brandt reads the patient's notes.
    const doc = drBrandt.page;
    const p = lower(patient.address);
    await seeAttribute(doc.getByTestId(`patient-row-${p}`), "data-state", "active");
    await doc.getByTestId(`select-patient-${p}`).click();
    await doc.getByTestId(`open-patient-${p}`).click();
    await seeText(doc.getByTestId(`session-status-${p}`), "Session opened");
    await seeText(doc.getByTestId(`record-content-${laterNoteId}`), LATER_NOTE);
    await drBrandt.shot("read-before-suspension");

    await office.page.getByTestId(`suspend-${lower(brandt.address)}`).click();
    await office.page.getByTestId("suspend-confirm-yes").click();
    await seeText(office.page.getByTestId("status-change"), `${brandt.name}: suspended`);
    await seeText(office.page.getByTestId(`clinician-status-${lower(brandt.address)}`), "suspended");
    await office.shot("clinician-suspended");

    // The clinician's page learns it from the chain (live) and the next read is refused.
    await seeText(doc.getByTestId("clinician-status-warning"), "suspended by the registrar");
    await seeAttribute(doc.getByTestId(`patient-row-${p}`), "data-state", "suspended");
    await doc.getByTestId(`open-patient-${p}`).click();
    const refusal = await seeText(doc.getByTestId(`clinician-record-error-${laterNoteId}`), "Access denied");
    expect(refusal).to.match(/no live consent|suspended/i);
    expect(await visible(doc.getByTestId(`record-content-${laterNoteId}`))).to.equal(false);
    await drBrandt.shot("read-refused-suspended");
  });

  it("5. a clinician's break-glass access is the first entry on the patient's timeline, with its reason", async function () {
    const doc = drOkafor.page;
    await doc.getByTestId("breakglass-patient").fill(patient.address);
    await doc.getByTestId("breakglass-reason").fill(EMERGENCY_REASON);
    await doc.getByTestId("breakglass-duration").selectOption("1");
    await drOkafor.shot("break-glass-form");
    await doc.getByTestId("breakglass-submit").click();
    await seeText(doc.getByTestId("breakglass-status"), "Emergency access opened");
    await drOkafor.shot("break-glass-opened");

    const page = maria.page;
    await seeText(page.getByTestId("emergency-banner"), EMERGENCY_REASON);
    await page.getByTestId("tab-timeline").click();
    const first = page.getByTestId("timeline-entry").first();
    await seeAttribute(first, "data-kind", "emergency");
    await seeText(first, /EMERGENCY access \(break-glass\)[\s\S]*Dr\. Amara Okafor/);
    await seeText(first.getByTestId("timeline-reason"), EMERGENCY_REASON);
    await maria.shot("timeline-emergency-first");
  });

  it("5b. the patient's emergency kit, escrowed with the registrar, is released on break-glass; the clinician reads the kit's records and nothing else", async function () {
    // The registrar registers the key patients escrow their kits with (once).
    const reg = office.page;
    await reg.goto(`${stack.appUrl}/registrar`);
    await reg.getByTestId("escrow-key-setup").click();
    await passGates(reg, "clinician", "registrar-register-key");
    await reg.getByTestId("registrar-register-key").click();
    await seeAttribute(reg.getByTestId("escrow-key-state"), "data-registered", "true");
    await office.shot("escrow-key-registered");

    // The patient escrows the emergency categories (profile among them) with that registrar.
    const page = maria.page;
    await page.getByTestId("tab-sharing").click();
    await seeText(page.getByTestId("emergency-kit-explain"), "nothing else");
    await page.getByTestId("emergency-kit-registrar").selectOption(getAddress(registrar.address));
    await page.getByTestId("emergency-kit-submit").click();
    await seeText(page.getByTestId("emergency-kit-state"), "Your kit is with registrar");
    await maria.shot("emergency-kit");

    // Dr. Okafor's break-glass from scenario 5 is open: the registrar releases the kit to her.
    const row = `${lower(patient.address)}-${lower(okafor.address)}`;
    await reg.getByTestId(`release-kit-${row}`).click();
    if (await visible(reg.getByTestId("release-kit-confirm"))) await reg.getByTestId("release-kit-confirm").click();
    await seeText(reg.getByTestId("release-kit-status"), "Emergency kit released");
    await office.shot("emergency-kit-released");

    // The clinician opens the emergency records: the profile decrypts, the notes are not in the kit.
    const doc = drOkafor.page;
    const p = lower(patient.address);
    await doc.getByTestId(`select-emergency-${p}`).click();
    await doc.getByTestId(`open-emergency-${p}`).click();
    await seeText(doc.getByTestId(`emergency-session-status-${p}`), "Emergency session opened");
    const panel = doc.getByTestId(`emergency-panel-${p}`);
    await seeText(panel, PROFILE.currentProblem);
    expect(await panel.textContent()).to.not.include(FIRST_NOTE);
    expect(await visible(doc.getByTestId(`emergency-keys-missing-${p}`))).to.equal(false);
    await drOkafor.shot("emergency-kit-read");

    // The patient's timeline shows the release right after the emergency access.
    await page.getByTestId("tab-timeline").click();
    const entries = page.getByTestId("timeline-entry");
    await seeAttribute(entries.nth(0), "data-kind", "emergency");
    await seeAttribute(entries.nth(1), "data-kind", "emergency-keys");
    await seeText(entries.nth(1), "Emergency kit released");
    await maria.shot("timeline-emergency-kit");
  });

  it("6. no request any page sent carried a record's or the profile's plaintext, or a private key", async function () {
    const all = sessions.flatMap((s) => s.requests);
    const uploads = all.filter((r) => r.method === "POST" && r.url.includes("/api/records/upload"));
    expect(uploads.length, "uploads seen (so this check cannot pass on no traffic)").to.be.greaterThan(0);
    expect(uploads.every((u) => u.body.length > 0)).to.equal(true);

    const secrets = [FIRST_NOTE, LATER_NOTE, ...Object.values(PROFILE)];
    // Base64 of a text embedded in a larger payload depends on where it starts, so look for the
    // characters that only the text decides, at each of the three byte offsets.
    const base64Cores = (bytes: Buffer) =>
      [0, 1, 2].flatMap((shift) => {
        const core = Buffer.concat([Buffer.alloc(shift), bytes])
          .toString("base64")
          .slice([0, 2, 3][shift], -4);
        return [core, core.replace(/\+/g, "-").replace(/\//g, "_")];
      });
    const forms = (s: string) => {
      const bytes = Buffer.from(s, "utf8");
      return [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1), bytes.toString("hex"), ...base64Cores(bytes)];
    };
    const needles = secrets.flatMap((s) => forms(s).map((form) => ({ what: `plaintext "${s}"`, form })));
    for (const a of DEMO_ACCOUNTS) {
      const hex = a.privateKey.slice(2);
      needles.push(
        { what: `${a.name}'s private key`, form: hex },
        { what: `${a.name}'s private key`, form: `0x${hex}` },
      );
    }
    const leaks: string[] = [];
    for (const r of all) {
      const haystack = `${r.url}\n${r.body}`.toLowerCase();
      for (const n of needles)
        if (haystack.includes(n.form.toLowerCase())) leaks.push(`${n.what} in ${r.method} ${r.url}`);
    }
    expect(leaks, leaks.slice(0, 5).join("\n")).to.deep.equal([]);
    console.log(
      `      checked ${all.length} requests (${uploads.length} uploads) for ${needles.length} forms of plaintext and keys`,
    );
  });

  it("7. an /api path with a malformed percent-escape gets the service's JSON 400 from the real Next.js server", async function () {
    const res = await fetch(`${stack.appUrl}/api/records/%E0%A4%A?patient=0x${"11".repeat(20)}&record=1`);
    expect(res.status).to.equal(400);
    expect(res.headers.get("content-type")).to.match(/application\/json/);
    expect(((await res.json()) as { error: string }).error).to.equal("BAD_PATH");
  });

  it("the patient dashboard fits a 390 px wide phone screen without horizontal scrolling", async function () {
    const phone = await open(patient.privateKey, "patient-mobile", { width: 390, height: 844 });
    await openDashboard(phone, stack.appUrl, "/patient", "patient", "patient-dashboard", "records");
    await seeText(phone.page.getByTestId("records-list"), "Record #");
    for (const tab of ["records", "profile", "sharing", "timeline"]) {
      await phone.page.getByTestId(`tab-${tab}`).click();
      if (tab === "profile") await seeValue(phone.page.getByTestId("profile-name"), PROFILE.name);
      if (tab === "timeline") await seeText(phone.page.getByTestId("timeline-list"), "EMERGENCY");
      const { scrollWidth } = await horizontalOverflow(phone.page);
      if (scrollWidth > 390) {
        await phone.shot(`${tab}-overflowing`);
        throw new AssertionError({ message: `the ${tab} tab is ${scrollWidth}px wide on a 390px screen` });
      }
      await phone.shot(tab);
    }
  });
});
