// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMedVaultRecords} from "./IMedVaultRecords.sol";

/// @title MedVault consent
/// @author MedVault
/// @notice Only the patient grants, changes or revokes consent over their data: by a transaction,
/// or by an EIP-712 signature (domain "MedVault", version "1", bound to chain id and contract;
/// per-(patient, grantee) nonce `consentNonce(patient, grantee)`; deadline) that anyone may relay.
/// Every consent change of a pair, direct or signed, advances that pair's nonce, so a direct grant or
/// revocation voids the patient's unrelayed signatures for that grantee (cancelSignatures does it
/// alone). A grant names a grantee, a scope (0 All, 1 Categories, 2 Records), a permission (1 Read,
/// 2 ReadWrite, 3 Escrow), an expiry and a purpose (0 Treatment, 1 Consultation, 2 SecondOpinion,
/// 3 Research, 4 Insurance, 5 Other). An Escrow grant (the emergency kit) goes to a registrar only and
/// never authorises a read or a write, whatever its holder becomes later.
/// A grant authorises while `block.timestamp < expiry` and its grantee is a Verified clinician:
/// grants to an unverified grantee are stored but idle until verification; suspension blocks at
/// once and reinstatement restores live grants. Expired, revoked and suspended grants never authorise.
interface IMedVaultConsent is IMedVaultRecords {
    // GrantTerms only travels in calldata (never stored), so slot packing does not apply.
    // solhint-disable gas-struct-packing
    /// @notice The terms of a grant.
    /// @param grantee the clinician (authorises only while Verified)
    /// @param scope 0 All, 1 Categories (`categoryMask`), 2 Records (`recordIds`)
    /// @param categoryMask bit c set = category c (Categories scope; must be 0 otherwise)
    /// @param recordIds 1..MAX_GRANT_RECORDS existing record ids (Records scope), empty otherwise
    /// @param permission 1 Read, 2 ReadWrite (not with a Records scope), 3 Escrow (to a registrar)
    /// @param expiry the grant authorises while block.timestamp < expiry
    /// @param purpose 0..5, see the contract notice
    /// @param keyShareDigest CID digest of the key share wrapped for the grantee (emitted only)
    struct GrantTerms {
        address grantee;
        uint8 scope;
        uint32 categoryMask;
        uint32[] recordIds;
        uint8 permission;
        uint40 expiry;
        uint8 purpose;
        bytes32 keyShareDigest;
    }
    // solhint-enable gas-struct-packing

    /// @notice A patient granted (or changed) a grantee's access.
    /// @param patient the patient
    /// @param grantee the clinician
    /// @param scope 0 All, 1 Categories, 2 Records
    /// @param categoryMask categories in scope (Categories scope)
    /// @param recordIds records in scope (Records scope; empty otherwise)
    /// @param permission 1 Read, 2 ReadWrite, 3 Escrow
    /// @param expiry authorises while block.timestamp < expiry
    /// @param purpose 0..5
    /// @param keyShareDigest CID digest of the key share (category keys wrapped for the grantee)
    event ConsentGranted(
        address indexed patient,
        address indexed grantee,
        uint8 scope,
        uint32 categoryMask,
        uint32[] recordIds,
        uint8 permission,
        uint40 expiry,
        uint8 purpose,
        bytes32 keyShareDigest
    );

    /// @notice A patient revoked a grantee's access.
    /// @param patient the patient
    /// @param grantee the clinician
    event ConsentRevoked(address indexed patient, address indexed grantee);

    /// @notice A patient rotated the key epochs of some categories (each by one; read keyEpochs for the values).
    /// @param patient the patient
    /// @param categoryMask the rotated categories
    event KeysRotated(address indexed patient, uint32 categoryMask);

    /// @notice A patient voided its unrelayed signatures for a grantee.
    /// @param patient the patient
    /// @param grantee the grantee the signatures named
    /// @param nonce the nonce the next signature for this grantee must carry
    event SignaturesCancelled(address indexed patient, address indexed grantee, uint256 nonce);

    /// @notice `grantee` cannot be granted (zero address or the patient itself).
    error InvalidGrantee(address grantee);
    /// @notice `scope` is not 0 (All), 1 (Categories) or 2 (Records).
    error InvalidScope(uint8 scope);
    /// @notice `permission` is not 1 (Read), 2 (ReadWrite) or 3 (Escrow).
    error InvalidPermission(uint8 permission);
    /// @notice A `permission` (ReadWrite) grant cannot have `scope` 2 (Records): writes are checked by category.
    error RecordsScopeCannotWrite(uint8 scope, uint8 permission);
    /// @notice `grantee` is not a registrar, so it cannot hold an escrow grant.
    error EscrowNeedsRegistrar(address grantee);
    /// @notice `grantee` holds only an escrow (emergency kit) from `patient`, which never authorises a read or write.
    error EscrowNeverAuthorises(address patient, address grantee);
    /// @notice `purpose` is above 5 (Other).
    error InvalidPurpose(uint8 purpose);
    /// @notice `categoryMask` is invalid for `scope` (zero for Categories scope, non-zero otherwise).
    error InvalidCategoryMask(uint8 scope, uint32 categoryMask);
    /// @notice `count` record ids were given for `scope` (Records scope needs at least one, others none).
    error ScopeMismatch(uint8 scope, uint256 count);
    /// @notice A record list holds `count` ids, over the bound `max`.
    error TooManyRecords(uint256 count, uint256 max);
    /// @notice `expiry` is not after the current time `nowTime`.
    error ExpiryNotInFuture(uint40 expiry, uint256 nowTime);
    /// @notice `grantee` holds no grant from `patient`.
    error NoGrant(address patient, address grantee);
    /// @notice `grantee`'s grant from `patient` expired at `expiry`.
    error ConsentExpired(address patient, address grantee, uint40 expiry);
    /// @notice Record `recordId` of `patient` is outside `grantee`'s grant.
    error OutOfScope(address patient, address grantee, uint32 recordId);
    /// @notice `grantee`'s grant from `patient` is read-only.
    error WriteNotPermitted(address patient, address grantee);
    /// @notice `category` is outside `grantee`'s write grant from `patient`.
    error CategoryOutOfScope(address patient, address grantee, uint8 category);
    /// @notice `device` may only anchor device readings, not `category`.
    error DeviceCategoryNotAllowed(address device, uint8 category);
    /// @notice The signature is not `patient`'s over this message and nonce.
    error InvalidSignature(address patient);
    /// @notice A key rotation named no category.
    error EmptyCategoryMask();
    /// @notice `category`'s key epoch is already at its maximum (2^32 - 1).
    error KeyEpochOverflow(uint8 category);

