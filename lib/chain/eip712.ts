/**
 * The EIP-712 messages a patient signs so that anyone may relay their consent change
 * (`grantConsentBySig` / `revokeConsentBySig`), and the one a device key signs to be registered
 * to a patient (`registerDevice`). One definition, shared by the app, the relayers, the
 * benchmarks and the tests; the contract's type strings must match it
 * (test/contracts/signatures.test.ts checks the type hashes). Consent nonces are per
 * (patient, grantee): `consentNonce(patient, grantee)`; device nonces are `deviceNonce(device)`.
 */
export const MEDVAULT_EIP712_NAME = "MedVault";
export const MEDVAULT_EIP712_VERSION = "1";

export const grantConsentTypes = {
  GrantConsent: [
    { name: "patient", type: "address" },
    { name: "grantee", type: "address" },
    { name: "scope", type: "uint8" },
    { name: "categoryMask", type: "uint32" },
    { name: "recordIds", type: "uint32[]" },
    { name: "permission", type: "uint8" },
    { name: "expiry", type: "uint40" },
    { name: "purpose", type: "uint8" },
    { name: "keyShareDigest", type: "bytes32" },
    { name: "nonce", type: "uint32" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

export const revokeConsentTypes = {
  RevokeConsent: [
    { name: "patient", type: "address" },
    { name: "grantee", type: "address" },
    { name: "nonce", type: "uint32" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

export const registerDeviceTypes = {
  RegisterDevice: [
    { name: "device", type: "address" },
    { name: "patient", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** The domain is bound to one chain and one contract: a signature cannot be replayed elsewhere. */
export function medVaultDomain<C extends bigint | number, A extends string>(chainId: C, verifyingContract: A) {
  return { name: MEDVAULT_EIP712_NAME, version: MEDVAULT_EIP712_VERSION, chainId, verifyingContract };
}
