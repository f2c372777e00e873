/** MedVault's orchestration, shared by the app (through wagmi's clients) and the demo seed script. */
export * from "./context.ts";
export * from "./errors.ts";
export * from "./api.ts";
export * from "./gateway.ts";
export * from "./tx.ts";
export * from "./keys.ts";
export * from "./payload.ts";
export * from "./reads.ts";
export * from "./records.ts";
export * from "./consent.ts";
export * from "./emergency.ts";
export * from "./devices.ts";
export * from "./clinicians.ts";
export * from "./timeline.ts";
export * from "./viewing.ts";
export * from "./profile.ts";
export * from "./reencrypt.ts";
