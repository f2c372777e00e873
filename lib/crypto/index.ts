/**
 * lib/crypto: MedVault's client-side keys and envelopes. Framework-free; runs in the
 * browser and in Node. Format and threat model: docs/crypto.md.
 */
export * from "./errors.ts";
export * from "./context.ts";
export * from "./account.ts";
export * from "./category.ts";
export * from "./envelope.ts";
export * from "./keyshare.ts";
export * from "./revocation.ts";
