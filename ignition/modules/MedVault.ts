import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** keccak256("REGISTRAR_ROLE"), as MedVault.REGISTRAR_ROLE. */
export const REGISTRAR_ROLE = "0xedcc084d3dcd65a1f7f23c65c46722faca6953d28e43150a467cf43e5c309238";

/**
 * Builds the MedVault deployment: `MedVault(admin)`, then `grantRole(REGISTRAR_ROLE, r)` for each
 * registrar, sent by the admin. `admin` is the module parameter `admin` (default: the first account,
 * which must then be the admin for the role grants to succeed).
 *
 * Registrars are fixed when the module is built because Ignition cannot loop over a runtime parameter;
 * the default module reads them from the `registrars` parameter's build-time twin, the
 * MEDVAULT_REGISTRARS environment variable (comma-separated addresses).
 */
export function buildMedVaultModule(registrars: readonly string[] = []) {
  return buildModule("MedVaultModule", (m) => {
    const deployer = m.getAccount(0);
    const admin = m.getParameter("admin", deployer);
    const medVault = m.contract("MedVault", [admin]);
    registrars.forEach((registrar, i) => {
      m.call(medVault, "grantRole", [REGISTRAR_ROLE, registrar], { id: `grantRegistrar_${i}`, from: deployer });
    });
    return { medVault };
  });
}

const fromEnv = (process.env.MEDVAULT_REGISTRARS ?? "")
  .split(",")
  .map((a) => a.trim())
  .filter((a) => a.length > 0);

export default buildMedVaultModule(fromEnv);
