// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMedVaultConsent} from "./IMedVaultConsent.sol";

/// @title MedVault access log
/// @author MedVault
/// @notice Every viewing of a patient's records by a clinician is one `AccessSessionOpened` event
/// (who, whose, which records, purpose; time from the block), whatever the number of records up to
/// MAX_SESSION_RECORDS. A session outside consent reverts with the error naming what is missing.
/// Break-glass: a verified clinician opens time-boxed emergency read access to any registered
/// patient with a stated reason; `EmergencyAccessOpened` is the event the patient's timeline shows first.
/// It is bounded per (patient, clinician): at most EMERGENCY_ALLOWANCE (24 h) of access in any rolling
/// EMERGENCY_WINDOW (7 days), counted exactly from the pair's last MAX_EMERGENCY_OPENINGS openings
/// (an opening is refused while all of them still touch the window), unless a registrar extends the
/// pair's allowance with a reason. It ends early when the patient, the clinician or a registrar ends it,
/// when the patient revokes the clinician, and for good when the clinician is suspended. After the
/// patient ends or revokes it, the clinician cannot re-open it for EMERGENCY_COOLDOWN.
/// Emergency kit: a patient may opt in by granting a registrar an Escrow grant (permission 3) over the
/// emergency categories; it never authorises a read or a write, its key share is only an escrow. While a
/// clinician holds live emergency access, a registrar holding that live escrow re-wraps it for the
/// clinician, stores it and logs the release with `releaseEmergencyKeys`, so the patient sees who
/// released keys to whom.
interface IMedVaultAccessLog is IMedVaultConsent {
    /// @notice A clinician viewed records of a patient.
    /// @param patient the patient
    /// @param clinician the viewer
    /// @param recordIds the records viewed
    /// @param purpose 0..5 (see IMedVaultConsent)
    /// @param emergency true when break-glass access (not a grant) authorised it
    event AccessSessionOpened(
        address indexed patient,
        address indexed clinician,
        uint32[] recordIds,
        uint8 purpose,
        bool emergency
    );

    /// @notice A clinician opened emergency read access to all of a patient's records.
    /// @param patient the patient
    /// @param clinician the clinician
    /// @param expiresAt access ends at this time (exclusive)
    /// @param reason the stated reason
    event EmergencyAccessOpened(address indexed patient, address indexed clinician, uint40 expiresAt, string reason);

    /// @notice Emergency access was ended before it expired (by endEmergencyAccess or by the patient's revocation).
    /// @param patient the patient
    /// @param clinician the clinician
    /// @param endedBy the patient, the clinician or a registrar
    event EmergencyAccessEnded(address indexed patient, address indexed clinician, address endedBy);

    /// @notice A registrar extended a clinician's emergency allowance over a patient.
    /// @param patient the patient
    /// @param clinician the clinician
    /// @param registrar the registrar who extended it
    /// @param extraSeconds the credit added beyond EMERGENCY_ALLOWANCE
    /// @param reason why, shown to the patient
    event EmergencyAllowanceExtended(
        address indexed patient,
        address indexed clinician,
        address indexed registrar,
        uint32 extraSeconds,
        string reason
    );

    /// @notice A registrar released a patient's emergency-kit keys to a clinician with live emergency access.
    /// @param patient the patient
    /// @param clinician the clinician the keys were re-wrapped for
    /// @param registrar the registrar who released them
    /// @param keyShareDigest CID digest of the key share wrapped for the clinician
    event EmergencyKeysReleased(
        address indexed patient,
        address indexed clinician,
        address indexed registrar,
        bytes32 keyShareDigest
    );

