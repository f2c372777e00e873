/**
 * FHIR R4 resources for MedVault's forms: the profile (Patient + current-problem Condition,
 * carried together in one collection Bundle) and the clinical record kinds (Observation,
 * MedicationRequest, Condition). Builders take form values and produce the JSON that gets
 * encrypted; parsers take decrypted bytes back to form values and reject anything that is
 * not the resource they expect, so a corrupted or foreign record is reported, not shown.
 */

export class FhirError extends Error {
  override name = "FhirError";
}

export type Gender = "male" | "female" | "other" | "unknown";
export const GENDERS: readonly Gender[] = ["female", "male", "other", "unknown"];

export type ProfileForm = {
  name: string;
  birthDate: string; // YYYY-MM-DD
  gender: Gender;
  phone: string;
  email: string;
  address: string;
  currentProblem: string;
};

export type FhirResource = { resourceType: string; [key: string]: unknown };

export type FhirBundle = {
  resourceType: "Bundle";
  type: "collection";
  timestamp: string;
  entry: { fullUrl: string; resource: FhirResource }[];
};

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function requireText(value: string, field: string, max = 2000): string {
  const v = value.trim();
  if (v === "") throw new FhirError(`${field} is required`);
  if (v.length > max) throw new FhirError(`${field} is longer than ${max} characters`);
  return v;
}

function checkDate(value: string, field: string, now: Date): string {
  if (!DATE_RE.test(value)) throw new FhirError(`${field} must be a date like 1980-04-23`);
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw new FhirError(`${field} is not a real calendar date: ${value}`);
  }
  if (d.getTime() > now.getTime()) throw new FhirError(`${field} is in the future: ${value}`);
  return value;
}

/** Whole years between a birth date and `now` (what the profile shows as age). */
export function ageFrom(birthDate: string, now: Date = new Date()): number {
  const [y, m, d] = birthDate.split("-").map(Number) as [number, number, number];
  let age = now.getUTCFullYear() - y;
  const beforeBirthday = now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d);
  if (beforeBirthday) age -= 1;
  return age;
}

function splitName(full: string): { family: string; given: string[] } {
  const parts = full.split(/\s+/).filter(Boolean);
  const family = parts.length > 1 ? (parts.pop() as string) : (parts[0] ?? "");
  return { family, given: parts.length > 0 && parts[0] !== family ? parts : [] };
}

