/**
 * Gas benchmark (`npm run bench:gas`): deploys MedVault on a fresh in-process Hardhat network, runs
 * each operation once in a representative state, and compares its gasUsed with the EVM floor for
 * what it must write: 21,000 base + calldata (16 per non-zero byte, 4 per zero byte) + storage
 * (22,100 per new slot, 5,000 per cold non-zero→non-zero or →zero write, minus the refund for
 * clearing, capped at a fifth of the transaction) + logs (375 + 375 per topic + 8 per data byte).
 * Writes bench/gas.json ({ op: gasUsed }) and docs/gas.md, prints the table, and exits non-zero
 * with FAIL lines when a target is missed.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { ContractTransactionResponse, TransactionReceipt } from "ethers";
import { network } from "hardhat";
import { grantConsentTypes, registerDeviceTypes } from "../lib/chain/eip712.ts";
import { DEFAULT_ADMIN_DELAY_SECONDS } from "../ignition/modules/MedVault.ts";
import { Permission, Scope } from "../lib/chain/vocabulary.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
// Expiries and signature deadlines are fixed (2100-01-01), not "from now": the same calldata and
// signature bytes, and so the same gas, on every run.
const FAR_FUTURE = 4_102_444_800n;
// The typed factory below reads the compiled artifact; build first so the numbers match the source.
const build = spawnSync(path.join(ROOT, "node_modules/.bin/hardhat"), ["build", "--quiet"], {
  cwd: ROOT,
  stdio: "inherit",
});
if (build.status !== 0) process.exit(build.status ?? 1);
// Imported only now: on a fresh clone the typechain output does not exist before that build.
const { MedVault__factory } = await import("../types/ethers-contracts/index.ts");

const { ethers } = await network.create();
const [admin, registrar, patient, patient2, clinician, clinician2, device, relayer] = await ethers.getSigners();
if (!admin || !registrar || !patient || !patient2 || !clinician || !clinician2 || !device || !relayer) {
  throw new Error("the in-process network has too few accounts");
}

// Deploy from the artifact just built (typechain's factory embeds bytecode that can lag behind it).
const deployed = await ethers.deployContract("MedVault", [admin.address, DEFAULT_ADMIN_DELAY_SECONDS]);
await deployed.waitForDeployment();
const medVault = MedVault__factory.connect(await deployed.getAddress(), admin);
await (await medVault.grantRole(await medVault.REGISTRAR_ROLE(), registrar.address)).wait();
const asPatient = medVault.connect(patient);
const asRegistrar = medVault.connect(registrar);
const asClinician = medVault.connect(clinician);

/** What an operation must write: new slots, updated (or cleared) slots, cleared slots refunded. */
type Writes = { fresh: number; updated: number; cleared?: number };
type Row = { op: string; gasUsed: number; floor: number; writes: string; target?: number };
const rows: Row[] = [];

function calldataGas(data: string): number {
  const bytes = ethers.getBytes(data);
  return bytes.reduce((sum, b) => sum + (b === 0 ? 4 : 16), 0);
}

function logGas(receipt: TransactionReceipt): number {
  return receipt.logs.reduce((sum, l) => sum + 375 + 375 * l.topics.length + 8 * ethers.dataLength(l.data), 0);
}

async function measure(op: string, writes: Writes, send: Promise<ContractTransactionResponse>, target?: number) {
  const tx = await send;
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error(`${op} failed`);
  const storage = 22_100 * writes.fresh + 5_000 * writes.updated;
  const gross = 21_000 + calldataGas(tx.data) + storage + logGas(receipt);
  const refund = Math.min(4_800 * (writes.cleared ?? 0), Math.floor(gross / 5));
  const parts = [
    writes.fresh ? `${writes.fresh} new` : "",
    writes.updated ? `${writes.updated} updated` : "",
    writes.cleared ? `(${writes.cleared} cleared)` : "",
  ].filter(Boolean);
  rows.push({
    op,
    gasUsed: Number(receipt.gasUsed),
    floor: gross - refund,
    writes: parts.join(", ") || "none",
    ...(target === undefined ? {} : { target }),
  });
}

