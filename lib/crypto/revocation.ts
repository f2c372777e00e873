/**
 * Revocation. A clinician cannot be made to forget what they already decrypted; what
 * revocation guarantees is that nothing written afterwards is readable with the keys they
 * held. The app revokes and calls `rotateKeys(rotationMask(scope))` in one multicall;
 * records written afterwards use the next epoch's category keys; the remaining grantees
 * get fresh key shares (`shareEntriesFor`). For the strong case, `reencryptRecord`
 * re-encrypts old records under the new epoch and the app anchors them as new versions.
 */
import { Scope } from "../chain/vocabulary.ts";
import { ALL_CATEGORIES_MASK, categoriesFromMask, categoryMask } from "../records/categories.ts";
import { assertCategory } from "./category.ts";
import { InvalidInputError } from "./errors.ts";

export interface GrantScope {
  /** The grant's on-chain scope (docs/ARCHITECTURE.md, "Consent"). */
  kind: Scope;
  /** For `Categories`: the grant's `uint32` category mask. */
  categoryMask?: number;
  /** For `Records`: the category of each record in scope (from `getRecord`). */
  recordCategories?: readonly number[];
}

/**
 * The categories whose keys the grantee received, hence must be rotated when the grant is
 * revoked. A record-scoped grant shares whole category keys (the service and the contract
 * enforce the record limit), so its records' categories are rotated too.
 */
export function categoriesToRotate(scope: GrantScope): number[] {
  switch (scope.kind) {
    case Scope.All:
      return categoriesFromMask(ALL_CATEGORIES_MASK);
    case Scope.Categories:
      if (scope.categoryMask === undefined)
        throw new InvalidInputError("a category-scoped grant needs its categoryMask");
      return categoriesFromMask(scope.categoryMask);
    case Scope.Records: {
      if (!scope.recordCategories)
        throw new InvalidInputError("a record-scoped grant needs the category of each record");
      scope.recordCategories.forEach(assertCategory);
      return [...new Set(scope.recordCategories)].sort((a, b) => a - b);
    }
    default:
      throw new InvalidInputError(`unknown grant scope kind ${String((scope as GrantScope).kind)}`);
  }
}

/** The argument for the contract's `rotateKeys(uint32 categoryMask)`. */
export function rotationMask(scope: GrantScope): number {
  return categoryMask(categoriesToRotate(scope));
}
