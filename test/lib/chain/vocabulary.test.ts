/**
 * lib/chain/vocabulary.ts restates the contract's constants and enum in TypeScript (Solidity
 * keeps scope and permission as uint8 constants, so the ABI does not carry them). This test
 * deploys MedVault and holds the two copies equal.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { network } from "hardhat";
import {
  CLINICIAN_STATUSES,
  ClinicianStatusCode,
  FLAG_ERASED,
  MAX_SESSION_RECORDS,
  PURPOSES,
  Permission,
  REGISTRAR_ROLE,
  Scope,
} from "../../../lib/chain/vocabulary.ts";
import { deployMedVault, withCast, type Deployed } from "../../contracts/fixture.ts";

describe("lib/chain vocabulary", () => {
  let conn: Awaited<ReturnType<typeof network.create<"generic">>>;
  let d: Deployed;

  before(async () => {
    conn = await network.create<"generic">({ override: { allowUnlimitedContractSize: true } });
    d = await withCast(await deployMedVault(conn));
  });

  after(async () => {
    await conn.close();
  });

  it("has the contract's scopes, permissions, registrar role and erased flag", async () => {
    const { medVault } = d;
    expect(Scope.All).to.equal(Number(await medVault.SCOPE_ALL()));
    expect(Scope.Categories).to.equal(Number(await medVault.SCOPE_CATEGORIES()));
    expect(Scope.Records).to.equal(Number(await medVault.SCOPE_RECORDS()));
    expect(Permission.Read).to.equal(Number(await medVault.PERMISSION_READ()));
    expect(Permission.ReadWrite).to.equal(Number(await medVault.PERMISSION_READ_WRITE()));
    expect(Permission.Escrow).to.equal(Number(await medVault.PERMISSION_ESCROW()));
    expect(REGISTRAR_ROLE).to.equal(await medVault.REGISTRAR_ROLE());
    expect(FLAG_ERASED).to.equal(Number(await medVault.FLAG_ERASED()));
    expect(MAX_SESSION_RECORDS).to.equal(Number(await medVault.MAX_SESSION_RECORDS()));
  });

  it("has one purpose for each the contract accepts (0..MAX_PURPOSE)", async () => {
    expect(PURPOSES.length).to.equal(Number(await d.medVault.MAX_PURPOSE()) + 1);
  });

  it("lists the clinician statuses in the order of the contract's enum", async () => {
    const source = readFileSync("contracts/interfaces/IMedVaultRoles.sol", "utf8");
    const members = /enum ClinicianStatus\s*\{([^}]*)\}/
      .exec(source)![1]!
      .split(",")
      .map((m) => m.trim());
    expect(members.map((m) => m.toLowerCase())).to.deep.equal([...CLINICIAN_STATUSES]);
    expect(Object.keys(ClinicianStatusCode)).to.deep.equal(members);
    expect(Object.values(ClinicianStatusCode)).to.deep.equal(members.map((_, i) => i));

    const { medVault, registrar, clinician, stranger } = d;
    expect(CLINICIAN_STATUSES[Number(await medVault.clinicianStatus(stranger.address))]).to.equal("none");
    expect(CLINICIAN_STATUSES[Number(await medVault.clinicianStatus(clinician.address))]).to.equal("verified");
    await medVault.connect(registrar).suspendClinician(clinician.address);
    expect(CLINICIAN_STATUSES[Number(await medVault.clinicianStatus(clinician.address))]).to.equal("suspended");
  });
});
