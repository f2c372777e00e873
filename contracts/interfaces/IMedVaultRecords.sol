// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMedVaultRoles} from "./IMedVaultRoles.sol";

/// @title MedVault record anchors
/// @author MedVault
/// @notice Each record is the CID of a ciphertext on IPFS, anchored on-chain with its category.
/// Record ids are per patient and start at 1 (0 means "none"). Nothing is deleted: a new version
/// supersedes an old one, and a patient can mark a record erased (its keys are dropped off-chain).
/// Author, time and the superseded record are in the `RecordAnchored` event, which is what indexers
/// and the app's records list read; list a patient's records by filtering that event on `patient`.
interface IMedVaultRecords is IMedVaultRoles {
    /// @notice A record was anchored (time: the block's).
    /// @param patient whose record it is
    /// @param recordId its id (per patient, from 1)
    /// @param author who anchored it: the patient, one of its devices or a clinician with write consent
    /// @param cidDigest sha2-256 digest of the ciphertext's CIDv1
    /// @param category the record's category (< 32)
    /// @param flags caller flags (0x02 = dag-pb codec, clear = raw)
    /// @param supersedes the record this version replaces, or 0
    event RecordAnchored(
        address indexed patient,
        uint32 indexed recordId,
        address indexed author,
        bytes32 cidDigest,
        uint8 category,
        uint8 flags,
        uint32 supersedes
    );

    /// @notice A patient marked a record erased; it authorises no reads from now on.
    /// @param patient whose record it is
    /// @param recordId the erased record
    event RecordErased(address indexed patient, uint32 indexed recordId);

    /// @notice The CID digest was zero.
    error EmptyCid();
    /// @notice `category` is not below 32.
    error InvalidCategory(uint8 category);
    /// @notice `flags` sets bits outside the caller-settable mask (0x3f).
    error InvalidFlags(uint8 flags);
    /// @notice `patient` has no record `recordId`.
    error RecordNotFound(address patient, uint32 recordId);
    /// @notice Record `recordId` of `patient` is erased.
    error RecordIsErased(address patient, uint32 recordId);
    /// @notice Record `supersedes` of `patient` is of category `supersededCategory`, so a `category` record
    /// cannot replace it.
    error SupersedesOtherCategory(address patient, uint32 supersedes, uint8 supersededCategory, uint8 category);

    /// @notice Anchors a record for a patient. Allowed for the patient, one of the patient's devices
    /// (category 6 only), or a verified clinician holding a live read+write grant covering `category`.
    /// @param patient whose record it is (registered)
    /// @param cidDigest sha2-256 digest of the ciphertext's CIDv1 (non-zero)
    /// @param category record category (< 32)
    /// @param flags caller flags (mask 0x3f; 0x02 = dag-pb, clear = raw)
    /// @param supersedes the record this one replaces, or 0: an existing, not erased record of the same
    /// patient and the same category (the writer's right to write `category` covers replacing it)
    /// @return recordId the new record's id
    function anchorRecord(
        address patient,
        bytes32 cidDigest,
        uint8 category,
        uint8 flags,
        uint32 supersedes
    ) external returns (uint32 recordId);

    /// @notice Marks one of the caller's records erased (crypto-shredding: keys are dropped off-chain).
    /// @param recordId the record (existing, not yet erased)
    function markErased(uint32 recordId) external;

    /// @notice How many records a patient has.
    /// @param patient the patient
    /// @return count the number of records, which is also the highest record id
    function recordCount(address patient) external view returns (uint32 count);

    /// @notice One record's anchor (reverts RecordNotFound for an unknown id).
    /// @param patient the patient
    /// @param recordId the record
    /// @return cidDigest sha2-256 digest of the ciphertext's CIDv1
    /// @return category the record's category
    /// @return flags caller flags, plus FLAG_ERASED (0x40) once erased
    function getRecord(
        address patient,
        uint32 recordId
    ) external view returns (bytes32 cidDigest, uint8 category, uint8 flags);
}
