// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IMedVaultConsent} from "../interfaces/IMedVaultConsent.sol";
import {Records} from "./Records.sol";

/// @title Consent
/// @author MedVault
/// @notice Grants, EIP-712 signed grants and revocations, key epochs, access checks.
abstract contract Consent is Records, EIP712, Nonces, IMedVaultConsent {
    /// @notice Scope: every record of the patient.
    uint8 public constant SCOPE_ALL = 0;
    /// @notice Scope: the records whose category is in the grant's category mask.
    uint8 public constant SCOPE_CATEGORIES = 1;
    /// @notice Scope: the record ids listed in the grant.
    uint8 public constant SCOPE_RECORDS = 2;
    /// @notice Permission: read.
    uint8 public constant PERMISSION_READ = 1;
    /// @notice Permission: read, and anchor records in the scope's categories.
    uint8 public constant PERMISSION_READ_WRITE = 2;
    /// @notice Highest purpose code (5 = Other).
    uint8 public constant MAX_PURPOSE = 5;
    /// @notice Most record ids a Records-scoped grant may list.
    uint256 public constant MAX_GRANT_RECORDS = 32;

    /// @notice EIP-712 type hash of a signed grant.
    bytes32 public constant GRANT_TYPEHASH = keccak256(
        "GrantConsent(address patient,address grantee,uint8 scope,uint32 categoryMask,uint32[] recordIds,"
        "uint8 permission,uint40 expiry,uint8 purpose,bytes32 keyShareDigest,uint256 nonce,uint256 deadline)"
    );
    /// @notice EIP-712 type hash of a signed revocation.
    bytes32 public constant REVOKE_TYPEHASH =
        keccak256("RevokeConsent(address patient,address grantee,uint256 nonce,uint256 deadline)");

    /// @dev A grant and the same clinician's emergency access share one slot, so a read check loads one
    /// slot for both; `permission` 0 means no grant.
    struct Access {
        uint8 scope;
        uint8 permission;
        uint8 purpose;
        uint32 categoryMask;
        uint40 expiry;
        uint40 emergencyUntil;
        uint64 scopeId;
    }

    /// @dev Why a read or write is refused; `None` = allowed. Shared by the bool views, checkRead,
    /// anchorRecord and openAccessSession so they cannot disagree.
    enum Denial {
        None,
        ClinicianNotVerified,
        ClinicianSuspended,
        NoGrant,
        ConsentExpired,
        OutOfScope,
        RecordNotFound,
        RecordIsErased,
        WriteNotPermitted,
        CategoryOutOfScope,
        DeviceCategoryNotAllowed
    }

    /// @dev A reader's resolved standing towards one patient, computed once per session.
    struct ReadAuth {
        Denial denial;
        bool emergency;
        bool all;
        uint8 scope;
        uint32 categoryMask;
        uint40 expiry;
        uint64 scopeId;
    }

    mapping(address patient => mapping(address grantee => Access)) private _access;
    /// @dev Records-scope bitmaps keyed by a never-reused scope id, so replacing or revoking a grant
    /// needs no loop to clear the old ids: the new grant simply points elsewhere.
    mapping(uint64 scopeId => mapping(uint256 word => uint256 bits)) private _scopedRecords;
    mapping(address patient => bytes32 epochs) private _keyEpochs;
    uint64 private _lastScopeId;

    // ── grants ──────────────────────────────────────────────────────────

    /// @inheritdoc IMedVaultConsent
    function grantConsent(GrantTerms calldata terms) external {
        _doGrant(msg.sender, terms);
    }

    /// @inheritdoc IMedVaultConsent
    function grantConsentBySig(
        address patient,
        GrantTerms calldata terms,
        uint256 deadline,
        bytes calldata signature
    ) external {
        _checkDeadline(deadline);
        bytes32 structHash = keccak256(
            bytes.concat(
                abi.encode(
                    GRANT_TYPEHASH,
                    patient,
                    terms.grantee,
                    terms.scope,
                    terms.categoryMask,
                    keccak256(abi.encodePacked(terms.recordIds))
                ),
                abi.encode(
                    terms.permission,
                    terms.expiry,
                    terms.purpose,
                    terms.keyShareDigest,
                    _useNonce(patient),
                    deadline
                )
            )
        );
        _checkSignature(patient, structHash, signature);
        _doGrant(patient, terms);
    }

    /// @inheritdoc IMedVaultConsent
    function revokeConsent(address grantee) external {
        _doRevoke(msg.sender, grantee);
    }

    /// @inheritdoc IMedVaultConsent
    function revokeConsentBySig(
        address patient,
        address grantee,
        uint256 deadline,
        bytes calldata signature
    ) external {
        _checkDeadline(deadline);
        bytes32 structHash = keccak256(abi.encode(REVOKE_TYPEHASH, patient, grantee, _useNonce(patient), deadline));
        _checkSignature(patient, structHash, signature);
        _doRevoke(patient, grantee);
    }

    /// @inheritdoc IMedVaultConsent
    function rotateKeys(uint32 categoryMask) external onlyRegisteredPatient {
        if (categoryMask == 0) revert EmptyCategoryMask();
        uint256 epochs = uint256(_keyEpochs[msg.sender]);
        for (uint256 c; c < MAX_CATEGORIES; ++c) {
            if ((categoryMask >> c) & 1 == 0) continue;
            uint256 shift = c << 3;
            if ((epochs >> shift) & 0xff == 0xff) revert KeyEpochOverflow(uint8(c));
            // The byte is below 0xff (checked above), so adding one cannot carry into the next category.
            unchecked {
                epochs += uint256(1) << shift;
            }
        }
        _keyEpochs[msg.sender] = bytes32(epochs);
        emit KeysRotated(msg.sender, categoryMask, bytes32(epochs));
    }

    // ── views ───────────────────────────────────────────────────────────

    /// @inheritdoc IMedVaultConsent
    function keyEpochs(address patient) external view returns (bytes32) {
        return _keyEpochs[patient];
    }

    /// @inheritdoc IMedVaultConsent
    function getGrant(
        address patient,
        address grantee
    ) external view returns (uint8 scope, uint32 categoryMask, uint8 permission, uint40 expiry, uint8 purpose) {
        Access memory a = _access[patient][grantee];
        return (a.scope, a.categoryMask, a.permission, a.expiry, a.purpose);
    }

    /// @inheritdoc IMedVaultConsent
    function canRead(address reader, address patient, uint32 recordId) external view returns (bool) {
        return _readDenial(reader, patient, recordId) == Denial.None;
    }

    /// @inheritdoc IMedVaultConsent
    function checkRead(address reader, address patient, uint32 recordId) external view {
        ReadAuth memory auth = _readAuth(reader, patient);
        if (auth.denial != Denial.None) _revertDenial(auth.denial, reader, patient, recordId, auth.expiry, 0);
        Denial denial = _recordDenial(auth, _recordEntry(patient, recordId), recordId);
        if (denial != Denial.None) _revertDenial(denial, reader, patient, recordId, 0, 0);
    }

    /// @inheritdoc IMedVaultConsent
    function canWrite(address writer, address patient, uint8 category) external view returns (bool) {
        if (category >= MAX_CATEGORIES || !_patientState(patient).registered) return false;
        if (writer == patient) return true;
        (Denial denial, ) = _writeDenial(writer, patient, category);
        return denial == Denial.None;
    }

    // ── internal ────────────────────────────────────────────────────────

    // No registration check: a grant only ever covers the granting account's own records, which
    // cannot exist before it registers, and the check's cold read would cost 2,100 gas per grant.
    function _doGrant(address patient, GrantTerms calldata t) private {
        address grantee = t.grantee;
        if (grantee == address(0) || grantee == patient) revert InvalidGrantee(grantee);
        if (t.permission != PERMISSION_READ && t.permission != PERMISSION_READ_WRITE) {
            revert InvalidPermission(t.permission);
        }
        if (t.purpose > MAX_PURPOSE) revert InvalidPurpose(t.purpose);
        if (t.expiry <= block.timestamp) revert ExpiryNotInFuture(t.expiry, block.timestamp);
        uint64 scopeId = _storeScope(patient, t.scope, t.categoryMask, t.recordIds);
        Access storage slot = _access[patient][grantee];
        _access[patient][grantee] = Access(
            t.scope,
            t.permission,
            t.purpose,
            t.categoryMask,
            t.expiry,
            slot.emergencyUntil,
            scopeId
        );
        emit ConsentGranted(
            patient,
            grantee,
            t.scope,
            t.categoryMask,
            t.recordIds,
            t.permission,
            t.expiry,
            t.purpose,
            t.keyShareDigest
        );
    }

    // Validates a scope; for a Records scope, stores its bitmap under a fresh scope id.
    function _storeScope(
        address patient,
        uint8 scope,
        uint32 categoryMask,
        uint32[] calldata recordIds
    ) private returns (uint64 scopeId) {
        uint256 n = recordIds.length;
        if (scope != SCOPE_RECORDS) {
            if (scope > SCOPE_RECORDS) revert InvalidScope(scope);
            if (n != 0) revert ScopeMismatch(scope, n);
            if ((scope == SCOPE_CATEGORIES) != (categoryMask != 0)) revert InvalidCategoryMask(scope, categoryMask);
            return 0;
        }
        if (categoryMask != 0) revert InvalidCategoryMask(scope, categoryMask);
        if (n == 0) revert ScopeMismatch(scope, 0);
        if (n > MAX_GRANT_RECORDS) revert TooManyRecords(n, MAX_GRANT_RECORDS);
        scopeId = ++_lastScopeId;
        uint32 count = _patientState(patient).recordCount;
        for (uint256 i; i < n; ++i) {
            uint32 id = recordIds[i];
            if (id == 0 || id > count) revert RecordNotFound(patient, id);
            _scopedRecords[scopeId][id >> 8] |= uint256(1) << (id & 255);
        }
    }

    function _doRevoke(address patient, address grantee) private {
        Access storage slot = _access[patient][grantee];
        if (slot.permission == 0) revert NoGrant(patient, grantee);
        // Keeping only a live emergency field lets the slot return to zero (and refund) in the usual case.
        _access[patient][grantee] = Access(0, 0, 0, 0, 0, slot.emergencyUntil, 0);
        emit ConsentRevoked(patient, grantee);
    }

    function _checkDeadline(uint256 deadline) private view {
        if (block.timestamp > deadline) revert SignatureExpired(deadline, block.timestamp);
    }

    function _checkSignature(address patient, bytes32 structHash, bytes calldata signature) private view {
        if (!SignatureChecker.isValidSignatureNow(patient, _hashTypedDataV4(structHash), signature)) {
            revert InvalidSignature(patient);
        }
    }

    // Resolves everything about `reader` towards `patient` that does not depend on the record.
    // Suspension is checked before emergency access and grants, so it blocks both at once.
    function _readAuth(address reader, address patient) internal view returns (ReadAuth memory auth) {
        if (reader == patient) {
            auth.all = true;
            return auth;
        }
        ClinicianStatus status = _clinicianStatus(reader);
        if (status != ClinicianStatus.Verified) {
            auth.denial = status == ClinicianStatus.Suspended ? Denial.ClinicianSuspended : Denial.ClinicianNotVerified;
            return auth;
        }
        Access memory a = _access[patient][reader];
        if (block.timestamp < a.emergencyUntil) {
            auth.emergency = true;
            auth.all = true;
        } else if (a.permission == 0) {
            auth.denial = Denial.NoGrant;
        } else if (block.timestamp >= a.expiry) {
            auth.denial = Denial.ConsentExpired;
            auth.expiry = a.expiry;
        } else {
            auth.all = a.scope == SCOPE_ALL;
            auth.scope = a.scope;
            auth.categoryMask = a.categoryMask;
            auth.scopeId = a.scopeId;
        }
    }

    // Whether a resolved (undenied) reader may read the record whose index entry is `entry`.
    function _recordDenial(ReadAuth memory auth, uint256 entry, uint32 recordId) internal view returns (Denial) {
        if (entry == 0) return Denial.RecordNotFound;
        if (_isErasedEntry(entry)) return Denial.RecordIsErased;
        if (auth.all) return Denial.None;
        bool inScope = auth.scope == SCOPE_CATEGORIES
            ? (auth.categoryMask >> uint8(entry)) & 1 != 0
            : (_scopedRecords[auth.scopeId][recordId >> 8] >> (recordId & 255)) & 1 != 0;
        return inScope ? Denial.None : Denial.OutOfScope;
    }

    function _readDenial(address reader, address patient, uint32 recordId) internal view returns (Denial) {
        ReadAuth memory auth = _readAuth(reader, patient);
        if (auth.denial != Denial.None) return auth.denial;
        return _recordDenial(auth, _recordEntry(patient, recordId), recordId);
    }

    // Why `writer` (not the patient) may not anchor a `category` record for `patient` now.
    function _writeDenial(
        address writer,
        address patient,
        uint8 category
    ) internal view returns (Denial denial, uint40 expiry) {
        address owner = _deviceOwnerOf(writer);
        bool isDevice = owner != address(0) && owner == patient;
        if (isDevice && category == DEVICE_CATEGORY) return (Denial.None, 0);
        // A device that is also a clinician may still write other categories under its grant.
        ClinicianStatus status = _clinicianStatus(writer);
        if (status != ClinicianStatus.Verified) {
            if (isDevice) return (Denial.DeviceCategoryNotAllowed, 0);
            return (status == ClinicianStatus.Suspended ? Denial.ClinicianSuspended : Denial.ClinicianNotVerified, 0);
        }
        Access memory a = _access[patient][writer];
        if (a.permission == 0) return (Denial.NoGrant, 0);
        if (block.timestamp >= a.expiry) return (Denial.ConsentExpired, a.expiry);
        if (a.permission != PERMISSION_READ_WRITE) return (Denial.WriteNotPermitted, 0);
        bool inScope = a.scope == SCOPE_ALL || (a.scope == SCOPE_CATEGORIES && (a.categoryMask >> category) & 1 != 0);
        return (inScope ? Denial.None : Denial.CategoryOutOfScope, 0);
    }

    // Implements Records._checkWrite.
    function _checkWrite(address writer, address patient, uint8 category) internal view override {
        (Denial denial, uint40 expiry) = _writeDenial(writer, patient, category);
        if (denial != Denial.None) _revertDenial(denial, writer, patient, 0, expiry, category);
    }

    // Reverts with the custom error for `denial`; `actor` is the reader or writer.
    function _revertDenial(
        Denial denial,
        address actor,
        address patient,
        uint32 recordId,
        uint40 expiry,
        uint8 category
    ) internal pure {
        if (denial == Denial.ClinicianNotVerified) revert ClinicianNotVerified(actor);
        if (denial == Denial.ClinicianSuspended) revert ClinicianSuspended(actor);
        if (denial == Denial.NoGrant) revert NoGrant(patient, actor);
        if (denial == Denial.ConsentExpired) revert ConsentExpired(patient, actor, expiry);
        if (denial == Denial.OutOfScope) revert OutOfScope(patient, actor, recordId);
        if (denial == Denial.RecordNotFound) revert RecordNotFound(patient, recordId);
        if (denial == Denial.RecordIsErased) revert RecordIsErased(patient, recordId);
        if (denial == Denial.WriteNotPermitted) revert WriteNotPermitted(patient, actor);
        if (denial == Denial.CategoryOutOfScope) revert CategoryOutOfScope(patient, actor, category);
        revert DeviceCategoryNotAllowed(actor, category);
    }

    function _emergencyUntil(address patient, address clinician) internal view returns (uint40) {
        return _access[patient][clinician].emergencyUntil;
    }

    function _setEmergencyUntil(address patient, address clinician, uint40 until) internal {
        _access[patient][clinician].emergencyUntil = until;
    }
}
