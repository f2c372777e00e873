/**
 * Bytes written by the v1 formats, produced once by lib/crypto as of commit 9269f4b (before
 * envelope v2 and wide epochs) with the secrets in fixtures.ts, and committed so the v1 read
 * path is checked against real old output, not against a re-implementation of it.
 */
import { hexToBytes } from "viem";

/** deriveCategoryKey(PATIENT_SECRET, ctx, category, epoch) under the v1 derivation. */
export const V1_CATEGORY_KEYS = [
  { category: 0, epoch: 0, key: "0x35c30f8c600abd6926140f8fcdb0c3aec26fbe473e1a69eeb5ec1b04f9c31efd" },
  { category: 2, epoch: 1, key: "0xc6e6ebbbd97a1d7ecf23af213c8bda52d5eed1e3947679b47208585c2eed2ae2" },
  { category: 9, epoch: 17, key: "0x0cf84bd674b5061be3a63089d2f93879f46333430afa27c84067c84f7819677c" },
  { category: 31, epoch: 255, key: "0x35e53d44a8d4885211cc906946e3adfeb1a0375b81e9605dee90fa4e0171c030" },
] as const;

export const V1_PLAINTEXT = '{"resourceType":"Observation","code":"HbA1c","value":6.1}';

/** encryptRecord(V1_PLAINTEXT, { ...ctx, category: 2 }, K(2, 7), 7): an "MVE" v1 envelope. */
export const V1_ENVELOPE = hexToBytes(
  "0x4d564501010102072f64d2a85a375c917e0b4650e359b9a832fd7da528a46cad28619170107754ddfedf8a3e4b021f64a6237bf0b4a7864b5f263bf3974c35fb2e8b2eea761556f1aa4ea48988911534d1958745045833fe0ed0c7a61d8f35f85bc1079dd86b10061eec464c246a65503c8d4b1bd089d56e5c374e952ee9716768e4aebc38c0d5174b64a9fa216b3a6ccfc4f4bf37",
);

/** The secret key of the grantee V1_KEY_SHARE is addressed to (its public key is in the share). */
export const V1_GRANTEE_SECRET = new Uint8Array(32).fill(0x33);

/**
 * createKeyShare for PATIENT → CLINICIAN with K(2, 0), K(2, 7) and K(31, 255): an "MVK" v1
 * share (entries of category u8, epoch u8, key).
 */
export const V1_KEY_SHARE = hexToBytes(
  "0x4d564b01010170997970c51812dc3a010c7d01b50e0d17dc79c890f79bf6eb2c4f870365e785982e1f101e93b9067b0d47d93427f8311160781c7c733fd89f88970aef490d8aa0ee19a4cb8a1b140edb9a722e5ea84ae478a5b6b66e95e9808da3f2df58ece4c34a17de37e4cb2b0c333cfb3337bb923926fc7900030c87cbd6aa025819e13f71da72d02a2d37a1b073f910cfd6419840d6d4b930b881aebe19ee5dcfcb238f1e52624fadfdada10fa9578067d81afa0fbd1e2e7f625cc710b2bd78c8c9b80cc9c7d10239c732fe8cb1e746137519323f849045c4688a2e4516599e41aa4046846f6ce3a7fceddfaadc0e4e",
);
