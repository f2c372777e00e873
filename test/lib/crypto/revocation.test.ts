import { expect } from "chai";
import { Scope } from "../../../lib/chain/vocabulary.ts";
import fc from "fast-check";
import {
  InvalidInputError,
  MissingCategoryKeyError,
  categoriesToRotate,
  createKeyShare,
  decryptRecord,
  deriveCategoryKey,
  encryptRecord,
  entriesKeyResolver,
  epochOf,
  generateAccountKey,
  openKeyShare,
  rotationMask,
  shareEntriesFor,
} from "../../../lib/crypto/index.ts";
import {
  ALL_CATEGORIES_MASK,
  CATEGORIES,
  CategoryError,
  categoriesFromMask,
  categoryByKey,
  categoryMask,
  getCategory,
} from "../../../lib/records/categories.ts";
import { CLINICIAN, PATIENT, PATIENT_SECRET, ctx, enc, thrown } from "./fixtures.ts";

describe("lib/records categories", () => {
  it("matches the table in docs/ARCHITECTURE.md", () => {
    expect(CATEGORIES.map((c) => [c.id, c.label])).to.deep.equal([
      [0, "Profile"],
      [1, "Note"],
      [2, "Lab result"],
      [3, "Prescription"],
      [4, "Diagnosis"],
      [5, "Imaging / scan file"],
      [6, "Device reading"],
      [7, "Allergy"],
      [8, "Immunization"],
      [9, "Other"],
    ]);
    expect(getCategory(2).fhirResourceType).to.equal("Observation");
    expect(categoryByKey("prescription").fhirResourceType).to.equal("MedicationRequest");
    expect(() => getCategory(10)).to.throw(CategoryError);
    expect(() => categoryByKey("x-ray")).to.throw(CategoryError);
  });

  it("round-trips any set of category ids through a uint32 mask", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 31 }), { maxLength: 32 }), (ids) => {
        const mask = categoryMask(ids);
        expect(mask).to.be.at.least(0).and.at.most(0xffffffff);
        expect(categoriesFromMask(mask)).to.deep.equal([...ids].sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
    expect(categoryMask([31])).to.equal(0x80000000);
    expect(categoriesFromMask(0x80000000n)).to.deep.equal([31]);
    expect(ALL_CATEGORIES_MASK).to.equal(0x3ff);
  });

  it("rejects ids and masks the contract would not accept", () => {
    expect(() => categoryMask([32])).to.throw(CategoryError);
    expect(() => categoryMask([-1])).to.throw(CategoryError);
    expect(() => categoryMask([1.5])).to.throw(CategoryError);
    expect(() => categoriesFromMask(2 ** 32)).to.throw(CategoryError);
    expect(() => categoriesFromMask(-1)).to.throw(CategoryError);
    expect(() => categoriesFromMask(0.5)).to.throw(CategoryError);
  });
});

describe("lib/crypto revocation", () => {
  it("rotates the categories whose keys the grant shared", () => {
    expect(categoriesToRotate({ kind: Scope.All })).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(categoriesToRotate({ kind: Scope.Categories, categoryMask: 0b10100 })).to.deep.equal([2, 4]);
    expect(categoriesToRotate({ kind: Scope.Records, recordCategories: [5, 2, 5] })).to.deep.equal([2, 5]);
    expect(rotationMask({ kind: Scope.Records, recordCategories: [5, 2, 5] })).to.equal(0b100100);
    expect(() => categoriesToRotate({ kind: Scope.Categories })).to.throw(InvalidInputError);
    expect(() => categoriesToRotate({ kind: Scope.Records })).to.throw(InvalidInputError);
    expect(() => categoriesToRotate({ kind: Scope.Records, recordCategories: [40] })).to.throw(InvalidInputError);
    expect(() => categoriesToRotate({ kind: 7 as Scope })).to.throw(InvalidInputError, /scope kind/);
  });

  it("after revoke + rotate, the revoked clinician cannot read new records; a remaining grantee can", () => {
    const deployment = { chainId: ctx.chainId, contract: ctx.contract };
    const revoked = generateAccountKey();
    const remaining = generateAccountKey();
    const scope = { kind: Scope.Categories, categoryMask: categoryMask([2]) } as const;
    // keyEpochs(patient) as the contract returns it: uint32[32], index = category.
    const keyEpochs: number[] = new Array<number>(32).fill(0);
    const grantTo = (publicKeyHex: `0x${string}`) =>
      createKeyShare({
        ctx: deployment,
        patient: PATIENT,
        grantee: CLINICIAN,
        granteePublicKey: publicKeyHex,
        entries: shareEntriesFor(PATIENT_SECRET, ctx, categoriesToRotate(scope), keyEpochs),
      });
    const revokedKeys = entriesKeyResolver(openKeyShare(grantTo(revoked.publicKeyHex), revoked.secretKey, ctx));
    const write = (text: string) => {
      const epoch = epochOf(keyEpochs, 2);
      return encryptRecord(enc(text), { ...ctx, category: 2 }, deriveCategoryKey(PATIENT_SECRET, ctx, 2, epoch), epoch);
    };
    const before = write("before revocation");
    expect(decryptRecord(before, ctx, revokedKeys)).to.deep.equal(enc("before revocation"));

    // What `rotateKeys(rotationMask(scope))` does on-chain: lab's epoch goes 0 → 1.
    expect(rotationMask(scope)).to.equal(0b100);
    keyEpochs[2] = 1;
    const after = write("after revocation");
    expect(thrown(() => decryptRecord(after, ctx, revokedKeys))).to.be.instanceOf(MissingCategoryKeyError);

    const remainingKeys = entriesKeyResolver(openKeyShare(grantTo(remaining.publicKeyHex), remaining.secretKey, ctx));
    expect(decryptRecord(after, ctx, remainingKeys)).to.deep.equal(enc("after revocation"));
    expect(decryptRecord(before, ctx, remainingKeys)).to.deep.equal(enc("before revocation"));
  });
});
