/**
 * Plain-words explanations for everything a MedVault action can fail with: the contract's
 * custom errors (decoded by viem from a simulated call, before the wallet pops up), wallet
 * refusals, the storage service's error codes and lib/crypto's typed errors.
 */
import { BaseError, ContractFunctionRevertedError, UserRejectedRequestError, type ContractErrorName } from "viem";
import type { medVaultAbi } from "../chain/generated.ts";
import { Scope } from "../chain/vocabulary.ts";

type Args = readonly unknown[];

const short = (v: unknown): string => {
  const s = String(v);
  return /^0x[0-9a-fA-F]{40}$/.test(s) ? `${s.slice(0, 6)}…${s.slice(-4)}` : s;
};

const when = (v: unknown): string => {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000).toLocaleString() : String(v);
};

/** Every custom error the MedVault contract (with its OpenZeppelin bases) can revert with. */
export type MedVaultErrorName = ContractErrorName<typeof medVaultAbi>;

type Sentence = (args: Args) => string;

/**
 * One sentence per custom error in the ABI (contracts/interfaces and the OpenZeppelin bases).
 * Keyed by the ABI's error names, so a missing error or a name the ABI does not have fails tsc.
 */
export const CONTRACT_ERROR_SENTENCES: Readonly<Record<MedVaultErrorName, Sentence>> = {
  // Consent (IMedVaultConsent)
  InvalidGrantee: (a) => `${short(a[0])} cannot be granted access (it is empty or yourself).`,
  InvalidScope: (a) => `Scope ${String(a[0])} is not everything (0), some categories (1) or some records (2).`,
  InvalidPermission: (a) => `Permission ${String(a[0])} is not read (1), read + add (2) or emergency-kit escrow (3).`,
  RecordsScopeCannotWrite: () =>
    "Adding records can be granted per category or for everything, not for single records.",
  EscrowNeedsRegistrar: (a) => `${short(a[0])} is not a registrar, so it cannot hold your emergency kit.`,
  EscrowNeverAuthorises: (a) =>
    `${short(a[1])} holds only an emergency-kit escrow from ${short(a[0])}, which never allows reading or adding records.`,
  InvalidPurpose: (a) => `Purpose ${String(a[0])} is not one of the known purposes.`,
  InvalidCategoryMask: (a) =>
    Number(a[0]) === Scope.Categories
      ? "Pick at least one category to share."
      : `Categories are picked only for a category scope, not for scope ${String(a[0])}.`,
  ScopeMismatch: () => "The scope and the list of records do not match: pick records only for a record scope.",
  TooManyRecords: (a) => `Too many records at once (${String(a[0])}, at most ${String(a[1])}).`,
  ExpiryNotInFuture: (a) => `The expiry ${when(a[0])} must be in the future.`,
  NoGrant: (a) => `Patient ${short(a[0])} has not granted ${short(a[1])} access.`,
  ConsentExpired: (a) => `The access ${short(a[0])} granted to ${short(a[1])} expired on ${when(a[2])}.`,
  OutOfScope: (a) => `Record #${String(a[2])} is outside what patient ${short(a[0])} shared with ${short(a[1])}.`,
  WriteNotPermitted: (a) => `${short(a[1])} may read but not add records for patient ${short(a[0])}.`,
  CategoryOutOfScope: (a) =>
    `Category ${String(a[2])} is outside what patient ${short(a[0])} let ${short(a[1])} add records to.`,
  DeviceCategoryNotAllowed: (a) => `Device ${short(a[0])} may not add records of category ${String(a[1])}.`,
  InvalidSignature: (a) => `The signature does not belong to patient ${short(a[0])}.`,
  EmptyCategoryMask: () => "Pick at least one category to share.",
  KeyEpochOverflow: (a) => `The keys of category ${String(a[0])} were rotated the maximum number of times.`,

  // Records (IMedVaultRecords)
  EmptyCid: () => "The record's content id is empty.",
  InvalidCategory: (a) => `Category ${String(a[0])} does not exist.`,
  InvalidFlags: (a) => `Record flags ${String(a[0])} are not valid.`,
  RecordNotFound: (a) => `Patient ${short(a[0])} has no record #${String(a[1])}.`,
  RecordIsErased: (a) => `Record #${String(a[1])} was erased by the patient.`,
  SupersedesOtherCategory: (a) =>
    `Record #${String(a[1])} is of another category (${String(a[2])}), so a category ${String(a[3])} record cannot replace it.`,

  // Roles (IMedVaultRoles)
  ZeroAddress: () => "An address is missing.",
  EmptyEncryptionKey: () => "The encryption key is empty.",
  PatientAlreadyRegistered: (a) => `${short(a[0])} is already registered as a patient.`,
  PatientNotRegistered: (a) => `${short(a[0])} is not registered as a patient yet.`,
  ClinicianAlreadyVerified: (a) => `${short(a[0])} is already verified.`,
  ClinicianNotVerified: (a) => `${short(a[0])} is not a verified clinician.`,
  ClinicianSuspended: (a) => `Clinician ${short(a[0])} is suspended by the registrar, so this access is blocked.`,
  ClinicianNotSuspended: (a) => `${short(a[0])} is not suspended, so there is nothing to reinstate.`,
  EmptyLicenceId: (a) => `A licence id is required to verify ${short(a[0])}.`,
  NameHashMismatch: () => "The clinician's name does not match its hash.",
  InvalidTextLength: (a) => `The text is too long (${String(a[0])} bytes, at most ${String(a[1])}).`,
  DeviceAlreadyRegistered: (a) => `Device ${short(a[0])} is already registered.`,
  InvalidDevice: (a) => `${short(a[0])} cannot be registered as a device.`,
  InvalidDeviceSignature: (a) =>
    `Device ${short(a[0])} did not sign this registration (or signed it for someone else, or before).`,
  CannotVerifySelf: (a) => `Registrar ${short(a[0])} cannot verify itself as a clinician.`,
  CannotVerifyAdmin: (a) => `${short(a[0])} is an administrator, so it cannot be verified as a clinician.`,
  CannotVerifyRegistrar: (a) => `${short(a[0])} is a registrar, so it cannot be verified as a clinician.`,
  SignatureExpired: (a) => `The signed request expired at ${when(a[0])}.`,
  NotDeviceOwner: (a) => `${short(a[1])} does not own device ${short(a[0])}.`,

  // Access log and emergency access (IMedVaultAccessLog)
  EmptyRecordList: () => "There are no records to open in this session.",
  InvalidEmergencyDuration: (a) => `Emergency access must last between 1 second and ${Number(a[1]) / 3600} hours.`,
  NoEmergencyAccess: (a) => `There is no open emergency access by ${short(a[1])} to ${short(a[0])}.`,
  EmergencyEndNotAllowed: (a) => `${short(a[0])} may not end this emergency access.`,
  EmptyKeyShare: () => "The emergency key release names no key share.",
  EmergencyAllowanceExceeded: (a) =>
    `Emergency access is limited to ${Number(a[4]) / 3600} hours in any 7 days; ${Math.floor(Number(a[2]) / 60)} minutes are already used, so ${Math.ceil(Number(a[3]) / 60)} more do not fit.`,
  EmergencyCoolingDown: (a) =>
    `Patient ${short(a[0])} ended your emergency access; you can open it again after ${when(a[2])}.`,
  EmergencyOpeningsExhausted: (a) =>
    `Emergency access to this patient was opened ${String(a[2])} times in the last 7 days, the most allowed.`,
  InvalidEmergencyExtension: (a) => `An extension must be between 1 second and ${Number(a[1]) / 86_400} days.`,
  NoEscrow: (a) => `Registrar ${short(a[1])} holds no live emergency kit from patient ${short(a[0])}.`,

  // OpenZeppelin bases (AccessControlDefaultAdminRules, EIP712, Address, SafeCast)
  AccessControlUnauthorizedAccount: (a) => `${short(a[0])} does not hold the role this action needs.`,
  AccessControlBadConfirmation: () => "A role can be renounced only by the account that holds it.",
  AccessControlEnforcedDefaultAdminRules: () =>
    "The admin role moves only in two steps: the admin begins the transfer, the new admin accepts it after the delay.",
  AccessControlEnforcedDefaultAdminDelay: (a) =>
    Number(a[0]) > 0
      ? `The admin transfer can be completed only after ${when(a[0])}.`
      : "Schedule the admin change first (begin the transfer, wait out the delay), then complete it.",
  AccessControlInvalidDefaultAdmin: (a) =>
    `${short(a[0])} cannot be the admin here (it is empty or not the pending admin).`,
  AddressEmptyCode: (a) => `There is no contract at ${short(a[0])}.`,
  FailedCall: () => "A call made by the contract failed.",
  InvalidShortString: () => "The contract's stored name is malformed.",
  StringTooLong: () => "The text is too long for the contract to store.",
  SafeCastOverflowedUintDowncast: (a) => `The value ${String(a[1])} does not fit in ${String(a[0])} bits.`,
};

