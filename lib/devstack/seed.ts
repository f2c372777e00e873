/**
 * Demo data for the local stack, written through lib/vault exactly as the app writes it:
 * keys derived from wallet signatures, records encrypted client-side, uploaded to the
 * storage service after Sign-In with Ethereum, anchored on-chain; grants carry real key
 * shares; clinicians open real viewing sessions and read through the service.
 *
 *   a registrar; two verified clinicians, one of them suspended at the end;
 *   three patients with profiles and 5–20 records each across categories;
 *   grants with different scopes and expiries; a history of viewing sessions,
 *   an emergency access (with the patient's emergency kit released by the registrar)
 *   and a refused read.
 */
import {
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  isAddressEqual,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { chainFor, deployedAddress } from "../chain/contract.ts";
import { LOCAL_CHAIN_ID, Permission, Scope } from "../chain/vocabulary.ts";
import type { ProfileForm } from "../fhir/index.ts";
import { categoryByKey } from "../records/categories.ts";
import { buildRecordPayload, type RecordPayloadDraft } from "../records/payloads.ts";
import {
  type AccountKeys,
  type VaultContext,
  cookieFetch,
  fetchCiphertext,
  grantAccess,
  granteeKeyResolver,
  grantsTo,
  listRecords,
  breakGlass,
  ownKeyResolver,
  readRecord,
  registerClinicianKey,
  registerPatient,
  releaseEmergencyKit,
  saveProfile,
  setupEmergencyKit,
  signIn,
  unlockAccount,
  writeRecord,
  suspendClinician,
  verifyClinician,
} from "../vault/index.ts";
import { openPatientSession } from "../vault/patient-view.ts";
import { DEMO_ACCOUNTS, type DemoAccount, demoAccount } from "./demo-accounts.ts";

const CHAIN_ID = LOCAL_CHAIN_ID;
const DAY = 86_400;

type Actor = { demo: DemoAccount; ctx: VaultContext; keys?: AccountKeys };

/** The local Hardhat chain served at `rpcUrl`. */
export const localChain = (rpcUrl: string): Chain => chainFor(CHAIN_ID, rpcUrl);

export function actor(
  demo: DemoAccount,
  rpcUrl: string,
  appUrl: string,
  publicClient: PublicClient<Transport, Chain>,
  deployed: Address | undefined = (process.env.MEDVAULT_CONTRACT as Address | undefined) || deployedAddress(CHAIN_ID),
): Actor {
  const chain = localChain(rpcUrl);
  const account = privateKeyToAccount(demo.privateKey);
  const contract = deployed;
  if (!contract) throw new Error("no MedVault deployment for chain 31337 in lib/chain/generated.ts; deploy first");
  return {
    demo,
    ctx: {
      publicClient,
      walletClient: createWalletClient({ account, chain, transport: http(rpcUrl) }),
      account: account.address,
      contract,
      chainId: CHAIN_ID,
      api: { baseUrl: appUrl, fetch: cookieFetch() },
      fromBlock: 0n,
    },
  };
}

const text = (s: string) => new TextEncoder().encode(s);

type DemoRecord = RecordPayloadDraft;

const note = (body: string, category?: number): DemoRecord =>
  buildRecordPayload({ kind: "note", text: body, category });
const lab = (name: string, value: string, unit: string, low: number, high: number, effective: string): DemoRecord =>
  buildRecordPayload({
    kind: "lab",
    name,
    value,
    unit,
    effective,
    note: `Reference range ${low}–${high} ${unit}`,
    range: { low, high },
  });
const rx = (medication: string, dosage: string, note?: string): DemoRecord =>
  buildRecordPayload({ kind: "prescription", medication, dosage, ...(note ? { note } : {}) });
const dx = (condition: string, onset: string): DemoRecord =>
  buildRecordPayload({ kind: "diagnosis", text: condition, onset });

/** A small, valid one-page PDF standing in for a scanned report. */
function scanPdf(title: string, lines: string[]): DemoRecord {
  const stream = [
    `BT /F1 16 Tf 72 760 Td (${title}) Tj ET`,
    ...lines.map((l, i) => `BT /F1 11 Tf 72 ${730 - i * 16} Td (${l}) Tj ET`),
  ].join("\n");
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let pdf = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return buildRecordPayload({
    kind: "file",
    category: categoryByKey("imaging").id,
    mime: "application/pdf",
    name: `${title.toLowerCase().replace(/\W+/g, "-")}.pdf`,
    content: text(pdf),
  });
}

const PROFILES: Record<string, ProfileForm> = {
  "Maria Lopez": {
    name: "Maria Lopez",
    birthDate: "1984-03-12",
    gender: "female",
    phone: "+34 612 345 678",
    email: "maria.lopez@example.org",
    address: "Calle Mayor 14, 28013 Madrid, Spain",
    currentProblem: "Type 2 diabetes, well controlled; recent episodes of fatigue in the afternoon.",
  },
  "James Chen": {
    name: "James Chen",
    birthDate: "1957-11-02",
    gender: "male",
    phone: "+1 415 555 0134",
    email: "james.chen@example.org",
    address: "2210 Clement St, San Francisco, CA 94121, USA",
    currentProblem: "Hypertension and mild chronic kidney disease; follow-up after a medication change.",
  },
  "Aisha Rahman": {
    name: "Aisha Rahman",
    birthDate: "1996-07-25",
    gender: "female",
    phone: "+44 20 7946 0321",
    email: "aisha.rahman@example.org",
    address: "48 Brick Lane, London E1 6RF, UK",
    currentProblem: "Asthma with seasonal flare-ups; penicillin allergy.",
  },
};

const RECORDS: Record<string, DemoRecord[]> = {
  "Maria Lopez": [
    note(
      "Annual review. Patient reports afternoon fatigue for 3 weeks, no weight change. Diet adherence good; walks 30 min daily.",
    ),
    lab("HbA1c", "6.8", "%", 4.0, 5.6, "2026-10-02"),
    lab("Fasting glucose", "7.1", "mmol/L", 3.9, 5.5, "2026-10-02"),
    lab("TSH", "2.1", "mIU/L", 0.4, 4.0, "2026-10-02"),
    lab("Haemoglobin", "12.9", "g/dL", 12.0, 15.5, "2026-10-02"),
    rx("Metformin 1000 mg tablet", "1 tablet twice daily with meals", "Continue; review in 3 months"),
    rx("Atorvastatin 20 mg tablet", "1 tablet at night"),
    dx("Type 2 diabetes mellitus without complications", "2019-05-20"),
    note("Follow-up: fatigue improved after moving metformin dose to with lunch. Plan: repeat HbA1c in 3 months."),
    scanPdf("Retinal screening report", [
      "Date: 2026-09-14",
      "Both eyes: no diabetic retinopathy.",
      "Next screening in 12 months.",
    ]),
  ],
  "James Chen": [
    dx("Essential hypertension", "2012-02-01"),
    dx("Chronic kidney disease, stage 2", "2023-08-15"),
    lab("Blood pressure (systolic)", "138", "mmHg", 90, 130, "2026-11-01"),
    lab("eGFR", "72", "mL/min/1.73m2", 90, 120, "2026-10-20"),
    lab("Serum creatinine", "1.12", "mg/dL", 0.7, 1.3, "2026-10-20"),
    lab("Potassium", "4.6", "mmol/L", 3.5, 5.1, "2026-10-20"),
    rx("Amlodipine 5 mg tablet", "1 tablet once daily", "Replaces lisinopril after cough"),
    note("Dry cough on lisinopril; switched to amlodipine. Home BP diary requested for 4 weeks."),
  ],
  "Aisha Rahman": [
    dx("Asthma, moderate persistent", "2008-04-10"),
    note(
      "Penicillin — urticaria and facial swelling (2015). Avoid all beta-lactams pending allergy testing.",
      categoryByKey("allergy").id,
    ),
    rx("Budesonide/formoterol 160/4.5 inhaler", "2 puffs twice daily"),
    rx("Salbutamol 100 mcg inhaler", "2 puffs as needed, max 8 per day"),
    lab("Peak expiratory flow", "410", "L/min", 400, 550, "2026-09-30"),
    note("Influenza vaccine (quadrivalent), left deltoid, 2026-10-05. No reaction.", categoryByKey("immunization").id),
    note("Seasonal flare in September, settled with step-up therapy. Asthma action plan reviewed."),
  ],
};

export async function seedDemo({
  rpcUrl,
  appUrl,
  log,
  contract,
}: {
  rpcUrl: string;
  appUrl: string;
  log: (m: string) => void;
  /** Defaults to MEDVAULT_CONTRACT, then the local deployment in lib/chain/generated.ts. */
  contract?: Address;
}) {
  const chain = localChain(rpcUrl);
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl) }) as PublicClient<Transport, Chain>;
  const make = (name: string) => actor(demoAccount(name), rpcUrl, appUrl, publicClient, contract);
  const registrar = make("St. Mary's Registrar");
  const okafor = make("Dr. Amara Okafor");
  const brandt = make("Dr. Lucas Brandt");
  const patients = DEMO_ACCOUNTS.filter((a) => a.role === "patient").map((a) => make(a.name));

  // Registrar verifies both clinicians; they unlock and register their encryption keys.
  for (const [doc, licence] of [
    [okafor, "GMC-7012345"],
    [brandt, "GMC-7098765"],
  ] as const) {
    await verifyClinician(registrar.ctx, doc.ctx.account, { name: doc.demo.name, licence });
    doc.keys = await registerClinicianKey(doc.ctx, await unlockAccount(doc.ctx));
    await signIn(doc.ctx);
  }
  log(`registrar verified ${okafor.demo.name} and ${brandt.demo.name}`);
  // The registrar registers an encryption key too, so patients can escrow an emergency kit with it.
  registrar.keys = await registerClinicianKey(registrar.ctx, await unlockAccount(registrar.ctx));
  await signIn(registrar.ctx);

  // Patients: key, sign-in, profile, records.
  for (const p of patients) {
    p.keys = await registerPatient(p.ctx, await unlockAccount(p.ctx));
    await signIn(p.ctx);
    const own = ownKeyResolver(p.ctx, p.keys);
    await saveProfile(p.ctx, own, p.ctx.account, PROFILES[p.demo.name]!, undefined);
    for (const r of RECORDS[p.demo.name]!) {
      await writeRecord(p.ctx, own, { patient: p.ctx.account, ...r });
    }
    log(`${p.demo.name}: profile and ${RECORDS[p.demo.name]!.length} encrypted records`);
  }
  const [maria, james, aisha] = patients as [Actor, Actor, Actor];
  const now = Number((await publicClient.getBlock()).timestamp);

  // Grants of different scopes, permissions and expiries.
  await grantAccess(maria.ctx, maria.keys!, {
    grantee: okafor.ctx.account,
    scope: Scope.Categories,
    categories: [0, 1, 2, 3, 4],
    permission: Permission.ReadWrite,
    expiry: now + 30 * DAY,
    purpose: 0,
  });
  await grantAccess(james.ctx, james.keys!, {
    grantee: okafor.ctx.account,
    scope: Scope.All,
    permission: Permission.Read,
    expiry: now + 2 * DAY,
    purpose: 1,
  });
  const aishaRecords = await listRecords(aisha.ctx, aisha.ctx.account);
  await grantAccess(aisha.ctx, aisha.keys!, {
    grantee: brandt.ctx.account,
    scope: Scope.Records,
    recordIds: aishaRecords.filter((r) => r.category === 2 || r.category === 3).map((r) => r.recordId),
    permission: Permission.Read,
    expiry: now + 14 * DAY,
    purpose: 2,
  });
  // A grant that has run out: the timeline and grant list show expired consent too.
  await grantAccess(maria.ctx, maria.keys!, {
    grantee: brandt.ctx.account,
    scope: Scope.All,
    permission: Permission.Read,
    expiry: now + 60,
    purpose: 2,
  });
  log("grants: category, whole-record-set, single-record and soon-expiring scopes");

  // Viewing sessions, as the clinician's dashboard opens them: one on-chain session over what
  // the patient's grant covers (narrowed by `only`, for the grant's purpose), then fetch,
  // verify and decrypt through the service.
  const view = async (doc: Actor, patient: Actor, only: (category: number) => boolean) => {
    const grants = await grantsTo(doc.ctx, doc.ctx.account);
    const grant = grants.find((g) => isAddressEqual(g.patient, patient.ctx.account));
    if (!grant) throw new Error(`${patient.demo.name} has not shared with ${doc.demo.name}`);
    const session = await openPatientSession(doc.ctx, grant, { only: (r) => only(r.category) });
    if (!session.opened) throw new Error(`no viewing session opened by ${doc.demo.name} on ${patient.demo.name}`);
    const resolver = await granteeKeyResolver(doc.ctx, doc.keys!, patient.ctx.account);
    for (const r of session.records) await readRecord(doc.ctx, resolver, r);
    return session.records.length;
  };
  await view(okafor, maria, (c) => c === 2);
  await view(okafor, maria, (c) => c <= 4);
  await view(okafor, james, () => true);
  await view(brandt, aisha, (c) => c === 2 || c === 3);

  // The clinician with write access adds a prescription to Maria's records.
  const mariaForOkafor = await granteeKeyResolver(okafor.ctx, okafor.keys!, maria.ctx.account);
  await writeRecord(okafor.ctx, mariaForOkafor, {
    patient: maria.ctx.account,
    ...rx("Vitamin D3 1000 IU capsule", "1 capsule daily", "Low vitamin D"),
  });
  log("viewing sessions by both clinicians; a prescription written by Dr. Okafor");

  // Aisha escrows her emergency categories with the registrar before the emergency.
  await setupEmergencyKit(aisha.ctx, aisha.keys!, registrar.ctx.account);
  // Emergency access: shown first on Aisha's timeline with its reason.
  await breakGlass(
    okafor.ctx,
    aisha.ctx.account,
    "Patient brought to A&E unconscious; checking allergies and asthma medication",
    4 * 3600,
  );
  // The registrar releases the kit to Dr. Okafor, who can then read her allergy and medication.
  const release = await releaseEmergencyKit(registrar.ctx, registrar.keys, aisha.ctx.account, okafor.ctx.account);
  log(
    `${aisha.demo.name}'s emergency kit released to ${okafor.demo.name} (categories ${release.categories.join(", ")})`,
  );

  // Registrar suspends Dr. Brandt; his next read is refused and logged by the service.
  await suspendClinician(registrar.ctx, brandt.ctx.account);
  const refused = (await listRecords(brandt.ctx, aisha.ctx.account)).find((r) => r.category === 2);
  if (refused) {
    await fetchCiphertext(brandt.ctx, refused).then(
      () => {
        throw new Error("a suspended clinician was served a record: the storage service's consent check is broken");
      },
      () => undefined,
    );
  }
  // Let the short grant run out (local chain only).
  const testClient = createTestClient({ mode: "hardhat", chain, transport: http(rpcUrl) });
  await testClient.increaseTime({ seconds: 120 });
  await testClient.mine({ blocks: 1 });
  log(`emergency access on ${aisha.demo.name}; ${brandt.demo.name} suspended and his next read refused`);
}
