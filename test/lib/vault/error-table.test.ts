import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { medVaultAbi } from "../../../lib/chain/generated.ts";
import { CONTRACT_ERROR_SENTENCES, SERVICE_SENTENCES } from "../../../lib/vault/errors.ts";

const abiErrors = medVaultAbi.filter((item) => item.type === "error").map((item) => item.name);

function sources(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");
}

describe("lib/vault error sentences", () => {
  it("has a sentence for every custom error in the ABI", () => {
    const missing = abiErrors.filter((name) => !Object.hasOwn(CONTRACT_ERROR_SENTENCES, name));
    expect(missing, "ABI errors without a sentence").to.deep.equal([]);
  });

  it("has no sentence for an error the ABI does not have", () => {
    // The table is keyed by the ABI's error names: tsc refuses a sentence for any other.
    // @ts-expect-error EnforcedPause is not an error of the MedVault ABI
    const _stale: Partial<typeof CONTRACT_ERROR_SENTENCES> = { EnforcedPause: () => "paused" };
    const known = new Set<string>(abiErrors);
    const stale = Object.keys(CONTRACT_ERROR_SENTENCES).filter((name) => !known.has(name));
    expect(stale, "sentences naming no ABI error").to.deep.equal([]);
  });

  it("has a sentence only for service codes the storage service sends", () => {
    const sent = sources("lib/service") + sources("lib/storage");
    const neverSent = Object.keys(SERVICE_SENTENCES).filter((code) => !sent.includes(`"${code}"`));
    expect(neverSent, "service codes never sent").to.deep.equal([]);
  });
});
