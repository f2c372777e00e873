// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IMedVaultConsent} from "../interfaces/IMedVaultConsent.sol";
import {Records} from "./Records.sol";

/// @title Consent
/// @author MedVault
/// @notice Grants, EIP-712 signed grants and revocations, key epochs, access checks.
abstract contract Consent is Records, IMedVaultConsent {
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
    /// @notice Permission: escrow (emergency kit) held by a registrar; never authorises a read or a write.
    uint8 public constant PERMISSION_ESCROW = 3;
    /// @notice Highest purpose code (5 = Other).
    uint8 public constant MAX_PURPOSE = 5;
    /// @notice Most record ids a Records-scoped grant may list.
    uint256 public constant MAX_GRANT_RECORDS = 32;

    /// @notice EIP-712 type hash of a signed grant.
    bytes32 public constant GRANT_TYPEHASH = keccak256(
        "GrantConsent(address patient,address grantee,uint8 scope,uint32 categoryMask,uint32[] recordIds,"
        "uint8 permission,uint40 expiry,uint8 purpose,bytes32 keyShareDigest,uint32 nonce,uint256 deadline)"
    );
    /// @notice EIP-712 type hash of a signed revocation.
    bytes32 public constant REVOKE_TYPEHASH =
        keccak256("RevokeConsent(address patient,address grantee,uint32 nonce,uint256 deadline)");


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
        DeviceCategoryNotAllowed,
        EscrowOnly
    }

    /// @dev A reader's resolved standing towards one patient, computed once per session.
    struct ReadAuth {
        Denial denial;
        bool emergency;
        bool all;
        uint8 scope;
        uint32 categoryMask;
        uint40 expiry;
        uint48 scopeId;
    }

    /// @dev One word per (patient, grantee): the grant, the same clinician's emergency access and the pair's
    /// signature nonce, so a read check loads one slot for all and a grant or revoke bumps the nonce at no
    /// extra slot. Bits: scope [0,8) | permission [8,16) | purpose [16,24) | categoryMask [24,56) |
    /// expiry [56,96) | emergencyUntil [96,136) | emergencyOpenedAt [136,176) | scopeId [176,224) |
    /// nonce [224,256). Packed by hand so a grant or a revoke is one SLOAD and one SSTORE (a struct
    /// assignment re-reads and re-writes the slot per field); permission 0 means no grant.
    mapping(address patient => mapping(address grantee => uint256 access)) private _access;
    /// @dev Records-scope bitmaps keyed by a never-reused scope id, so replacing or revoking a grant
    /// needs no loop to clear the old ids: the new grant simply points elsewhere.
    mapping(uint48 scopeId => mapping(uint256 word => uint256 bits)) private _scopedRecords;
    /// @dev uint32 epochs, 8 per slot (category c at bits [32(c % 8), 32(c % 8) + 32) of word c / 8),
    /// which is how Solidity lays out a uint32[32]; a rotation touches only the words it rotates.
    mapping(address patient => uint256[4] words) private _keyEpochs;
    uint48 private _lastScopeId;

    uint256 private constant _EMERGENCY_BITS = ((uint256(1) << 80) - 1) << 96;
    uint256 private constant _NONCE_SHIFT = 224;

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
                    _nonceOf(_access[patient][terms.grantee]),
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
        bytes32 structHash = keccak256(
            abi.encode(REVOKE_TYPEHASH, patient, grantee, _nonceOf(_access[patient][grantee]), deadline)
        );
        _checkSignature(patient, structHash, signature);
        _doRevoke(patient, grantee);
    }

    /// @inheritdoc IMedVaultConsent
    function cancelSignatures(address grantee) external {
        uint256 a = _access[msg.sender][grantee];
        _access[msg.sender][grantee] = _withNextNonce(a, a);
        emit SignaturesCancelled(msg.sender, grantee, uint256(_nonceOf(a)) + 1);
    }

    /// @inheritdoc IMedVaultConsent
    function rotateKeys(uint32 categoryMask) external onlyRegisteredPatient {
        if (categoryMask == 0) revert EmptyCategoryMask();
        uint256[4] storage words = _keyEpochs[msg.sender];
        for (uint256 w; w < 4; ++w) {
            uint256 bits = (categoryMask >> (w << 3)) & 0xff;
            if (bits == 0) continue;
            uint256 word = words[w];
            for (uint256 i; i < 8; ++i) {
                if ((bits >> i) & 1 == 0) continue;
                uint256 shift = i << 5;
                if ((word >> shift) & 0xffffffff == 0xffffffff) revert KeyEpochOverflow(uint8((w << 3) | i));
                // The epoch is below 2^32 - 1 (checked above), so adding one cannot carry into the next one.
                unchecked {
                    word += uint256(1) << shift;
                }
            }
            words[w] = word;
        }
        emit KeysRotated(msg.sender, categoryMask);
    }

    // ── views ───────────────────────────────────────────────────────────

    /// @inheritdoc IMedVaultConsent
    function keyEpochs(address patient) external view returns (uint32[32] memory epochs) {
        uint256[4] storage words = _keyEpochs[patient];
        for (uint256 c; c < MAX_CATEGORIES; ++c) {
            epochs[c] = uint32(words[c >> 3] >> ((c & 7) << 5));
        }
    }

    /// @inheritdoc IMedVaultConsent
    function consentNonce(address patient, address grantee) external view returns (uint256) {
        return _nonceOf(_access[patient][grantee]);
    }

    /// @inheritdoc IMedVaultConsent
    function getGrant(
        address patient,
        address grantee
    ) external view returns (uint8 scope, uint32 categoryMask, uint8 permission, uint40 expiry, uint8 purpose) {
        uint256 a = _access[patient][grantee];
        return (uint8(a), uint32(a >> 24), uint8(a >> 8), uint40(a >> 56), uint8(a >> 16));
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
        uint8 permission = t.permission;
        if (permission == 0 || permission > PERMISSION_ESCROW) revert InvalidPermission(permission);
        // Anchoring checks categories, so a write over single records could never be used: refuse it.
        if (permission == PERMISSION_READ_WRITE && t.scope == SCOPE_RECORDS) {
            revert RecordsScopeCannotWrite(t.scope, permission);
        }
        // The role is read only for an escrow, so ordinary grants do not pay for it.
        if (permission == PERMISSION_ESCROW && !hasRole(REGISTRAR_ROLE, grantee)) revert EscrowNeedsRegistrar(grantee);
        if (t.purpose > MAX_PURPOSE) revert InvalidPurpose(t.purpose);
        if (t.expiry <= block.timestamp) revert ExpiryNotInFuture(t.expiry, block.timestamp);
        uint48 scopeId = _storeScope(patient, t.scope, t.categoryMask, t.recordIds);
        uint256 old = _access[patient][grantee];
        uint256 grant = uint256(t.scope) |
            (uint256(permission) << 8) |
            (uint256(t.purpose) << 16) |
            (uint256(t.categoryMask) << 24) |
            (uint256(t.expiry) << 56) |
            (old & _EMERGENCY_BITS) |
            (uint256(scopeId) << 176);
        _access[patient][grantee] = _withNextNonce(grant, old);
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
    ) private returns (uint48 scopeId) {
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

    // Ends the grant and any live emergency access of `grantee`; only the nonce survives, so signatures
    // made before stay spent.
    function _doRevoke(address patient, address grantee) private {
        uint256 a = _access[patient][grantee];
        bool hadGrant = uint8(a >> 8) != 0;
        uint40 openedAt = uint40(a >> 136);
        // The suspension time is read only when an emergency end time is still ahead.
        bool emergency = block.timestamp < uint40(a >> 96) && _emergencyAlive(grantee, openedAt);
        if (!hadGrant && !emergency) revert NoGrant(patient, grantee);
        _access[patient][grantee] = _withNextNonce(0, a);
        if (hadGrant) emit ConsentRevoked(patient, grantee);
        if (emergency) _closeEmergency(patient, grantee, openedAt, patient);
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
        (ClinicianStatus status, uint40 suspendedAt) = _clinicianStanding(reader);
        if (status != ClinicianStatus.Verified) {
            auth.denial = status == ClinicianStatus.Suspended ? Denial.ClinicianSuspended : Denial.ClinicianNotVerified;
            return auth;
        }
        uint256 a = _access[patient][reader];
        uint8 permission = uint8(a >> 8);
        // Emergency access opened before the clinician's last suspension died with it.
        if (block.timestamp < uint40(a >> 96) && uint40(a >> 136) > suspendedAt) {
            auth.emergency = true;
            auth.all = true;
        } else if (permission == 0) {
            auth.denial = Denial.NoGrant;
        } else if (permission == PERMISSION_ESCROW) {
            auth.denial = Denial.EscrowOnly;
        } else if (block.timestamp >= uint40(a >> 56)) {
            auth.denial = Denial.ConsentExpired;
            auth.expiry = uint40(a >> 56);
        } else {
            auth.all = uint8(a) == SCOPE_ALL;
            auth.scope = uint8(a);
            auth.categoryMask = uint32(a >> 24);
            auth.scopeId = uint48(a >> 176);
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
        (ClinicianStatus status, ) = _clinicianStanding(writer);
        if (status != ClinicianStatus.Verified) {
            if (isDevice) return (Denial.DeviceCategoryNotAllowed, 0);
            return (status == ClinicianStatus.Suspended ? Denial.ClinicianSuspended : Denial.ClinicianNotVerified, 0);
        }
        uint256 a = _access[patient][writer];
        uint8 permission = uint8(a >> 8);
        uint8 scope = uint8(a);
        if (permission == 0) return (Denial.NoGrant, 0);
        if (permission == PERMISSION_ESCROW) return (Denial.EscrowOnly, 0);
        if (block.timestamp >= uint40(a >> 56)) return (Denial.ConsentExpired, uint40(a >> 56));
        if (permission != PERMISSION_READ_WRITE) return (Denial.WriteNotPermitted, 0);
        bool inScope = scope == SCOPE_ALL || (scope == SCOPE_CATEGORIES && (uint32(a >> 24) >> category) & 1 != 0);
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
        if (denial == Denial.EscrowOnly) revert EscrowNeverAuthorises(patient, actor);
        revert DeviceCategoryNotAllowed(actor, category);
    }

    // `fields` (nonce bits clear) with the pair's nonce taken from `old` and advanced by one.
    function _withNextNonce(uint256 fields, uint256 old) private pure returns (uint256) {
        // 2^32 consent changes of one pair would take 2^32 transactions, so the nonce cannot wrap
        // in practice; the shift drops the carry anyway instead of reverting.
        unchecked {
            return fields | (((old >> _NONCE_SHIFT) + 1) << _NONCE_SHIFT);
        }
    }

    function _nonceOf(uint256 a) private pure returns (uint32) {
        return uint32(a >> _NONCE_SHIFT);
    }

    // Whether emergency access opened at `openedAt` survived the clinician's last suspension.
    function _emergencyAlive(address clinician, uint40 openedAt) internal view returns (bool) {
        (, uint40 suspendedAt) = _clinicianStanding(clinician);
        return openedAt > suspendedAt;
    }

    // The end time of `clinician`'s live emergency access to `patient` (with its opening time), or 0.
    function _liveEmergency(address patient, address clinician) internal view returns (uint40 until, uint40 openedAt) {
        uint256 a = _access[patient][clinician];
        (until, openedAt) = (uint40(a >> 96), uint40(a >> 136));
        if (block.timestamp >= until || !_emergencyAlive(clinician, openedAt)) return (0, 0);
    }

    function _setEmergency(address patient, address clinician, uint40 until, uint40 openedAt) internal {
        uint256 a = _access[patient][clinician];
        _access[patient][clinician] = (a & ~_EMERGENCY_BITS) | (uint256(until) << 96) | (uint256(openedAt) << 136);
    }

    // Whether `registrar` holds a live escrow (emergency kit) from `patient`.
    function _holdsEscrow(address patient, address registrar) internal view returns (bool) {
        uint256 a = _access[patient][registrar];
        return uint8(a >> 8) == PERMISSION_ESCROW && block.timestamp < uint40(a >> 56);
    }

    // Records in the emergency log that the live access opened at `openedAt` ended now, by `endedBy`.
    function _closeEmergency(address patient, address clinician, uint40 openedAt, address endedBy) internal virtual;
}
