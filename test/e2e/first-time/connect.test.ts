/**
 * Issue 10, item 6: a wallet on another network whose user approves the connection but
 * declines the network switch asked for with it. The page says that it was the switch that
 * was declined, names the wallet's network, and the switch works when tried again.
 */
import { expect } from "chai";
import { generatePrivateKey } from "viem/accounts";
import { type Session, type Stack, openSession, startStack } from "../stack.ts";
import { seeText } from "../ui.ts";

describe("first-time user: connecting from another network", function () {
  let stack: Stack;
  let s: Session;

  before(async function () {
    stack = await startStack();
    s = await openSession(stack, generatePrivateKey(), { label: "first-time-connect" });
  });

  after(async () => s?.context.close());

  it("first-time user: declining the network switch is reported as that, and the wrong network is named", async function () {
    const { page, wallet } = s;
    await wallet.setChainId(1);
    wallet.rejectNext("wallet_switchEthereumChain");
    await page.goto(`${stack.appUrl}/patient`);
    await page.getByTestId("connect-button").click();

    const said = await seeText(page.getByTestId("connect-error"), /declined switching/);
    expect(said).to.not.match(/declined the connection request/);
    await seeText(page.getByTestId("wrong-network"), "Your wallet is on Ethereum.");
    expect(await page.getByTestId("wrong-network").innerText()).to.not.match(/network 1\b/);
    await seeText(page.getByTestId("gate-network"), "Your wallet is on Ethereum.");
    expect(wallet.calls).to.include("wallet_switchEthereumChain");

    // Trying again switches, and the page moves on to sign-in.
    await page.getByTestId("switch-network").click();
    await seeText(page.getByTestId("gate-siwe"), "Sign in to MedVault");
  });
});
