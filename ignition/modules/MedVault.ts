import { existsSync, readFileSync } from "node:fs";
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { getAddress } from "ethers";
import { REGISTRAR_ROLE } from "../../lib/chain/vocabulary.ts";

/**
 * Seconds between beginning and accepting a transfer of the admin role (OpenZeppelin's
 * AccessControlDefaultAdminRules), the `adminDelay` parameter's default: two days is long enough
 * for the other keyholders and the registrars, who watch `DefaultAdminTransferScheduled`, to notice
 * a transfer begun with a stolen key and cancel it, and short enough to finish a planned multisig
 * rotation within a working week.
 */
export const DEFAULT_ADMIN_DELAY_SECONDS = 2 * 24 * 60 * 60;

/**
 * Builds the MedVault deployment: `MedVault(admin, adminDelay)`, then `grantRole(REGISTRAR_ROLE, r)`
 * for each registrar, sent by the first account. The module parameter `admin` defaults to that
 * account; when it names someone else, grant registrars from the admin instead (pass no registrars
 * here). `adminDelay` (seconds) defaults to DEFAULT_ADMIN_DELAY_SECONDS.
 */
export function buildMedVaultModule(registrars: readonly string[] = []) {
  const checked = registrars.map((r) => {
    try {
      return getAddress(r);
    } catch {
      throw new Error(`MedVaultModule: registrar ${JSON.stringify(r)} is not an address (or its checksum is wrong)`);
    }
  });
  return buildModule("MedVaultModule", (m) => {
    const deployer = m.getAccount(0);
    const admin = m.getParameter("admin", deployer);
    const adminDelay = m.getParameter("adminDelay", DEFAULT_ADMIN_DELAY_SECONDS);
    const medVault = m.contract("MedVault", [admin, adminDelay]);
    checked.forEach((registrar, i) => {
      m.call(medVault, "grantRole", [REGISTRAR_ROLE, registrar], { id: `grantRegistrar_${i}`, from: deployer });
    });
    return { medVault };
  });
}

/**
 * Registrars for the CLI (`hardhat ignition deploy ... --parameters file.json`): the parameter
 * `MedVaultModule.registrars` (array of addresses) from that file, else MEDVAULT_REGISTRARS
 * (comma-separated). Ignition cannot loop over a runtime parameter, so the list is read here,
 * when the module is built, from the same file Ignition is given.
 */
function cliRegistrars(): string[] {
  const at = process.argv.indexOf("--parameters");
  const file = at >= 0 ? process.argv[at + 1] : undefined;
  if (file !== undefined && existsSync(file)) {
    const params = JSON.parse(readFileSync(file, "utf8")) as { MedVaultModule?: { registrars?: unknown } };
    const list = params.MedVaultModule?.registrars;
    if (list !== undefined) {
      if (!Array.isArray(list) || !list.every((a): a is string => typeof a === "string")) {
        throw new Error(`MedVaultModule.registrars in ${file} must be an array of addresses`);
      }
      return list;
    }
  }
  return (process.env.MEDVAULT_REGISTRARS ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
}

export default buildMedVaultModule(cliRegistrars());
