// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMedVaultRecords} from "../interfaces/IMedVaultRecords.sol";
import {Roles} from "./Roles.sol";

/// @title Records
/// @author MedVault
/// @notice CID anchors, a packed per-patient category index, erasure.
abstract contract Records is Roles, IMedVaultRecords {
    /// @notice Category ids are below this, so a set of categories fits a uint32 mask.
    uint8 public constant MAX_CATEGORIES = 32;
    /// @notice The category devices write (device readings).
    uint8 public constant DEVICE_CATEGORY = 6;
    /// @notice Record flag: the CID's codec is dag-pb (a UnixFS DAG); clear means raw.
    uint8 public constant FLAG_DAG_PB = 0x02;
    /// @notice Record flag set by markErased; never settable by anchorRecord.
    uint8 public constant FLAG_ERASED = 0x40;
    /// @notice Flags a writer may set.
    uint8 public constant RECORD_FLAGS_MASK = 0x3f;

    /// @dev Internal-only flag marking an index entry as used, so existence needs no extra read.
    uint8 private constant _FLAG_EXISTS = 0x80;

    /// @dev One slot per record: the CID digest is the only per-record datum the contract must keep.
    mapping(address patient => mapping(uint256 recordId => bytes32 cidDigest)) private _cidDigests;
    /// @dev 16-bit entries (category | flags << 8), 16 per slot, so a session over n records reads n/16 slots.
    mapping(address patient => mapping(uint256 word => uint256 entries)) private _recordIndex;

    /// @inheritdoc IMedVaultRecords
    function anchorRecord(
        address patient,
        bytes32 cidDigest,
        uint8 category,
        uint8 flags,
        uint32 supersedes
    ) external returns (uint32 recordId) {
        if (cidDigest == 0) revert EmptyCid();
        if (category >= MAX_CATEGORIES) revert InvalidCategory(category);
        if (flags & ~RECORD_FLAGS_MASK != 0) revert InvalidFlags(flags);
        PatientState memory state = _patientState(patient);
        if (!state.registered) revert PatientNotRegistered(patient);
        if (supersedes != 0) _checkSupersedes(patient, supersedes, category);
        if (msg.sender != patient) _checkWrite(msg.sender, patient, category);
        return _doAnchor(patient, state.recordCount, cidDigest, category, flags, supersedes);
    }

    /// @inheritdoc IMedVaultRecords
    function markErased(uint32 recordId) external {
        uint256 entry = _recordEntry(msg.sender, recordId);
        if (entry == 0) revert RecordNotFound(msg.sender, recordId);
        if (entry & (uint256(FLAG_ERASED) << 8) != 0) revert RecordIsErased(msg.sender, recordId);
        _recordIndex[msg.sender][recordId >> 4] |= uint256(FLAG_ERASED) << (8 + _entryShift(recordId));
        emit RecordErased(msg.sender, recordId);
    }

    /// @inheritdoc IMedVaultRecords
    function recordCount(address patient) external view returns (uint32) {
        return _patientState(patient).recordCount;
    }

    /// @inheritdoc IMedVaultRecords
    function getRecord(
        address patient,
        uint32 recordId
    ) external view returns (bytes32 cidDigest, uint8 category, uint8 flags) {
        uint256 entry = _recordEntry(patient, recordId);
        if (entry == 0) revert RecordNotFound(patient, recordId);
        return (_cidDigests[patient][recordId], uint8(entry), uint8(entry >> 8) & ~_FLAG_EXISTS);
    }

    function _doAnchor(
        address patient,
        uint32 count,
        bytes32 cidDigest,
        uint8 category,
        uint8 flags,
        uint32 supersedes
    ) private returns (uint32 recordId) {
        recordId = count + 1;
        _setRecordCount(patient, recordId);
        _cidDigests[patient][recordId] = cidDigest;
        uint256 entry = uint256(category) | (uint256(flags | _FLAG_EXISTS) << 8);
        _recordIndex[patient][recordId >> 4] |= entry << _entryShift(recordId);
        emit RecordAnchored(patient, recordId, msg.sender, cidDigest, category, flags, supersedes);
    }

    // A new version replaces only a live record of the same patient and category, so a writer allowed
    // one category (a device, a lab) cannot hide another category's record behind its own.
    function _checkSupersedes(address patient, uint32 supersedes, uint8 category) private view {
        uint256 entry = _recordEntry(patient, supersedes);
        if (entry == 0) revert RecordNotFound(patient, supersedes);
        if (_isErasedEntry(entry)) revert RecordIsErased(patient, supersedes);
        if (uint8(entry) != category) revert SupersedesOtherCategory(patient, supersedes, uint8(entry), category);
    }

    // The 16-bit index entry of a record, 0 when it does not exist.
    function _recordEntry(address patient, uint32 recordId) internal view returns (uint256) {
        return _entryOf(_recordIndex[patient][recordId >> 4], recordId);
    }

    // The index slot holding `recordId`'s entry (callers cache it across consecutive ids).
    function _recordWord(address patient, uint32 recordId) internal view returns (uint256) {
        return _recordIndex[patient][recordId >> 4];
    }

    function _entryOf(uint256 word, uint32 recordId) internal pure returns (uint256) {
        return (word >> _entryShift(recordId)) & 0xffff;
    }

    function _isErasedEntry(uint256 entry) internal pure returns (bool) {
        return entry & (uint256(FLAG_ERASED) << 8) != 0;
    }

    function _entryShift(uint32 recordId) private pure returns (uint256) {
        return uint256(recordId & 15) << 4;
    }

    // Reverts unless `writer` (not the patient) may anchor a `category` record for `patient`.
    function _checkWrite(address writer, address patient, uint8 category) internal view virtual;
}
