import { expect } from "chai";
import {
  FhirError,
  ageFrom,
  buildMedicationRequest,
  buildObservation,
  buildProfileBundle,
  parseMedicationRequest,
  parseObservation,
  parseProfileBundle,
  summarise,
  type ProfileForm,
} from "../../../lib/fhir/index.ts";

const NOW = new Date("2026-06-01T12:00:00Z");
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

const profile: ProfileForm = {
  name: "Amara Okafor",
  birthDate: "1984-07-09",
  gender: "female",
  phone: "+44 20 7946 0958",
  email: "amara@example.org",
  address: "12 Harley Street, London",
  currentProblem: "Recurring migraines with aura",
};

describe("lib/fhir profile", () => {
  it("round-trips every profile field through a FHIR Patient + Condition bundle", () => {
    const bundle = buildProfileBundle(profile, NOW);
    expect(bundle.entry.map((e) => e.resource.resourceType)).to.deep.equal(["Patient", "Condition"]);
    expect(parseProfileBundle(enc(bundle))).to.deep.equal(profile);
  });

  it("stores the name as official HumanName with family and given parts", () => {
    const patient = buildProfileBundle(profile, NOW).entry[0]!.resource as unknown as { name: unknown[] };
    expect(patient.name[0]).to.deep.include({ text: "Amara Okafor", family: "Okafor", given: ["Amara"] });
  });

  it("omits the Condition and empty contact fields when not given", () => {
    const bundle = buildProfileBundle({ ...profile, currentProblem: " ", phone: "", email: "", address: "" }, NOW);
    expect(bundle.entry).to.have.length(1);
    expect(bundle.entry[0]!.resource).to.not.have.any.keys("telecom", "address");
  });

  it("rejects a missing name, an impossible or future birth date, and a bad email", () => {
    expect(() => buildProfileBundle({ ...profile, name: "  " }, NOW)).to.throw(FhirError, /Name is required/);
    expect(() => buildProfileBundle({ ...profile, birthDate: "1984-02-30" }, NOW)).to.throw(
      FhirError,
      /real calendar date/,
    );
    expect(() => buildProfileBundle({ ...profile, birthDate: "09/07/1984" }, NOW)).to.throw(
      FhirError,
      /must be a date/,
    );
    expect(() => buildProfileBundle({ ...profile, birthDate: "2030-01-01" }, NOW)).to.throw(FhirError, /in the future/);
    expect(() => buildProfileBundle({ ...profile, email: "amara@" }, NOW)).to.throw(FhirError, /Email is not valid/);
    expect(() => buildProfileBundle({ ...profile, gender: "x" as never }, NOW)).to.throw(FhirError, /Gender/);
  });

  it("rejects bytes that are not a profile bundle", () => {
    expect(() => parseProfileBundle("not json")).to.throw(FhirError, /not valid JSON/);
    expect(() => parseProfileBundle(enc({ resourceType: "Observation" }))).to.throw(
      FhirError,
      /Expected a FHIR Bundle/,
    );
    expect(() => parseProfileBundle(enc({ resourceType: "Bundle", entry: [] }))).to.throw(FhirError, /no Patient/);
  });

  it("computes age in whole years, counting the birthday itself", () => {
    expect(ageFrom("1984-07-09", new Date("2026-07-08T00:00:00Z"))).to.equal(41);
    expect(ageFrom("1984-07-09", new Date("2026-07-09T00:00:00Z"))).to.equal(42);
  });
});

describe("lib/fhir clinical records", () => {
  it("makes a numeric lab result a valueQuantity with its unit", () => {
    const obs = buildObservation({ name: "HbA1c", value: "6.1", unit: "%", effective: "2026-05-30" }, NOW);
    expect(obs.valueQuantity).to.deep.equal({ value: 6.1, unit: "%" });
    expect(parseObservation(enc(obs))).to.deep.equal({
      name: "HbA1c",
      value: "6.1",
      unit: "%",
      effective: "2026-05-30",
    });
  });

  it("keeps a non-numeric result as text and refuses a unit on it", () => {
    const obs = buildObservation({ name: "Chest X-ray", value: "No abnormality" }, NOW);
    expect(obs.valueString).to.equal("No abnormality");
    expect(() => buildObservation({ name: "X", value: "positive", unit: "mg" }, NOW)).to.throw(FhirError, /numeric/);
  });

  it("round-trips a prescription", () => {
    const rx = buildMedicationRequest(
      { medication: "Sumatriptan 50 mg", dosage: "1 tablet at onset", note: "max 2/day" },
      NOW,
    );
    expect(parseMedicationRequest(enc(rx))).to.deep.equal({
      medication: "Sumatriptan 50 mg",
      dosage: "1 tablet at onset",
      note: "max 2/day",
    });
    expect(() => buildMedicationRequest({ medication: "", dosage: "x" }, NOW)).to.throw(
      FhirError,
      /Medication is required/,
    );
  });

  it("summarises any decrypted record by its type", () => {
    expect(summarise(enc(buildProfileBundle(profile, NOW)), "application/fhir+json").kind).to.equal("profile");
    expect(summarise(new TextEncoder().encode("seen today"), "text/plain")).to.deep.equal({
      kind: "text",
      text: "seen today",
    });
    expect(summarise(new Uint8Array(10), "application/pdf")).to.deep.equal({ kind: "binary", bytes: 10 });
    expect(() => summarise(enc({ resourceType: "Claim" }), "application/fhir+json")).to.throw(FhirError, /Unsupported/);
  });
});
