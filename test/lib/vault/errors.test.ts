import { expect } from "chai";
import {
  BaseError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  UserRejectedRequestError,
  encodeErrorResult,
  parseAbi,
} from "viem";
import { CONTRACT_ERROR_SENTENCES, describeServiceCode, explainError } from "../../../lib/vault/errors.ts";
import { ServiceError } from "../../../lib/vault/api.ts";
import { MissingCategoryKeyError } from "../../../lib/crypto/errors.ts";

const abi = parseAbi([
  "error ConsentExpired(address patient, address grantee, uint40 expiry)",
  "error ClinicianSuspended(address clinician)",
  "error SomethingNew(uint256 value)",
  "function openAccessSession(address patient, uint32[] recordIds, uint8 purpose)",
]);
const patient = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const clinician = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

function reverted(errorName: "ConsentExpired" | "ClinicianSuspended" | "SomethingNew", args: readonly unknown[]) {
  const data = encodeErrorResult({ abi, errorName, args } as never);
  const cause = new ContractFunctionRevertedError({ abi, data, functionName: "openAccessSession" });
  return new ContractFunctionExecutionError(cause, {
    abi,
    functionName: "openAccessSession",
    args: [patient, [1], 0],
    contractAddress: patient,
  });
}

describe("lib/vault explainError", () => {
  it("turns a simulated revert into the contract error's sentence with its values", () => {
    const e = explainError(reverted("ClinicianSuspended", [clinician]));
    expect(e.code).to.equal("ClinicianSuspended");
    expect(e.message).to.match(/^Clinician 0x3C44…93BC is suspended/);
    expect(explainError(reverted("ConsentExpired", [patient, clinician, 1_700_000_000])).message).to.match(
      /expired on/,
    );
  });

  it("names an error missing from the table in words instead of hex", () => {
    const e = explainError(reverted("SomethingNew", [7n]));
    expect(e).to.include({ code: "SomethingNew", message: "The contract refused: something new." });
  });

  it("has a sentence for every error the architecture names", () => {
    for (const name of [
      "NoGrant",
      "ConsentExpired",
      "OutOfScope",
      "ClinicianSuspended",
      "ClinicianNotVerified",
      "RecordNotFound",
      "RecordIsErased",
    ]) {
      expect(CONTRACT_ERROR_SENTENCES, name).to.have.property(name);
    }
  });

  it("reports a wallet refusal as rejected, not as a failure", () => {
    const e = explainError(new BaseError("x", { cause: new UserRejectedRequestError(new Error("User denied")) }));
    expect(e.rejected).to.equal(true);
    expect(e.message).to.match(/declined/);
  });

  it("explains storage-service and crypto failures by their code", () => {
    expect(explainError(new ServiceError(403, "FORBIDDEN", "no live consent")).message).to.match(/no live consent/);
    expect(explainError(new MissingCategoryKeyError(1, 2)).message).to.match(/written after your access was revoked/);
  });

  it("puts the service log's refusal codes in words for the timeline", () => {
    expect(describeServiceCode("ACCESS_DENIED")).to.equal("You have no live consent to read this record.");
    expect(describeServiceCode("RECORD_ERASED")).to.equal("The patient erased this record.");
    expect(describeServiceCode("SOMETHING_NEW")).to.equal("Something new.");
  });
});
