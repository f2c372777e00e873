/**
 * First-time user, adding records: a file picked while the previous save is running is kept,
 * and a saved record's text does not stay in the form (nor in fields the browser restores).
 */
import { expect } from "chai";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { rpc } from "../../../lib/devstack/stack.ts";
import { FILE_CATEGORY } from "../../../lib/records/payloads.ts";
import { type Session, type Stack, openSession, startStack } from "../stack.ts";
import { passGates, seeText, seeValue } from "../ui.ts";

const pdf = (title: string) => ({
  name: `${title}.pdf`,
  mimeType: "application/pdf",
  buffer: Buffer.from(`%PDF-1.4\n% ${title}\n%%EOF\n`),
});

describe("first-time user: adding records", function () {
  let stack: Stack;
  let patient: Session;

  before(async function () {
    stack = await startStack();
    const key = generatePrivateKey();
    await rpc(stack.rpcUrl, "hardhat_setBalance", [privateKeyToAccount(key).address, "0x56BC75E2D63100000"]);
    patient = await openSession(stack, key, { label: "first-time-records" });
    await patient.page.goto(`${stack.appUrl}/patient`);
    await passGates(patient.page, "patient", "patient-dashboard");
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") await patient.shot("at-failure").catch(() => undefined);
  });

  after(async function () {
    await patient?.context.close().catch(() => undefined);
  });

  it("first-time user: a file picked while the previous one is saving is kept and saved next", async function () {
    const page = patient.page;
    await page.getByTestId("record-kind").selectOption("file");
    await page.getByTestId("record-file").setInputFiles(pdf("first-scan"));
    await page.getByTestId("record-submit").click();
    // Picked while the first file is still being encrypted, uploaded and anchored.
    await page.getByTestId("record-file").setInputFiles(pdf("second-scan"));
    await seeText(page.getByTestId("record-status"), "Record saved and anchored");
    expect(await page.getByTestId("record-file").evaluate((el: HTMLInputElement) => el.files?.[0]?.name)).to.equal(
      "second-scan.pdf",
    );

    await page.getByTestId("record-submit").click();
    await seeText(page.getByTestId("record-status"), "Record saved and anchored");
    // Two files, not one: the second save did not say "Choose a file first."
    await page.waitForFunction(
      (c) => document.querySelectorAll(`[data-testid^="record-row-"][data-category="${c}"]`).length === 2,
      FILE_CATEGORY,
    );
    // The input is emptied once its file is saved, so the same file is not saved twice by accident.
    await page.waitForFunction(
      () => document.querySelector<HTMLInputElement>('[data-testid="record-file"]')?.files?.length === 0,
    );
    await seeText(page.getByTestId("record-status"), "Record saved and anchored");
  });

  it("first-time user: a saved note leaves the form empty, and record fields ask the browser not to keep them", async function () {
    const page = patient.page;
    await page.getByTestId("record-kind").selectOption("note");
    const note = page.getByTestId("record-text");
    expect(await note.getAttribute("autocomplete")).to.equal("off");
    expect(await page.getByTestId("add-record-form").getAttribute("autocomplete")).to.equal("off");
    await note.fill("Dizzy on standing this morning, better after breakfast.");
    await page.getByTestId("record-submit").click();
    await seeValue(note, "");

    await page.getByTestId("record-kind").selectOption("lab");
    for (const id of ["record-name", "record-value", "record-unit", "record-text"])
      expect(await page.getByTestId(id).getAttribute("autocomplete"), id).to.equal("off");
  });
});
