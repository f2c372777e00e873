import { expect } from "chai";
import { addressProblem } from "../../lib/format.ts";

describe("lib/format: addressProblem says what is wrong with a typed address", () => {
  const good = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

  it("accepts an address, checksummed or all lower case, and says nothing about an empty field", () => {
    expect(addressProblem(good)).to.equal(null);
    expect(addressProblem(good.toLowerCase())).to.equal(null);
    expect(addressProblem("  ")).to.equal(null);
  });

  it("names the fault: no 0x, a non-hex character, the length, the checksum", () => {
    expect(addressProblem("70997970C51812dc3A010C7d01b50e0d17dc79C8")).to.match(/starts with 0x/);
    expect(addressProblem("0x70997970C51812dc3A010C7d01b50e0d17dc79CZ")).to.match(/only the digits 0-9 and a-f/);
    expect(addressProblem("0x7099")).to.match(/it has 4 characters after 0x, an address has 40/);
    expect(addressProblem("0x70997970C51812dc3A010C7d01b50e0d17dc79c8")).to.match(/checksum/);
  });
});