    /// @notice Grants (or replaces) the caller's consent for `terms.grantee`; `expiry` must be in the
    /// future. A grant covers only the caller's own records.
    /// @param terms the grant
    function grantConsent(GrantTerms calldata terms) external;

    /// @notice Same as grantConsent, signed by `patient` and relayed by anyone. EIP-712 type:
    /// `GrantConsent(address patient,address grantee,uint8 scope,uint32 categoryMask,uint32[] recordIds,
    /// uint8 permission,uint40 expiry,uint8 purpose,bytes32 keyShareDigest,uint32 nonce,uint256 deadline)`
    /// with `nonce` = consentNonce(patient, terms.grantee).
    /// @param patient the signer, whose consent changes
    /// @param terms the grant
    /// @param deadline last timestamp (inclusive) at which the signature is accepted
    /// @param signature the patient's signature (ECDSA, or ERC-1271 for smart-account patients)
    function grantConsentBySig(
        address patient,
        GrantTerms calldata terms,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Revokes the caller's consent for a grantee, and ends the grantee's live emergency access
    /// to the caller (which then cools down as if the patient had ended it).
    /// @param grantee the clinician (must hold a grant, live or expired, or live emergency access)
    function revokeConsent(address grantee) external;

    /// @notice Same as revokeConsent, signed by `patient` and relayed by anyone. EIP-712 type:
    /// `RevokeConsent(address patient,address grantee,uint32 nonce,uint256 deadline)` with `nonce` =
    /// consentNonce(patient, grantee). A signed revoke that finds nothing to revoke reverts and spends
    /// nothing; the next signature for that grantee (same nonce) or cancelSignatures moves past it.
    /// @param patient the signer, whose consent changes
    /// @param grantee the clinician
    /// @param deadline last timestamp (inclusive) at which the signature is accepted
    /// @param signature the patient's signature
    function revokeConsentBySig(address patient, address grantee, uint256 deadline, bytes calldata signature) external;

    /// @notice Voids the caller's unrelayed signatures (grants and revocations) for `grantee` by advancing
    /// that pair's nonce.
    /// @param grantee the grantee the signatures name
    function cancelSignatures(address grantee) external;

    /// @notice The nonce the next signed grant or revocation of (`patient`, `grantee`) must carry.
    /// @param patient the patient
    /// @param grantee the grantee
    /// @return nonce consent changes of this pair so far (direct, signed and cancellations)
    function consentNonce(address patient, address grantee) external view returns (uint256 nonce);

    /// @notice Increments the caller's key epoch of each category in the mask (after a revocation,
    /// so records written afterwards use keys the revoked grantee never held).
    /// @param categoryMask the categories to rotate (non-zero)
    function rotateKeys(uint32 categoryMask) external;

    /// @notice A patient's key epochs.
    /// @param patient the patient
    /// @return epochs index = category, each epoch 0..2^32-1
    function keyEpochs(address patient) external view returns (uint32[32] memory epochs);

    /// @notice A grant. Record ids of a Records scope are in the `ConsentGranted` event.
    /// @param patient the patient
    /// @param grantee the grantee
    /// @return scope 0 All, 1 Categories, 2 Records
    /// @return categoryMask categories in scope (Categories scope)
    /// @return permission 0 = no grant, 1 Read, 2 ReadWrite, 3 Escrow
    /// @return expiry authorises while block.timestamp < expiry
    /// @return purpose 0..5
    function getGrant(
        address patient,
        address grantee
    ) external view returns (uint8 scope, uint32 categoryMask, uint8 permission, uint40 expiry, uint8 purpose);

    /// @notice Whether a reader may read a patient's record now: the patient itself, a verified clinician
    /// with live emergency access, or one with a live grant covering the record; the record must exist
    /// and not be erased. The storage service calls this.
    /// @param reader the account asking
    /// @param patient the record's patient
    /// @param recordId the record
    /// @return allowed true when openAccessSession by `reader` over this record would succeed now
    function canRead(address reader, address patient, uint32 recordId) external view returns (bool allowed);

    /// @notice Reverts with the custom error naming what is missing when canRead would be false.
    /// @param reader the account asking
    /// @param patient the record's patient
    /// @param recordId the record
    function checkRead(address reader, address patient, uint32 recordId) external view;

    /// @notice Whether a writer may anchor a record of a category for a patient now.
    /// @param writer the account asking
    /// @param patient the (registered) patient
    /// @param category the record category
    /// @return allowed true when anchorRecord by `writer` with this category would be authorised now
    function canWrite(address writer, address patient, uint8 category) external view returns (bool allowed);
}