/** The profile as a FHIR Bundle of a Patient and, when given, an active Condition. */
export function buildProfileBundle(form: ProfileForm, now: Date = new Date()): FhirBundle {
  const name = requireText(form.name, "Name", 200);
  const birthDate = checkDate(form.birthDate.trim(), "Birth date", now);
  if (!GENDERS.includes(form.gender)) throw new FhirError(`Gender must be one of ${GENDERS.join(", ")}`);
  const email = form.email.trim();
  if (email !== "" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new FhirError(`Email is not valid: ${email}`);
  const phone = form.phone.trim();
  if (phone !== "" && !/^[+()\d\s.-]{5,32}$/.test(phone)) throw new FhirError(`Phone is not valid: ${phone}`);

  const telecom = [
    ...(phone ? [{ system: "phone", value: phone, use: "mobile" }] : []),
    ...(email ? [{ system: "email", value: email }] : []),
  ];
  const address = form.address.trim();
  const patient: FhirResource = {
    resourceType: "Patient",
    id: "patient",
    name: [{ use: "official", text: name, ...splitName(name) }],
    gender: form.gender,
    birthDate,
    ...(telecom.length ? { telecom } : {}),
    ...(address ? { address: [{ use: "home", text: address }] } : {}),
  };
  const entry: FhirBundle["entry"] = [{ fullUrl: "urn:medvault:patient", resource: patient }];
  const problem = form.currentProblem.trim();
  if (problem) {
    entry.push({ fullUrl: "urn:medvault:current-problem", resource: buildCondition({ text: problem }, now) });
  }
  return { resourceType: "Bundle", type: "collection", timestamp: now.toISOString(), entry };
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new FhirError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function parseJson(input: Uint8Array | string): unknown {
  const text = typeof input === "string" ? input : new TextDecoder("utf-8", { fatal: true }).decode(input);
  try {
    return JSON.parse(text);
  } catch {
    throw new FhirError("Record is not valid JSON");
  }
}

function expectType(value: unknown, type: string): Record<string, unknown> {
  const o = asObject(value, type);
  if (o.resourceType !== type) throw new FhirError(`Expected a FHIR ${type}, got ${String(o.resourceType)}`);
  return o;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** Reads a profile bundle back into form values. */
export function parseProfileBundle(input: Uint8Array | string): ProfileForm {
  const bundle = expectType(parseJson(input), "Bundle");
  if (!Array.isArray(bundle.entry)) throw new FhirError("Profile bundle has no entries");
  const resources = bundle.entry.map((e) => asObject(asObject(e, "Bundle entry").resource, "Bundle entry resource"));
  const patient = resources.find((r) => r.resourceType === "Patient");
  if (!patient) throw new FhirError("Profile bundle has no Patient");
  const condition = resources.find((r) => r.resourceType === "Condition");
  const names = Array.isArray(patient.name) ? patient.name : [];
  const first = names[0] ? asObject(names[0], "Patient name") : {};
  const nameText =
    str(first.text) ||
    [...(Array.isArray(first.given) ? first.given.map(str) : []), str(first.family)].join(" ").trim();
  const telecom = (Array.isArray(patient.telecom) ? patient.telecom : []).map((t) => asObject(t, "telecom"));
  const addresses = Array.isArray(patient.address) ? patient.address.map((a) => asObject(a, "address")) : [];
  const gender = str(patient.gender) as Gender;
  return {
    name: nameText,
    birthDate: str(patient.birthDate),
    gender: GENDERS.includes(gender) ? gender : "unknown",
    phone: str(telecom.find((t) => t.system === "phone")?.value),
    email: str(telecom.find((t) => t.system === "email")?.value),
    address: str(addresses[0]?.text),
    currentProblem: condition ? conditionText(condition) : "",
  };
}

function conditionText(c: Record<string, unknown>): string {
  const code = c.code ? asObject(c.code, "Condition code") : {};
  return str(code.text);
}

export type ConditionForm = { text: string; onset?: string; note?: string };

export function buildCondition(form: ConditionForm, now: Date = new Date()): FhirResource {
  const text = requireText(form.text, "Condition");
  const onset = form.onset?.trim();
  return {
    resourceType: "Condition",
    clinicalStatus: {
      coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code: "active" }],
    },
    code: { text },
    subject: { reference: "urn:medvault:patient" },
    recordedDate: now.toISOString(),
    ...(onset ? { onsetDateTime: checkDate(onset, "Onset date", now) } : {}),
    ...(form.note?.trim() ? { note: [{ text: form.note.trim() }] } : {}),
  };
}

export function parseCondition(input: Uint8Array | string): ConditionForm {
  const c = expectType(parseJson(input), "Condition");
  const notes = Array.isArray(c.note) ? c.note.map((n) => str(asObject(n, "note").text)) : [];
  return {
    text: conditionText(c),
    ...(str(c.onsetDateTime) ? { onset: str(c.onsetDateTime) } : {}),
    ...(notes.length ? { note: notes.join("\n") } : {}),
  };
}

export type ObservationForm = { name: string; value: string; unit?: string; effective?: string; note?: string };

/**
 * A lab result or measurement. A numeric value becomes a valueQuantity (so it can be charted),
 * anything else a valueString.
 */
export function buildObservation(form: ObservationForm, now: Date = new Date()): FhirResource {
  const name = requireText(form.name, "Test or measurement");
  const value = requireText(form.value, "Result", 1000);
  const unit = form.unit?.trim() ?? "";
  const numeric = /^-?\d+(\.\d+)?$/.test(value);
  if (unit && !numeric) throw new FhirError(`A unit needs a numeric result, got "${value}"`);
  const effective = form.effective?.trim() ? checkDate(form.effective.trim(), "Date", now) : now.toISOString();
  return {
    resourceType: "Observation",
    status: "final",
    code: { text: name },
    subject: { reference: "urn:medvault:patient" },
    effectiveDateTime: effective,
    ...(numeric ? { valueQuantity: { value: Number(value), ...(unit ? { unit } : {}) } } : { valueString: value }),
    ...(form.note?.trim() ? { note: [{ text: form.note.trim() }] } : {}),
  };
}

export function parseObservation(input: Uint8Array | string): ObservationForm {
  const o = expectType(parseJson(input), "Observation");
  const code = o.code ? asObject(o.code, "Observation code") : {};
  let value = str(o.valueString);
  let unit: string | undefined;
  if (o.valueQuantity) {
    const q = asObject(o.valueQuantity, "valueQuantity");
    value = String(q.value ?? "");
    unit = str(q.unit) || undefined;
  }
  const notes = Array.isArray(o.note) ? o.note.map((n) => str(asObject(n, "note").text)) : [];
  return {
    name: str(code.text),
    value,
    ...(unit ? { unit } : {}),
    ...(str(o.effectiveDateTime) ? { effective: str(o.effectiveDateTime) } : {}),
    ...(notes.length ? { note: notes.join("\n") } : {}),
  };
}

export type MedicationRequestForm = { medication: string; dosage: string; note?: string };

export function buildMedicationRequest(form: MedicationRequestForm, now: Date = new Date()): FhirResource {
  return {
    resourceType: "MedicationRequest",
    status: "active",
    intent: "order",
    medicationCodeableConcept: { text: requireText(form.medication, "Medication") },
    subject: { reference: "urn:medvault:patient" },
    authoredOn: now.toISOString(),
    dosageInstruction: [{ text: requireText(form.dosage, "Dosage") }],
    ...(form.note?.trim() ? { note: [{ text: form.note.trim() }] } : {}),
  };
}

export function parseMedicationRequest(input: Uint8Array | string): MedicationRequestForm {
  const m = expectType(parseJson(input), "MedicationRequest");
  const med = m.medicationCodeableConcept ? asObject(m.medicationCodeableConcept, "medication") : {};
  const dosage = Array.isArray(m.dosageInstruction)
    ? m.dosageInstruction.map((d) => str(asObject(d, "dosage").text))
    : [];
  const notes = Array.isArray(m.note) ? m.note.map((n) => str(asObject(n, "note").text)) : [];
  return {
    medication: str(med.text),
    dosage: dosage.join("; "),
    ...(notes.length ? { note: notes.join("\n") } : {}),
  };
}

export const FHIR_JSON_MIME = "application/fhir+json";

/**
 * One human-readable summary of any decrypted record, for the record viewer: FHIR resources
 * are described by their key fields, text is shown as is, other bytes are left to download.
 */
export type RecordSummary =
  | { kind: "profile"; profile: ProfileForm }
  | { kind: "condition"; condition: ConditionForm }
  | { kind: "observation"; observation: ObservationForm }
  | { kind: "medication"; medication: MedicationRequestForm }
  | { kind: "text"; text: string }
  | { kind: "binary"; bytes: number };

export function summarise(bytes: Uint8Array, mime: string): RecordSummary {
  if (mime === FHIR_JSON_MIME || mime === "application/json") {
    const value = asObject(parseJson(bytes), "Record");
    switch (value.resourceType) {
      case "Bundle":
        return { kind: "profile", profile: parseProfileBundle(bytes) };
      case "Condition":
        return { kind: "condition", condition: parseCondition(bytes) };
      case "Observation":
        return { kind: "observation", observation: parseObservation(bytes) };
      case "MedicationRequest":
        return { kind: "medication", medication: parseMedicationRequest(bytes) };
      default:
        throw new FhirError(`Unsupported FHIR resource: ${String(value.resourceType)}`);
    }
  }
  if (mime.startsWith("text/")) return { kind: "text", text: new TextDecoder().decode(bytes) };
  return { kind: "binary", bytes: bytes.length };
}