const key = ethers.id("x25519 public key");
const cid = (i: number) => ethers.id(`ciphertext ${i}`);
const LAB = 2;
const NOTE = 1;
const DEVICE = 6;
const categories = (1 << LAB) | (1 << NOTE) | (1 << DEVICE);
const grantTerms = async (grantee: string) => ({
  grantee,
  scope: Scope.Categories,
  categoryMask: categories,
  recordIds: [] as number[],
  permission: Permission.Read,
  expiry: FAR_FUTURE,
  purpose: 0,
  keyShareDigest: ethers.id("key share"),
});

// ── roles ──
await measure("registerPatient", { fresh: 2, updated: 0 }, asPatient.registerPatient(key));
await measure(
  "verifyClinician",
  { fresh: 3, updated: 0 },
  asRegistrar.verifyClinician(
    clinician.address,
    ethers.encodeBytes32String("GMC-1234567"),
    ethers.id("Dr. A"),
    "Dr. A",
  ),
);
await asRegistrar.verifyClinician(
  clinician2.address,
  ethers.encodeBytes32String("GMC-7654321"),
  ethers.id("Dr. B"),
  "Dr. B",
);
{
  const { chainId } = await ethers.provider.getNetwork();
  const domain = { name: "MedVault", version: "1", chainId, verifyingContract: await medVault.getAddress() };
  const types = structuredClone(registerDeviceTypes) as unknown as Record<string, { name: string; type: string }[]>;
  const deadline = FAR_FUTURE;
  const message = { device: device.address, patient: patient.address, nonce: 0n, deadline };
  const signature = await device.signTypedData(domain, types, message);
  await measure(
    "registerDevice",
    { fresh: 1, updated: 0 },
    asPatient.registerDevice(device.address, "glucose meter", deadline, signature),
  );
}

// ── records: the patient's 2nd record (the first made the count and index slots non-zero) ──
await asPatient.anchorRecord(patient.address, cid(0), NOTE, 0, 0);
await measure(
  "anchorRecord",
  { fresh: 1, updated: 2 },
  asPatient.anchorRecord(patient.address, cid(1), LAB, 2, 0),
  75_000,
);
await measure(
  "anchorRecord_byDevice",
  { fresh: 1, updated: 2 },
  medVault.connect(device).anchorRecord(patient.address, cid(2), 6, 0, 0),
);
for (let i = 3; i <= 64; i++) await asPatient.anchorRecord(patient.address, cid(i), i % 2 ? LAB : NOTE, 0, 0);

// ── consent ──
await measure(
  "grantConsent",
  { fresh: 1, updated: 0 },
  asPatient.grantConsent(await grantTerms(clinician.address)),
  55_000,
);
// The pair's nonce survives a revocation (so older signatures stay void): the slot is updated, not cleared.
await measure("revokeConsent", { fresh: 0, updated: 1 }, asPatient.revokeConsent(clinician.address), 30_000);
await asPatient.grantConsent(await grantTerms(clinician.address));

{
  await patient2.sendTransaction({ to: patient2.address }); // keep nonce bookkeeping simple for the signer below
  await medVault.connect(patient2).registerPatient(key);
  const terms = await grantTerms(clinician.address);
  const deadline = FAR_FUTURE;
  const { chainId } = await ethers.provider.getNetwork();
  const domain = { name: "MedVault", version: "1", chainId, verifyingContract: await medVault.getAddress() };
  const types = structuredClone(grantConsentTypes) as unknown as Record<string, { name: string; type: string }[]>;

  const signature = await patient2.signTypedData(domain, types, {
    patient: patient2.address,
    ...terms,
    nonce: await medVault.consentNonce(patient2.address, terms.grantee),
    deadline,
  });
  // The nonce lives in the grant's own slot, so a signed grant writes one slot like a direct one.
  await measure(
    "grantConsentBySig",
    { fresh: 1, updated: 0 },
    medVault.connect(relayer).grantConsentBySig(patient2.address, terms, deadline, signature),
  );
}

