/**
 * Record categories (docs/ARCHITECTURE.md, "Record categories"). The id is what the
 * contract stores (`uint8 < 32`, so a set of categories is a `uint32` bit mask) and what
 * selects a category key; ids are never renumbered, only appended.
 */

export type CategoryId = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

export type CategoryKey =
  | "profile"
  | "note"
  | "lab"
  | "prescription"
  | "diagnosis"
  | "imaging"
  | "device"
  | "allergy"
  | "immunization"
  | "other";

export interface Category {
  id: CategoryId;
  key: CategoryKey;
  label: string;
  /** The FHIR R4 resource type(s) a record of this category holds; `null` for plain files. */
  fhirResourceType: string | null;
  description: string;
}

export const CATEGORIES = [
  {
    id: 0,
    key: "profile",
    label: "Profile",
    fhirResourceType: "Patient",
    description: "Demographics and current problem (FHIR Patient + Condition in one Bundle).",
  },
  {
    id: 1,
    key: "note",
    label: "Note",
    fhirResourceType: null,
    description: "Free-text clinical or personal note.",
  },
  {
    id: 2,
    key: "lab",
    label: "Lab result",
    fhirResourceType: "Observation",
    description: "A measured value with units and reference range.",
  },
  {
    id: 3,
    key: "prescription",
    label: "Prescription",
    fhirResourceType: "MedicationRequest",
    description: "A medication, dose and instructions prescribed by a clinician.",
  },
  {
    id: 4,
    key: "diagnosis",
    label: "Diagnosis",
    fhirResourceType: "Condition",
    description: "A diagnosed condition with its clinical status.",
  },
  {
    id: 5,
    key: "imaging",
    label: "Imaging / scan file",
    fhirResourceType: null,
    description: "An image or scan (DICOM, PDF, JPEG) stored as an encrypted file.",
  },
  {
    id: 6,
    key: "device",
    label: "Device reading",
    fhirResourceType: "Observation",
    description: "A reading anchored by one of the patient's registered devices.",
  },
  {
    id: 7,
    key: "allergy",
    label: "Allergy",
    fhirResourceType: "AllergyIntolerance",
    description: "An allergy or intolerance and the reaction it causes.",
  },
  {
    id: 8,
    key: "immunization",
    label: "Immunization",
    fhirResourceType: "Immunization",
    description: "A vaccine given, with date and lot.",
  },
  {
    id: 9,
    key: "other",
    label: "Other",
    fhirResourceType: null,
    description: "Anything that fits no other category.",
  },
] as const satisfies readonly Category[];

/** The on-chain limit: category ids are `uint8 < 32` so a set fits a `uint32` mask. */
export const MAX_CATEGORY_ID = 31;

export const CATEGORY_IDS: readonly CategoryId[] = CATEGORIES.map((c) => c.id);

/**
 * What an emergency kit escrows with a registrar for break-glass release: what a clinician
 * needs to treat an unconscious patient safely (who they are, what they take, what they
 * have, what they react to, what they were vaccinated against), and nothing else.
 */
export const EMERGENCY_CATEGORIES: readonly CategoryId[] = [0, 3, 4, 7, 8];

/** Mask of every defined category: what an "all records" grant covers. */
export const ALL_CATEGORIES_MASK: number = categoryMask(CATEGORY_IDS);

export class CategoryError extends Error {
  override readonly name = "CategoryError";
}

export function isCategoryId(id: unknown): id is CategoryId {
  return typeof id === "number" && Number.isInteger(id) && id >= 0 && id < CATEGORIES.length;
}

export function getCategory(id: number): Category {
  if (!isCategoryId(id)) throw new CategoryError(`unknown record category ${id}`);
  return CATEGORIES[id];
}

export function categoryByKey(key: string): Category {
  const found = CATEGORIES.find((c) => c.key === key);
  if (!found) throw new CategoryError(`unknown record category "${key}"`);
  return found;
}

/** The `uint32` bit mask the contract takes for a set of category ids (bit i = category i). */
export function categoryMask(ids: Iterable<number>): number {
  let mask = 0;
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id > MAX_CATEGORY_ID) {
      throw new CategoryError(`category id ${id} is outside 0..${MAX_CATEGORY_ID}`);
    }
    mask |= 1 << id;
  }
  // `1 << 31` is negative in JS; `>>> 0` keeps the mask an unsigned uint32.
  return mask >>> 0;
}

/** Category ids set in a `uint32` mask, ascending; bits above 31 are rejected. */
export function categoriesFromMask(mask: number | bigint): number[] {
  if (typeof mask === "number" && !Number.isInteger(mask)) {
    throw new CategoryError(`category mask ${mask} is not an integer`);
  }
  const m = BigInt(mask);
  if (m < 0n || m > 0xffffffffn) throw new CategoryError(`category mask ${mask} is not a uint32`);
  const ids: number[] = [];
  for (let i = 0; i <= MAX_CATEGORY_ID; i++) if ((m >> BigInt(i)) & 1n) ids.push(i);
  return ids;
}