/** Narrows a decoded error name to one the ABI (and so the table) has. */
export function isMedVaultErrorName(name: string): name is MedVaultErrorName {
  return Object.hasOwn(CONTRACT_ERROR_SENTENCES, name);
}

function humanise(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}

export type ExplainedError = {
  /** What the user reads. */
  message: string;
  /** The custom error name or error code, for tests and support. */
  code: string;
  /** The user declined in their wallet; the UI shows this quietly, not as a failure. */
  rejected: boolean;
};

/** The codes lib/service answers with (see `httpError` / `json(…, { error })` there). */
export const SERVICE_SENTENCES: Readonly<Record<string, string>> = {
  ACCESS_DENIED: "You have no live consent to read this record.",
  NOT_FOUND: "The storage service does not hold this record.",
  PAYLOAD_TOO_LARGE: "The file is larger than the storage service accepts.",
  STORAGE_UNAVAILABLE: "The storage service is not reachable right now; try again in a moment.",
  CHAIN_UNAVAILABLE: "The storage service cannot reach the blockchain right now.",
  SESSION_REQUIRED: "Please sign in to MedVault's storage service first.",
  SESSION_EXPIRED: "Your MedVault session has expired; please sign in again.",
  SESSION_INVALID: "Your MedVault session is not valid any more; please sign in again.",
  SESSION_ENDED: "You signed out of MedVault; please sign in again.",
  RECORD_NOT_FOUND: "The chain lists no such record for this patient.",
  RECORD_ERASED: "The patient erased this record.",
  CID_MISMATCH: "The requested content is not the one anchored on-chain for this record.",
  CID_NOT_FOUND: "The storage service does not hold this record's content.",
  STORAGE_INTEGRITY: "The stored bytes no longer match their content id; the storage service refused to serve them.",
  NOT_A_KEY_SHARE: "These bytes are not a MedVault key share.",
  KEY_SHARE_NOT_YOURS: "Only the patient a key share names, or a registrar, may store it.",
  NOT_THIS_PATIENTS_RECORD: "This content belongs to another patient; it is not served under this patient's record.",
  VIEWING_SESSION_REQUIRED: "Reading a patient's record needs a viewing session opened on-chain first.",
  VIEWING_SESSION_EXPIRED: "Your viewing session has ended; open a new one to read this record.",
  VIEWING_SESSION_OTHER_RECORDS: "Your viewing session does not cover this record; open one that does.",
  VIEWING_SESSION_OTHER_READER: "That viewing session was opened by someone else.",
  VIEWING_SESSION_NOT_FOUND: "That transaction opened no viewing session.",
  NOT_REGISTERED: "Register with MedVault first; only registered accounts can store records.",
  UPLOAD_QUOTA_BYTES: "You have too much uploaded content not yet anchored on-chain; anchor it or wait a few minutes.",
  UPLOAD_QUOTA_COUNT: "You have too many uploads not yet anchored on-chain; anchor them or wait a few minutes.",
  ENVELOPE_VERSION_REFUSED: "This record uses an old format the storage service no longer accepts.",
  TOO_MANY_NONCES: "Too many sign-in attempts; wait a minute and try again.",
  SIWE_NONCE_USED: "This sign-in message was already used; sign in again.",
  BAD_PATH: "The address of this request is malformed.",
};

