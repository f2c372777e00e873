import { expect } from "chai";
import { chainName, knownChain } from "../../../lib/chain/chains.ts";

describe("lib/chain/chains: viem's chain list by id", () => {
  it("names well-known chains the way their users do", async () => {
    expect(await chainName(1)).to.equal("Ethereum");
    expect(await chainName(84532)).to.equal("Base Sepolia");
    expect((await knownChain(421614))?.rpcUrls.default.http[0]).to.match(/^https:\/\//);
  });

  it("says 'chain <id>' for a chain viem does not list", async () => {
    expect(await knownChain(987654321987)).to.equal(undefined);
    expect(await chainName(987654321987)).to.equal("chain 987654321987");
  });
});
