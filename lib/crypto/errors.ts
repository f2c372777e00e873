/**
 * Every failure in lib/crypto is a MedVaultCryptoError with a stable `code`, so the app
 * and the storage service can tell "this is not a MedVault envelope" apart from "this
 * envelope was tampered with" apart from "you do not hold the key" without parsing
 * messages. Decryption failures never carry partial plaintext.
 */

export type CryptoErrorCode =
  | "NOT_AN_ENVELOPE"
  | "UNSUPPORTED_VERSION"
  | "UNSUPPORTED_ALGORITHM"
  | "TRUNCATED_ENVELOPE"
  | "DECRYPTION_FAILED"
  | "CONTEXT_MISMATCH"
  | "KEY_MISMATCH"
  | "WRONG_RECIPIENT"
  | "MISSING_CATEGORY_KEY"
  | "INVALID_INPUT";

export abstract class MedVaultCryptoError extends Error {
  abstract readonly code: CryptoErrorCode;
}

/** The bytes do not start with a MedVault magic, or a header field is out of range. */
export class NotAnEnvelopeError extends MedVaultCryptoError {
  readonly code = "NOT_AN_ENVELOPE" as const;
  override readonly name = "NotAnEnvelopeError";
}

/** A MedVault object of a format version this code does not know (written by a newer app?). */
export class UnsupportedVersionError extends MedVaultCryptoError {
  readonly code = "UNSUPPORTED_VERSION" as const;
  override readonly name = "UnsupportedVersionError";
  constructor(
    readonly kind: "envelope" | "key share" | "wrapped key",
    readonly version: number,
  ) {
    super(
      `unsupported MedVault ${kind} version ${version}; this app reads ${kind === "wrapped key" ? "version 1" : "versions 1 and 2"}`,
    );
  }
}

/** A known format version naming an algorithm id this code does not implement. */
export class UnsupportedAlgorithmError extends MedVaultCryptoError {
  readonly code = "UNSUPPORTED_ALGORITHM" as const;
  override readonly name = "UnsupportedAlgorithmError";
  constructor(
    readonly field: string,
    readonly id: number,
  ) {
    super(`unsupported ${field} algorithm id 0x${id.toString(16).padStart(2, "0")}`);
  }
}

/** Shorter than its header says it must be: a cut-off upload or download. */
export class TruncatedEnvelopeError extends MedVaultCryptoError {
  readonly code = "TRUNCATED_ENVELOPE" as const;
  override readonly name = "TruncatedEnvelopeError";
  constructor(
    readonly kind: "envelope" | "key share" | "wrapped key",
    readonly length: number,
    readonly minimum: number,
  ) {
    super(`MedVault ${kind} is truncated: ${length} bytes, at least ${minimum} expected`);
  }
}

/**
 * Authentication failed: the bytes were modified, the key is wrong (an old epoch, another
 * patient's key), or the envelope is being read in another context (chain, contract,
 * patient) than the one it was written for. AES-GCM cannot tell these apart, by design.
 */
export class DecryptionFailedError extends MedVaultCryptoError {
  readonly code = "DECRYPTION_FAILED" as const;
  override readonly name = "DecryptionFailedError";
}

/**
 * The envelope is not the one the caller asked for: it names another patient than the one
 * it is read for (an object aliased to someone else's record), or it is another record's
 * uid or another category than the chain says (a storage node serving a different, genuine
 * record of the same patient).
 */
export class ContextMismatchError extends MedVaultCryptoError {
  readonly code = "CONTEXT_MISMATCH" as const;
  override readonly name = "ContextMismatchError";
}

/** The key derived in this browser is not the encryption key registered on-chain. */
export class KeyMismatchError extends MedVaultCryptoError {
  readonly code = "KEY_MISMATCH" as const;
  override readonly name = "KeyMismatchError";
  constructor(
    readonly derivedPublicKey: `0x${string}`,
    readonly registeredPublicKey: `0x${string}`,
    message?: string,
  ) {
    super(
      message ??
        `the encryption key unlocked by this wallet (${derivedPublicKey}) is not the one registered ` +
          `on-chain for this account (${registeredPublicKey}). Likely causes: a different wallet ` +
          `account is selected; the wallet signs non-deterministically (some hardware, MPC or ` +
          `smart-contract wallets), so the same message gives a different signature each time; or ` +
          `the key was rotated from another device. Nothing was decrypted or encrypted with it.`,
    );
  }
}

/** A key share addressed to another public key than the one trying to open it. */
export class WrongRecipientError extends MedVaultCryptoError {
  readonly code = "WRONG_RECIPIENT" as const;
  override readonly name = "WrongRecipientError";
  constructor(
    readonly recipientPublicKey: `0x${string}`,
    readonly ownPublicKey: `0x${string}`,
  ) {
    super(`this key share is addressed to ${recipientPublicKey}, not to this account's key ${ownPublicKey}`);
  }
}

/** The reader holds no key for the envelope's category and epoch (no grant, or revoked). */
export class MissingCategoryKeyError extends MedVaultCryptoError {
  readonly code = "MISSING_CATEGORY_KEY" as const;
  override readonly name = "MissingCategoryKeyError";
  constructor(
    readonly category: number,
    readonly epoch: number,
  ) {
    super(
      `no key for category ${category} at epoch ${epoch}: not shared with this account, or rotated after a revocation`,
    );
  }
}

/** A caller passed a malformed argument (wrong key length, bad address, out-of-range id). */
export class InvalidInputError extends MedVaultCryptoError {
  readonly code = "INVALID_INPUT" as const;
  override readonly name = "InvalidInputError";
}