/** A storage-service error code (as kept in its access log) in plain words. */
export function describeServiceCode(code: string): string {
  return SERVICE_SENTENCES[code] ?? `${code.charAt(0)}${code.slice(1).toLowerCase().replace(/_/g, " ")}.`;
}

const CRYPTO_SENTENCES: Readonly<Record<string, string>> = {
  KEY_MISMATCH: "The encryption key unlocked by this wallet is not the one registered on-chain for this account.",
  MISSING_CATEGORY_KEY:
    "You hold no key for this record: it was not shared with you, or it was written after your access was revoked.",
  DECRYPTION_FAILED: "The record could not be decrypted: it was modified, or the key is wrong.",
  CONTEXT_MISMATCH: "The storage node returned a different record than the one requested.",
  WRONG_RECIPIENT: "This key share is addressed to another account.",
  NOT_AN_ENVELOPE: "These bytes are not a MedVault record.",
  TRUNCATED_ENVELOPE: "The record is cut off: the download was incomplete.",
  INTEGRITY: "The bytes returned by storage do not match the record's content id on-chain: they were tampered with.",
};

/** Turns anything thrown by a vault action into a sentence for the user. */
export function explainError(err: unknown): ExplainedError {
  if (err instanceof BaseError) {
    const rejected = err.walk((e) => e instanceof UserRejectedRequestError);
    if (rejected)
      return {
        message: "You declined the request in your wallet. Nothing was sent.",
        code: "UserRejected",
        rejected: true,
      };
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      const name = reverted.data?.errorName;
      const args = reverted.data?.args ?? [];
      if (name) {
        const message = isMedVaultErrorName(name)
          ? CONTRACT_ERROR_SENTENCES[name](args)
          : `The contract refused: ${humanise(name)}.`;
        return { message, code: name, rejected: false };
      }
      if (reverted.reason)
        return { message: `The contract refused: ${reverted.reason}.`, code: "Revert", rejected: false };
    }
    const code = (err.walk((e) => typeof (e as { code?: unknown }).code === "number") as { code?: number } | null)
      ?.code;
    if (code === 4001)
      return {
        message: "You declined the request in your wallet. Nothing was sent.",
        code: "UserRejected",
        rejected: true,
      };
    if (code === -32002) {
      return {
        message: "Your wallet already has a request open. Open the wallet (it may be locked) and answer it.",
        code: "RequestPending",
        rejected: false,
      };
    }
    return { message: err.shortMessage, code: err.name, rejected: false };
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string") {
      const sentence = SERVICE_SENTENCES[code] ?? CRYPTO_SENTENCES[code];
      if (sentence) return { message: code === "KEY_MISMATCH" ? err.message : sentence, code, rejected: false };
      return { message: err.message, code, rejected: false };
    }
    if (code === 4001)
      return {
        message: "You declined the request in your wallet. Nothing was sent.",
        code: "UserRejected",
        rejected: true,
      };
    return { message: err.message, code: err.name, rejected: false };
  }
  return { message: String(err), code: "Unknown", rejected: false };
}
