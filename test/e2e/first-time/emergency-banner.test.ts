/**
 * Issue 10, item 1: once the patient ends an emergency access, its red banner goes — at
 * once, after a reload, on any device — because the banner asks the chain which accesses
 * are still open; the success line says what happened.
 */
import { expect } from "chai";
import {
  createPublicClient,
  createWalletClient,
  custom,
  http,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { actor, localChain } from "../../../lib/devstack/seed.ts";
import { demoAccount, type DemoAccount } from "../../../lib/devstack/demo-accounts.ts";
import { rpc } from "../../../lib/devstack/stack.ts";
import {
  breakGlass,
  registerClinicianKey,
  registerPatient,
  unlockAccount,
  verifyClinician,
} from "../../../lib/vault/index.ts";
import { type Session, type Stack, openSession, startStack } from "../stack.ts";
import { passGates, seeText } from "../ui.ts";

const REASON = "Unconscious on arrival, checking allergies";

describe("first-time user: ending an emergency access", function () {
  let stack: Stack;
  let s: Session;
  let patientKey: `0x${string}`;

  before(async function () {
    stack = await startStack();
    const publicClient = createPublicClient({
      chain: localChain(stack.rpcUrl),
      transport: http(stack.rpcUrl),
    }) as PublicClient<Transport, Chain>;
    const fresh = async (name: string, role: DemoAccount["role"]) => {
      const privateKey = generatePrivateKey();
      const address = privateKeyToAccount(privateKey).address;
      await rpc(stack.rpcUrl, "hardhat_setBalance", [address, "0x56BC75E2D63100000"]);
      // The node signs for its own accounts only: transactions go through impersonation and
      // the key message is signed here, with the fresh key (as the browser's wallet will).
      await rpc(stack.rpcUrl, "hardhat_impersonateAccount", [address]);
      const demo: DemoAccount = { role, name, index: -1, address, privateKey };
      const a = actor(demo, stack.rpcUrl, stack.appUrl, publicClient, stack.contract);
      const local = privateKeyToAccount(privateKey);
      const transport = custom({
        request: async ({ method, params }: { method: string; params?: unknown }) => {
          const args = Array.isArray(params) ? params : [];
          if (method === "personal_sign") return local.signMessage({ message: { raw: args[0] as Hex } });
          return rpc(stack.rpcUrl, method, args);
        },
      });
      return {
        ...a,
        ctx: { ...a.ctx, walletClient: createWalletClient({ chain: localChain(stack.rpcUrl), transport }) },
      };
    };
    const patient = await fresh("Banner Patient", "patient");
    const doctor = await fresh("Dr. Banner Test", "clinician");
    const registrar = actor(
      demoAccount("St. Mary's Registrar"),
      stack.rpcUrl,
      stack.appUrl,
      publicClient,
      stack.contract,
    );
    await registerPatient(patient.ctx, await unlockAccount(patient.ctx));
    await verifyClinician(registrar.ctx, doctor.ctx.account, { name: doctor.demo.name, licence: "GMC-7055501" });
    await registerClinicianKey(doctor.ctx, await unlockAccount(doctor.ctx));
    await breakGlass(doctor.ctx, patient.ctx.account, REASON, 3600);
    patientKey = patient.demo.privateKey;
    s = await openSession(stack, patientKey, { label: "first-time-emergency-banner" });
  });

  after(async () => s?.context.close());

  it("first-time user: the emergency banner clears when the patient ends the emergency access", async function () {
    const { page } = s;
    await page.goto(`${stack.appUrl}/patient`);
    await passGates(page, "patient", "patient-dashboard");
    const banner = page.getByTestId("emergency-banner");
    await seeText(banner, REASON);
    await page.getByTestId("emergency-end").click();

    const status = await seeText(page.getByTestId("emergency-end-status"), "Emergency access ended");
    expect(status).to.not.match(/Ending emergency access/);
    await banner.first().waitFor({ state: "detached", timeout: 30_000 });

    await page.reload();
    await passGates(page, "patient", "patient-dashboard");
    // Wait for the timeline to load (it lists the emergency and its end), then the banner must stay gone.
    await seeText(page.getByTestId("tab-timeline"), "Access timeline");
    await page.getByTestId("tab-timeline").click();
    await seeText(page.getByTestId("patient-dashboard"), "Emergency access ended");
    await page.waitForTimeout(2_000);
    expect(await banner.count()).to.equal(0);
  });
});
