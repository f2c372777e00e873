// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMedVaultAccessLog} from "../interfaces/IMedVaultAccessLog.sol";
import {Consent} from "./Consent.sol";

/// @title AccessLog
/// @author MedVault
/// @notice Viewing sessions and break-glass emergency access.
abstract contract AccessLog is Consent, IMedVaultAccessLog {
    /// @notice Most records one viewing session may name.
    uint256 public constant MAX_SESSION_RECORDS = 64;
    /// @notice Longest emergency access, in seconds.
    uint32 public constant MAX_EMERGENCY_DURATION = 24 hours;

    /// @inheritdoc IMedVaultAccessLog
    function openAccessSession(address patient, uint32[] calldata recordIds, uint8 purpose) external {
        uint256 n = recordIds.length;
        if (n == 0) revert EmptyRecordList();
        if (n > MAX_SESSION_RECORDS) revert TooManyRecords(n, MAX_SESSION_RECORDS);
        if (purpose > MAX_PURPOSE) revert InvalidPurpose(purpose);
        ReadAuth memory auth = _readAuth(msg.sender, patient);
        if (auth.denial != Denial.None) _revertDenial(auth.denial, msg.sender, patient, 0, auth.expiry, 0);
        // Index words hold 16 records; reload only when the id moves to another word.
        uint256 loaded = type(uint256).max;
        uint256 word;
        for (uint256 i; i < n; ++i) {
            uint32 id = recordIds[i];
            if (id >> 4 != loaded) {
                loaded = id >> 4;
                word = _recordWord(patient, id);
            }
            Denial denial = _recordDenial(auth, _entryOf(word, id), id);
            if (denial != Denial.None) _revertDenial(denial, msg.sender, patient, id, 0, 0);
        }
        emit AccessSessionOpened(patient, msg.sender, recordIds, purpose, auth.emergency);
    }

    /// @inheritdoc IMedVaultAccessLog
    function openEmergencyAccess(address patient, string calldata reason, uint32 duration) external {
        _checkVerifiedClinician(msg.sender);
        _checkRegisteredPatient(patient);
        if (duration == 0 || duration > MAX_EMERGENCY_DURATION) {
            revert InvalidEmergencyDuration(duration, MAX_EMERGENCY_DURATION);
        }
        _checkTextLength(bytes(reason).length);
        uint40 until = uint40(block.timestamp) + duration;
        _setEmergencyUntil(patient, msg.sender, until);
        emit EmergencyAccessOpened(patient, msg.sender, until, reason);
    }

    /// @inheritdoc IMedVaultAccessLog
    function endEmergencyAccess(address patient, address clinician) external {
        if (msg.sender != patient && msg.sender != clinician && !hasRole(REGISTRAR_ROLE, msg.sender)) {
            revert EmergencyEndNotAllowed(msg.sender);
        }
        if (block.timestamp >= _emergencyUntil(patient, clinician)) revert NoEmergencyAccess(patient, clinician);
        _setEmergencyUntil(patient, clinician, 0);
        emit EmergencyAccessEnded(patient, clinician, msg.sender);
    }

    /// @inheritdoc IMedVaultAccessLog
    function releaseEmergencyKeys(
        address patient,
        address clinician,
        bytes32 keyShareDigest
    ) external onlyRole(REGISTRAR_ROLE) {
        if (keyShareDigest == 0) revert EmptyKeyShare();
        // Suspension ends emergency access at once, so it also stops a release.
        _checkVerifiedClinician(clinician);
        if (block.timestamp >= _emergencyUntil(patient, clinician)) revert NoEmergencyAccess(patient, clinician);
        emit EmergencyKeysReleased(patient, clinician, msg.sender, keyShareDigest);
    }

    /// @inheritdoc IMedVaultAccessLog
    function emergencyAccessUntil(address patient, address clinician) external view returns (uint40) {
        return _emergencyUntil(patient, clinician);
    }
}