    /// @notice A session named no record.
    error EmptyRecordList();
    /// @notice `duration` is zero or above `max` seconds.
    error InvalidEmergencyDuration(uint32 duration, uint32 max);
    /// @notice `clinician` has no live emergency access to `patient`.
    error NoEmergencyAccess(address patient, address clinician);
    /// @notice `caller` may not end this emergency access (only the patient, the clinician or a registrar).
    error EmergencyEndNotAllowed(address caller);
    /// @notice A release named no key share (zero digest).
    error EmptyKeyShare();
    /// @notice `clinician` already used `used` seconds of emergency access to `patient` in the window this
    /// `duration` would end; at most `allowance` seconds (allowance plus registrar credit) fit in it.
    error EmergencyAllowanceExceeded(
        address patient,
        address clinician,
        uint256 used,
        uint32 duration,
        uint256 allowance
    );
    /// @notice `patient` ended or revoked `clinician`'s emergency access; it cannot be re-opened before `until`.
    error EmergencyCoolingDown(address patient, address clinician, uint256 until);
    /// @notice `clinician` already opened emergency access to `patient` `max` times within the window.
    error EmergencyOpeningsExhausted(address patient, address clinician, uint256 max);
    /// @notice An extension of `extraSeconds` is zero, above `max`, or overflows the pair's credit.
    error InvalidEmergencyExtension(uint32 extraSeconds, uint32 max);
    /// @notice `registrar` holds no live escrow (emergency kit) from `patient`.
    error NoEscrow(address patient, address registrar);

    /// @notice Logs a viewing session by the caller. Reverts with the missing piece (ClinicianNotVerified,
    /// ClinicianSuspended, NoGrant, ConsentExpired, OutOfScope, RecordNotFound, RecordIsErased) when any
    /// record is not readable by the caller now.
    /// @param patient the patient
    /// @param recordIds the records viewed (1..MAX_SESSION_RECORDS)
    /// @param purpose 0..5 (see IMedVaultConsent)
    function openAccessSession(address patient, uint32[] calldata recordIds, uint8 purpose) external;

    /// @notice Opens break-glass read access to a registered patient; caller must be a verified clinician.
    /// Re-opening while active ends the live access now and opens a new one (another opening). Reverts
    /// EmergencyAllowanceExceeded, EmergencyOpeningsExhausted or EmergencyCoolingDown past the bounds.
    /// @param patient the patient
    /// @param reason why (1..MAX_TEXT_LENGTH bytes), shown to the patient
    /// @param duration seconds (1..MAX_EMERGENCY_DURATION)
    function openEmergencyAccess(address patient, string calldata reason, uint32 duration) external;

    /// @notice Ends live emergency access (by the patient, the clinician or a registrar). Ended by the
    /// patient, it cannot be re-opened by that clinician for EMERGENCY_COOLDOWN.
    /// @param patient the patient
    /// @param clinician the clinician
    function endEmergencyAccess(address patient, address clinician) external;

    /// @notice Adds credit beyond EMERGENCY_ALLOWANCE to a (patient, clinician) pair (registrars only);
    /// openings that would exceed the allowance spend it.
    /// @param patient the (registered) patient
    /// @param clinician the (verified) clinician
    /// @param extraSeconds seconds of credit (1..MAX_EMERGENCY_EXTENSION)
    /// @param reason why (1..MAX_TEXT_LENGTH bytes), shown to the patient
    function extendEmergencyAllowance(
        address patient,
        address clinician,
        uint32 extraSeconds,
        string calldata reason
    ) external;

    /// @notice Logs that the caller (a registrar holding a live escrow from `patient`, else NoEscrow)
    /// released a patient's emergency-kit keys to `clinician`, whose emergency access to `patient` must be
    /// live (reverts with ClinicianSuspended, ClinicianNotVerified or NoEmergencyAccess otherwise). Writes no storage: the event is the record.
    /// @param patient the patient
    /// @param clinician the clinician holding live emergency access
    /// @param keyShareDigest CID digest of the key share wrapped for the clinician (non-zero)
    function releaseEmergencyKeys(address patient, address clinician, bytes32 keyShareDigest) external;

    /// @notice When a clinician's emergency access to a patient ends.
    /// @param patient the patient
    /// @param clinician the clinician
    /// @return expiresAt end time (exclusive); 0 = no live access (never opened, ended, expired or
    /// killed by a suspension)
    function emergencyAccessUntil(address patient, address clinician) external view returns (uint40 expiresAt);

    /// @notice A pair's unspent registrar credit beyond EMERGENCY_ALLOWANCE.
    /// @param patient the patient
    /// @param clinician the clinician
    /// @return credit seconds
    function emergencyCredit(address patient, address clinician) external view returns (uint32 credit);
}
