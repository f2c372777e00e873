/**
 * The local stack's demo cast: Hardhat's default accounts, derived from its PUBLIC test
 * mnemonic. Their keys are known to everyone and must never hold real funds.
 */
import { toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

export const HARDHAT_TEST_MNEMONIC = "test test test test test test test test test test test junk";

export type DemoRole = "admin" | "registrar" | "clinician" | "clinician (suspended)" | "patient";

export type DemoAccount = {
  role: DemoRole;
  name: string;
  index: number;
  address: `0x${string}`;
  privateKey: `0x${string}`;
};

const CAST: ReadonlyArray<[DemoRole, string]> = [
  ["admin", "Deployer / admin"],
  ["registrar", "St. Mary's Registrar"],
  ["clinician", "Dr. Amara Okafor"],
  ["clinician (suspended)", "Dr. Lucas Brandt"],
  ["patient", "Maria Lopez"],
  ["patient", "James Chen"],
  ["patient", "Aisha Rahman"],
];

export const DEMO_ACCOUNTS: readonly DemoAccount[] = CAST.map(([role, name], index) => {
  const account = mnemonicToAccount(HARDHAT_TEST_MNEMONIC, { addressIndex: index });
  return { role, name, index, address: account.address, privateKey: toHex(account.getHdKey().privateKey!) };
});

export const demoAccount = (name: string): DemoAccount => {
  const a = DEMO_ACCOUNTS.find((d) => d.name === name);
  if (!a) throw new Error(`no demo account named ${name}`);
  return a;
};
