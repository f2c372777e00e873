/**
 * Issue 10, items 11 and 13: a greyed-out button says why. The patient's grant form names
 * an address that is not a verified clinician (or not an address); the registrar's Suspend
 * asks first, naming the clinician and what suspension does, and the Verify form says what
 * is wrong with an invalid address.
 */
import { expect } from "chai";
import { createPublicClient, http, type Chain, type PublicClient, type Transport } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { actor, localChain } from "../../../lib/devstack/seed.ts";
import { demoAccount } from "../../../lib/devstack/demo-accounts.ts";
import { rpc } from "../../../lib/devstack/stack.ts";
import { verifyClinician } from "../../../lib/vault/index.ts";
import { type Session, type Stack, openSession, startStack } from "../stack.ts";
import { passGates, seeText } from "../ui.ts";

describe("first-time user: a disabled button says why", function () {
  let stack: Stack;
  let patient: Session;
  let office: Session;
  let otherPatient: `0x${string}`;
  let doctor: { address: `0x${string}`; name: string };

  before(async function () {
    stack = await startStack();
    const publicClient = createPublicClient({
      chain: localChain(stack.rpcUrl),
      transport: http(stack.rpcUrl),
    }) as PublicClient<Transport, Chain>;
    const fresh = async () => {
      const privateKey = generatePrivateKey();
      const address = privateKeyToAccount(privateKey).address;
      await rpc(stack.rpcUrl, "hardhat_setBalance", [address, "0x56BC75E2D63100000"]);
      return { privateKey, address };
    };
    // A fresh patient onboards in the browser; the "wrong" address is a fresh account that no
    // registrar verified; the clinician is a fresh account the registrar verifies from Node.
    const me = await fresh();
    otherPatient = privateKeyToAccount(generatePrivateKey()).address;
    doctor = { address: (await fresh()).address, name: `Dr. Whynot ${Math.floor(Math.random() * 1e6)}` };
    const registrar = actor(
      demoAccount("St. Mary's Registrar"),
      stack.rpcUrl,
      stack.appUrl,
      publicClient,
      stack.contract,
    );
    await verifyClinician(registrar.ctx, doctor.address, { name: doctor.name, licence: "GMC-7066601" });
    patient = await openSession(stack, me.privateKey, { label: "first-time-why-not-patient" });
    office = await openSession(stack, registrar.demo.privateKey, { label: "first-time-why-not-registrar" });
  });

  after(async () => {
    await patient?.context.close();
    await office?.context.close();
  });

  it("first-time user: granting to an address that is not a verified clinician says why Grant is disabled", async function () {
    const { page } = patient;
    await page.goto(`${stack.appUrl}/patient`);
    await passGates(page, "patient", "patient-dashboard");
    await page.getByTestId("tab-sharing").click();
    const search = page.getByTestId("grant-search");
    const why = page.getByTestId("grant-search-why");

    await search.fill(otherPatient);
    const said = await seeText(why, "is not a verified clinician");
    expect(said).to.contain(otherPatient);
    expect(said).to.match(/only clinicians verified by a registrar can be granted access/);
    expect(await page.getByTestId("grant-submit").isDisabled()).to.equal(true);

    await search.fill(otherPatient.slice(0, 30));
    await seeText(why, /28 characters after 0x, an address has 40/);
    await search.fill(`${otherPatient.slice(0, 41)}g`);
    await seeText(why, /may contain only the digits 0-9 and a-f/);

    // A verified clinician's address is found, and nothing is said against it.
    await search.fill(doctor.address);
    await seeText(page.getByTestId("grant-clinician"), doctor.name);
    expect(await why.count()).to.equal(0);
  });

  it("first-time user: the registrar confirms a suspension with the clinician's name and is told what is wrong with an invalid address", async function () {
    const { page } = office;
    await page.goto(`${stack.appUrl}/registrar`);
    await page.getByTestId("connect-button").click();
    await seeText(page.getByTestId("registrar-dashboard"), "Verify a clinician");

    // Verify: an invalid address says what is wrong with it.
    const address = page.getByTestId("verify-address");
    const why = page.getByTestId("verify-address-why");
    await address.fill("hello");
    await seeText(why, /hello is not an address: an address starts with 0x/);
    await address.fill(doctor.address.slice(0, 20));
    await seeText(why, /18 characters after 0x, an address has 40/);
    const mixed = doctor.address.slice(0, 2) + doctor.address.slice(2).replace(/[a-f]/, (ch) => ch.toUpperCase());
    const badChecksum = mixed === doctor.address ? doctor.address.replace(/[A-F]/, (ch) => ch.toLowerCase()) : mixed;
    await address.fill(badChecksum);
    await seeText(why, /fails the checksum/);
    await address.fill(doctor.address);
    await why.waitFor({ state: "detached", timeout: 10_000 });

    // Suspend: asks first, naming the clinician and the consequence; Cancel changes nothing.
    const a = doctor.address.toLowerCase();
    const status = page.getByTestId(`clinician-status-${a}`);
    await seeText(status, "verified");
    await page.getByTestId(`suspend-${a}`).click();
    const question = await seeText(page.getByTestId("suspend-confirm-text"), `Suspend ${doctor.name}?`);
    expect(question).to.match(/grants stop working at once/);
    expect(question).to.match(/can no longer read any patient.s records until reinstated/);
    await page.getByTestId("suspend-confirm-no").click();
    await page.getByTestId("suspend-confirm").waitFor({ state: "detached", timeout: 10_000 });
    await page.waitForTimeout(2_000);
    expect((await status.textContent())?.trim()).to.equal("verified");

    await page.getByTestId(`suspend-${a}`).click();
    await page.getByTestId("suspend-confirm-yes").click();
    await seeText(page.getByTestId("status-change"), `${doctor.name}: suspended`);
    await seeText(status, "suspended");
  });
});
