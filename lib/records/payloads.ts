/**
 * What a new record holds, by kind: a note is plain text; a lab result, prescription or
 * diagnosis is a FHIR resource (Observation, MedicationRequest, Condition) as JSON; a file
 * is its own bytes. The add-record form and the demo seed build records through here, so a
 * record looks the same whoever wrote it.
 */
import {
  buildCondition,
  buildMedicationRequest,
  buildObservation,
  FHIR_JSON_MIME,
  type ConditionForm,
  type MedicationRequestForm,
  type ObservationForm,
} from "../fhir/index.ts";
import { categoryByKey } from "./categories.ts";

export class RecordDraftError extends Error {
  override name = "RecordDraftError";
}

/** A record's kinds as the add-record form offers them. */
export type RecordKind = "note" | "lab" | "prescription" | "diagnosis" | "file";

/** The category each kind is filed under; a file's category is chosen with it. */
export const KIND_CATEGORY = {
  note: categoryByKey("note").id,
  lab: categoryByKey("lab").id,
  prescription: categoryByKey("prescription").id,
  diagnosis: categoryByKey("diagnosis").id,
} as const satisfies Record<Exclude<RecordKind, "file">, number>;

/** The default category offered for a file. */
export const FILE_CATEGORY = categoryByKey("imaging").id;

export type RecordDraft =
  /** Plain text; filed as a Note unless `category` says otherwise (an allergy written as text, say). */
  | { kind: "note"; text: string; category?: number }
  /** An Observation; `range` adds its reference range. */
  | ({ kind: "lab"; range?: { low: number; high: number } } & ObservationForm)
  | ({ kind: "prescription" } & MedicationRequestForm)
  | ({ kind: "diagnosis" } & ConditionForm)
  | { kind: "file"; category: number; mime: string; name?: string; content: Uint8Array };

/** A record ready for writeRecord: its category and the payload that gets encrypted. */
export type RecordPayloadDraft = { category: number; mime: string; name?: string; content: Uint8Array };

const utf8 = (s: string) => new TextEncoder().encode(s);
const json = (resource: unknown) => utf8(JSON.stringify(resource));

/** The category and encrypted-to-be bytes of `draft`; throws RecordDraftError for an empty note. */
export function buildRecordPayload(draft: RecordDraft): RecordPayloadDraft {
  switch (draft.kind) {
    case "note": {
      const text = draft.text.trim();
      if (!text) throw new RecordDraftError("Write the note first.");
      return { category: draft.category ?? KIND_CATEGORY.note, mime: "text/plain", content: utf8(text) };
    }
    case "lab": {
      const { kind: _kind, range, ...form } = draft;
      const observation = buildObservation(form);
      const resource = range
        ? {
            ...observation,
            referenceRange: [
              { low: { value: range.low, unit: form.unit }, high: { value: range.high, unit: form.unit } },
            ],
          }
        : observation;
      return { category: KIND_CATEGORY.lab, mime: FHIR_JSON_MIME, content: json(resource) };
    }
    case "prescription": {
      const { kind: _kind, ...form } = draft;
      return {
        category: KIND_CATEGORY.prescription,
        mime: FHIR_JSON_MIME,
        content: json(buildMedicationRequest(form)),
      };
    }
    case "diagnosis": {
      const { kind: _kind, ...form } = draft;
      return { category: KIND_CATEGORY.diagnosis, mime: FHIR_JSON_MIME, content: json(buildCondition(form)) };
    }
    case "file":
      return {
        category: draft.category,
        mime: draft.mime || "application/octet-stream",
        content: draft.content,
        ...(draft.name ? { name: draft.name } : {}),
      };
  }
}
