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
    /// @notice Longest emergency access one opening grants, in seconds.
    uint32 public constant MAX_EMERGENCY_DURATION = 24 hours;
    /// @notice Emergency time a clinician may hold over a patient in any EMERGENCY_WINDOW, before credit.
    uint32 public constant EMERGENCY_ALLOWANCE = 24 hours;
    /// @notice The rolling window EMERGENCY_ALLOWANCE and MAX_EMERGENCY_OPENINGS count over.
    uint32 public constant EMERGENCY_WINDOW = 7 days;
    /// @notice Most openings of one pair whose access ended within the last EMERGENCY_WINDOW.
    uint256 public constant MAX_EMERGENCY_OPENINGS = 4;
    /// @notice After the patient ends (or revokes) a clinician's emergency access, that clinician cannot
    /// re-open it for this patient for this long: the patient's "no" holds for the whole window.
    uint32 public constant EMERGENCY_COOLDOWN = 7 days;
    /// @notice Most credit one registrar extension adds, in seconds.
    uint32 public constant MAX_EMERGENCY_EXTENSION = 7 days;

    // Emergency log entry: start (40 bits) | length in seconds (23 bits) << 40 | ended by the patient << 63.
    uint256 private constant _START_MASK = (1 << 40) - 1;
    uint256 private constant _LENGTH_MASK = (1 << 23) - 1;
    uint256 private constant _BY_PATIENT = 1 << 63;

    /// @dev The pair's last MAX_EMERGENCY_OPENINGS openings, 64 bits each, in one slot: the exact rolling
    /// sum reads one slot, and no loop runs over anything that grows.
    mapping(address patient => mapping(address clinician => uint256 entries)) private _emergencyLog;
    /// @dev Seconds beyond EMERGENCY_ALLOWANCE that registrars granted the pair; spent as used.
    mapping(address patient => mapping(address clinician => uint32 credit)) private _emergencyCredit;

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
        // Access opened in the second of the last suspension would count as opened before it (dead).
        (, uint40 suspendedAt) = _clinicianStanding(msg.sender);
        if (block.timestamp <= suspendedAt) revert ClinicianSuspended(msg.sender);
        (uint256 log, uint256 used, uint256 slot) = _scanEmergencyLog(patient, duration);
        if (slot == type(uint256).max) revert EmergencyOpeningsExhausted(patient, msg.sender, MAX_EMERGENCY_OPENINGS);
        if (used + duration > EMERGENCY_ALLOWANCE) _spendCredit(patient, used, duration);
        _emergencyLog[patient][msg.sender] = _setEntry(log, slot, block.timestamp | (uint256(duration) << 40));
        uint40 until = uint40(block.timestamp) + duration;
        _setEmergency(patient, msg.sender, until, uint40(block.timestamp));
        emit EmergencyAccessOpened(patient, msg.sender, until, reason);
    }

    /// @inheritdoc IMedVaultAccessLog
    function endEmergencyAccess(address patient, address clinician) external {
        if (msg.sender != patient && msg.sender != clinician && !hasRole(REGISTRAR_ROLE, msg.sender)) {
            revert EmergencyEndNotAllowed(msg.sender);
        }
        (uint40 until, uint40 openedAt) = _liveEmergency(patient, clinician);
        if (until == 0) revert NoEmergencyAccess(patient, clinician);
        _setEmergency(patient, clinician, 0, 0);
        _closeEmergency(patient, clinician, openedAt, msg.sender);
    }

    /// @inheritdoc IMedVaultAccessLog
    function extendEmergencyAllowance(
        address patient,
        address clinician,
        uint32 extraSeconds,
        string calldata reason
    ) external onlyRole(REGISTRAR_ROLE) {
        if (extraSeconds == 0 || extraSeconds > MAX_EMERGENCY_EXTENSION) {
            revert InvalidEmergencyExtension(extraSeconds, MAX_EMERGENCY_EXTENSION);
        }
        _checkVerifiedClinician(clinician);
        _checkRegisteredPatient(patient);
        _checkTextLength(bytes(reason).length);
        uint256 credit = uint256(_emergencyCredit[patient][clinician]) + extraSeconds;
        if (credit > type(uint32).max) revert InvalidEmergencyExtension(extraSeconds, MAX_EMERGENCY_EXTENSION);
        _emergencyCredit[patient][clinician] = uint32(credit);
        emit EmergencyAllowanceExtended(patient, clinician, msg.sender, extraSeconds, reason);
    }

    /// @inheritdoc IMedVaultAccessLog
    function releaseEmergencyKeys(
        address patient,
        address clinician,
        bytes32 keyShareDigest
    ) external onlyRole(REGISTRAR_ROLE) {
        if (keyShareDigest == 0) revert EmptyKeyShare();
        if (!_holdsEscrow(patient, msg.sender)) revert NoEscrow(patient, msg.sender);
        // Suspension ends emergency access at once, so it also stops a release.
        _checkVerifiedClinician(clinician);
        (uint40 until, ) = _liveEmergency(patient, clinician);
        if (until == 0) revert NoEmergencyAccess(patient, clinician);
        emit EmergencyKeysReleased(patient, clinician, msg.sender, keyShareDigest);
    }

    /// @inheritdoc IMedVaultAccessLog
    function emergencyAccessUntil(address patient, address clinician) external view returns (uint40) {
        (uint40 until, ) = _liveEmergency(patient, clinician);
        return until;
    }

    /// @inheritdoc IMedVaultAccessLog
    function emergencyCredit(address patient, address clinician) external view returns (uint32) {
        return _emergencyCredit[patient][clinician];
    }

    // Implements Consent._closeEmergency: the log keeps the time the access really ran, and whether
    // the patient ended it (which starts the cool-down).
    function _closeEmergency(address patient, address clinician, uint40 openedAt, address endedBy) internal override {
        uint256 log = _emergencyLog[patient][clinician];
        for (uint256 k; k < MAX_EMERGENCY_OPENINGS; ++k) {
            uint256 start = (log >> (k << 6)) & _START_MASK;
            if (start != openedAt) continue;
            uint256 entry = start | ((block.timestamp - start) << 40);
            if (endedBy == patient) entry |= _BY_PATIENT;
            _emergencyLog[patient][clinician] = _setEntry(log, k, entry);
            break;
        }
        emit EmergencyAccessEnded(patient, clinician, endedBy);
    }

    // Reads the caller's emergency log over `patient` for an opening of `duration`: the emergency time
    // already used in the window that opening would end, the entry it may take (max = none free), and
    // the log with the live access (if any) closed now. Reverts while the patient's cool-down runs.
    function _scanEmergencyLog(
        address patient,
        uint32 duration
    ) private view returns (uint256 log, uint256 used, uint256 slot) {
        (, uint40 suspendedAt) = _clinicianStanding(msg.sender);
        (, uint40 liveSince) = _liveEmergency(patient, msg.sender);
        log = _emergencyLog[patient][msg.sender];
        slot = type(uint256).max;
        uint256 oldestStart = type(uint256).max;
        {
            // The window ending when this access would end holds the most emergency time (earlier
            // windows lose at least as much of this access as they gain of older ones), so checking it
            // checks every window.
            uint256 windowStart = block.timestamp + duration > EMERGENCY_WINDOW
                ? block.timestamp + duration - EMERGENCY_WINDOW
                : 0;
            for (uint256 k; k < MAX_EMERGENCY_OPENINGS; ++k) {
                uint256 e = log >> (k << 6);
                uint256 start = e & _START_MASK;
                if (start == 0) {
                    if (oldestStart != 0) (slot, oldestStart) = (k, 0);
                    continue;
                }
                uint256 end = start + ((e >> 40) & _LENGTH_MASK);
                // A live access (replaced by this one) counts until now; a suspension cut any older one short.
                if (end > block.timestamp) end = block.timestamp;
                if (start <= suspendedAt && end > suspendedAt) end = suspendedAt;
                if (e & _BY_PATIENT != 0 && end + EMERGENCY_COOLDOWN > block.timestamp) {
                    revert EmergencyCoolingDown(patient, msg.sender, end + EMERGENCY_COOLDOWN);
                }
                if (end > windowStart) used += end - (start > windowStart ? start : windowStart);
                // A reopening in the same second as the live access simply replaces its entry.
                if (start == liveSince && start == block.timestamp) (slot, oldestStart) = (k, 0);
                if (start < oldestStart) {
                    // An entry may be dropped only once no later window can reach it.
                    if (end + EMERGENCY_WINDOW <= block.timestamp) (slot, oldestStart) = (k, start);
                    else (slot, oldestStart) = (type(uint256).max, start);
                }
                if (liveSince != 0 && start == liveSince) {
                    // Close the live access now: its entry's length becomes the time it ran.
                    log = _setEntry(log, k, start | ((block.timestamp - start) << 40));
                }
            }
        }
    }

    // Spends registrar credit on what this opening needs beyond the allowance, or reverts.
    function _spendCredit(address patient, uint256 used, uint32 duration) private {
        uint256 credit = _emergencyCredit[patient][msg.sender];
        uint256 excess = used + duration - EMERGENCY_ALLOWANCE;
        if (excess > credit) {
            revert EmergencyAllowanceExceeded(patient, msg.sender, used, duration, EMERGENCY_ALLOWANCE + credit);
        }
        // excess <= credit, checked above.
        unchecked {
            _emergencyCredit[patient][msg.sender] = uint32(credit - excess);
        }
    }

    function _setEntry(uint256 log, uint256 k, uint256 entry) private pure returns (uint256) {
        uint256 shift = k << 6;
        return (log & ~(uint256(type(uint64).max) << shift)) | (entry << shift);
    }
}
