/**
 * The contract's vocabulary, defined once for browser, server, scripts and tests: roles,
 * record flags, grant scopes and permissions, purposes, clinician statuses and the local
 * chain's id. Each value mirrors a public constant or enum of MedVault (named beside it);
 * test/lib/chain/vocabulary.test.ts reads them back from a deployed contract.
 *
 * Scope and permission stay `uint8` constants in Solidity rather than enums: an enum
 * argument out of range reverts with a bare Panic(0x21) while ABI-decoding, before the
 * contract can answer with its own `InvalidScope` / `InvalidPermission`, and the enum's
 * names would reach the ABI only as `internalType` strings, not as values.
 */
import { keccak256, toBytes, type Hex } from "viem";

/** The local Hardhat chain's id. */
export const LOCAL_CHAIN_ID = 31337;

/** keccak256("REGISTRAR_ROLE"), as MedVault.REGISTRAR_ROLE. */
export const REGISTRAR_ROLE: Hex = keccak256(toBytes("REGISTRAR_ROLE"));

/** Record flag set by markErased, as MedVault.FLAG_ERASED (the codec flag is lib/storage/cid.ts's FLAG_DAG_PB). */
export const FLAG_ERASED = 0x40;

/** What a grant covers, as MedVault.SCOPE_ALL / SCOPE_CATEGORIES / SCOPE_RECORDS. */
export const Scope = { All: 0, Categories: 1, Records: 2 } as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

/**
 * What a grant allows, as MedVault.PERMISSION_READ / PERMISSION_READ_WRITE / PERMISSION_ESCROW.
 * Escrow is an emergency kit held by a registrar: it never authorises a read or a write.
 */
export const Permission = { Read: 1, ReadWrite: 2, Escrow: 3 } as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

/** How the app names a permission to people. */
export const PERMISSION_LABELS: Readonly<Record<Permission, string>> = {
  [Permission.Read]: "read",
  [Permission.ReadWrite]: "read + add",
  [Permission.Escrow]: "emergency kit (escrow)",
};

/** Why access is asked for; the index is the contract's purpose code (0..MedVault.MAX_PURPOSE). */
export const PURPOSES = ["Treatment", "Consultation", "Second opinion", "Research", "Insurance", "Other"] as const;
export const Purpose = {
  Treatment: 0,
  Consultation: 1,
  SecondOpinion: 2,
  Research: 3,
  Insurance: 4,
  Other: 5,
} as const;
export type Purpose = (typeof Purpose)[keyof typeof Purpose];

/** Most records one viewing session may name, as MedVault.MAX_SESSION_RECORDS. */
export const MAX_SESSION_RECORDS = 64;

/** IMedVaultRoles.ClinicianStatus, in the enum's order. */
export const CLINICIAN_STATUSES = ["none", "verified", "suspended"] as const;
export type ClinicianStatus = (typeof CLINICIAN_STATUSES)[number];
export const ClinicianStatusCode = { None: 0, Verified: 1, Suspended: 2 } as const;