await measure("rotateKeys", { fresh: 1, updated: 0 }, asPatient.rotateKeys(categories));
{
  const revoke = medVault.interface.encodeFunctionData("revokeConsent", [clinician.address]);
  const rotate = medVault.interface.encodeFunctionData("rotateKeys", [categories]);
  await measure("multicall_revokeAndRotate", { fresh: 0, updated: 2 }, asPatient.multicall([revoke, rotate]));
  await asPatient.grantConsent(await grantTerms(clinician.address));
}

// ── access log: a category-scoped grant, records alternating between its two categories ──
const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
await measure(
  "openAccessSession_1",
  { fresh: 0, updated: 0 },
  asClinician.openAccessSession(patient.address, ids(1), 0),
  35_000,
);
await measure(
  "openAccessSession_10",
  { fresh: 0, updated: 0 },
  asClinician.openAccessSession(patient.address, ids(10), 0),
);
await measure(
  "openAccessSession_64",
  { fresh: 0, updated: 0 },
  asClinician.openAccessSession(patient.address, ids(64), 0),
);
// A first opening for the pair: its grant slot (emergency fields) and its emergency log are both new.
await measure(
  "breakGlass",
  { fresh: 2, updated: 0 },
  medVault.connect(clinician2).openEmergencyAccess(patient.address, "unconscious in A&E, allergy check", 3_600),
);
await measure(
  "openAccessSession_emergency_1",
  { fresh: 0, updated: 0 },
  medVault.connect(clinician2).openAccessSession(patient.address, ids(1), 0),
);
// The registrar holds the patient's emergency kit (an escrow grant, which never authorises reads).
await asPatient.grantConsent({ ...(await grantTerms(registrar.address)), permission: 3, purpose: 5 });
await measure(
  "releaseEmergencyKeys",
  { fresh: 0, updated: 0 },
  asRegistrar.releaseEmergencyKeys(patient.address, clinician2.address, ethers.id("emergency key share")),
);
await measure(
  "endEmergencyAccess",
  { fresh: 0, updated: 1, cleared: 1 },
  asRegistrar.endEmergencyAccess(patient.address, clinician2.address),
);
await measure("markErased", { fresh: 0, updated: 1 }, asPatient.markErased(64));
await measure("suspendClinician", { fresh: 0, updated: 1 }, asRegistrar.suspendClinician(clinician.address));
await measure("reinstateClinician", { fresh: 0, updated: 1 }, asRegistrar.reinstateClinician(clinician.address));
await measure("setEncryptionKey", { fresh: 0, updated: 1 }, asPatient.setEncryptionKey(ethers.id("rotated key")));

// ── report ──
const gas = Object.fromEntries(rows.map((r) => [r.op, r.gasUsed]));
const byOp = new Map(rows.map((r) => [r.op, r]));
const s1 = byOp.get("openAccessSession_1")!.gasUsed;
const s10 = byOp.get("openAccessSession_10")!.gasUsed;
const perExtra = (s10 - s1) / 9;

const failures: string[] = [];
for (const r of rows) {
  if (r.target !== undefined && r.gasUsed > r.target) {
    failures.push(`FAIL ${r.op}: ${r.gasUsed} gas > target ${r.target}`);
  }
}
if (perExtra > 1_500)
  failures.push(`FAIL openAccessSession per extra record: ${perExtra.toFixed(0)} gas > target 1500`);

const fmt = (n: number) => n.toLocaleString("en-US");
const header = "| operation | gasUsed | EVM floor | ratio | storage writes | target |";
const lines = rows.map(
  (r) =>
    `| ${r.op} | ${fmt(r.gasUsed)} | ${fmt(r.floor)} | ${(r.gasUsed / r.floor).toFixed(2)} | ${r.writes} | ` +
    `${r.target === undefined ? "" : `≤ ${fmt(r.target)}`} |`,
);
const table = [header, "|---|---:|---:|---:|---|---:|", ...lines].join("\n");
const extraLine = `Each record beyond the first in a session: ${perExtra.toFixed(0)} gas (target ≤ 1,500).`;

writeFileSync(path.join(ROOT, "bench/gas.json"), `${JSON.stringify(gas, null, 2)}\n`);
writeFileSync(
  path.join(ROOT, "docs/gas.md"),
  [
    "# MedVault gas table",
    "",
    "Generated by `npm run bench:gas` (scripts/bench-gas.ts) on a fresh in-process Hardhat network",
    "(solc 0.8.30, optimizer 200 runs, EVM prague). The EVM floor is what the operation's own",
    "state costs at minimum: 21,000 base + calldata (16 gas per non-zero byte, 4 per zero byte) +",
    "storage (22,100 per new slot; 5,000 per cold non-zero→non-zero or →zero write, less the",
    "clearing refund, capped at a fifth) + logs (375 + 375 per topic + 8 per data byte). Reads,",
    "signature recovery and ABI decoding are not in the floor, so a ratio near 1 means little",
    "overhead beyond what the state itself costs.",
    "",
    "Representative state: `anchorRecord` is the patient's 2nd record; `grantConsent` is a new",
    "category-scoped grant; sessions read records 1..n of a patient under a category-scoped grant",
    "(records in three categories, all granted); `breakGlass` is `openEmergencyAccess`",
    "by a clinician without a grant.",
    "",
    table,
    "",
    extraLine,
    "",
    "## What the attack review's fixes cost (issue 8, #8–#15)",
    "",
    "Compared with the build before them (optimizer 10,000 runs; the contract now needs 200 runs to",
    "stay under the 24 KiB code-size limit, which costs the hot paths under ~100 gas):",
    "",
    "- **grantConsent −340, revokeConsent +2,393, session −197**: the grant slot now also holds the",
    "  emergency opening time and the (patient, grantee) signature nonce (#8, #9), and is packed by",
    "  hand so a grant or revoke is one SLOAD and one SSTORE. A revocation must keep the nonce, so the",
    "  slot no longer returns to zero and the 4,800 clearing refund is gone; the hand packing wins",
    "  back ~2,400 of it. The session reads the same one slot as before.",
    "- **grantConsentBySig −22,002**: the nonce lives in the grant's slot instead of a slot of its own.",
    "- **breakGlass +24,950**: the exact rolling 7-day cap (#8) keeps the pair's last four openings in",
    "  one new slot (22,100 when the pair first breaks glass; an update afterwards), and reads the",
    "  clinician's suspension time from the status slot it already loads.",
    "- **endEmergencyAccess +8,848**: it records the time the access really ran (and whether the",
    "  patient ended it, for the cool-down) in the openings slot.",
    "- **registerDevice +13,877**: the device key's EIP-712 signature is recovered and its nonce kept",
    "  (#12), and the device address is checked against patients and clinicians (two cold reads).",
    "- **verifyClinician +5,123**: two role look-ups refuse admins and registrars (#10).",
    "- **releaseEmergencyKeys +2,949**: the registrar's live escrow is checked (#10).",
    "- **rotateKeys −1,785**: epochs are `uint32` (#13), 8 per slot; a rotation writes only the words",
    "  it touches.",
    "- **suspendClinician +459**: the suspension time is written into the status slot (#8).",
    "- anchorRecord with `supersedes` = 0 is unchanged; a non-zero `supersedes` (#11) reads that",
    "  record's index word (warm when it is the new record's word, 2,100 otherwise).",
    "",
  ].join("\n"),
);

console.log(`\n${table}\n\n${extraLine}\nwrote bench/gas.json and docs/gas.md`);
if (failures.length) {
  for (const f of failures) console.log(f);
  process.exit(1);
}
console.log("all gas targets met");
