// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IMedVaultRoles} from "../interfaces/IMedVaultRoles.sol";

/// @title Roles
/// @author MedVault
/// @notice Admin → registrars → clinicians; patients and their encryption keys; devices.
abstract contract Roles is AccessControlDefaultAdminRules, EIP712, IMedVaultRoles {
    /// @notice Role of hospital registrars, who verify, suspend and reinstate clinicians.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @notice Upper bound (bytes) of free-text arguments: names, device labels, emergency reasons.
    uint256 public constant MAX_TEXT_LENGTH = 256;
    /// @notice EIP-712 type hash of a device's consent to be registered to a patient.
    bytes32 public constant DEVICE_TYPEHASH =
        keccak256("RegisterDevice(address device,address patient,uint256 nonce,uint256 deadline)");

    /// @dev Registration flag and record counter share one slot so anchorRecord reads and writes one slot.
    struct PatientState {
        bool registered;
        uint32 recordCount;
    }

    /// @dev Status and the last suspension's time share one slot: the access checks read only this slot,
    /// and emergency access opened before `suspendedAt` is dead without a loop over the patients.
    struct Clinician {
        ClinicianStatus status;
        uint40 suspendedAt;
        bytes32 licenceId;
        bytes32 nameHash;
    }

    mapping(address patient => PatientState) private _patients;
    mapping(address account => bytes32 key) private _encryptionKeys;
    mapping(address clinician => Clinician) private _clinicians;
    /// @dev Owner and registration nonce share one slot; revoking keeps the nonce, so an old signature stays spent.
    struct Device {
        address owner;
        uint64 nonce;
    }

    mapping(address device => Device) private _devices;

    modifier onlyRegisteredPatient() {
        _checkRegisteredPatient(msg.sender);
        _;
    }

    constructor(uint48 adminDelay, address admin) AccessControlDefaultAdminRules(adminDelay, admin) {}

    // ── patients ────────────────────────────────────────────────────────

    /// @inheritdoc IMedVaultRoles
    function registerPatient(bytes32 encryptionKey) external {
        if (encryptionKey == 0) revert EmptyEncryptionKey();
        if (_patients[msg.sender].registered) revert PatientAlreadyRegistered(msg.sender);
        _patients[msg.sender].registered = true;
        _encryptionKeys[msg.sender] = encryptionKey;
        emit PatientRegistered(msg.sender, encryptionKey);
    }

    /// @inheritdoc IMedVaultRoles
    function setEncryptionKey(bytes32 encryptionKey) external {
        if (encryptionKey == 0) revert EmptyEncryptionKey();
        _encryptionKeys[msg.sender] = encryptionKey;
        emit EncryptionKeyChanged(msg.sender, encryptionKey);
    }

    /// @inheritdoc IMedVaultRoles
    function encryptionKeyOf(address account) external view returns (bytes32) {
        return _encryptionKeys[account];
    }

    /// @inheritdoc IMedVaultRoles
    function isPatient(address account) external view returns (bool) {
        return _patients[account].registered;
    }

    // ── clinicians ──────────────────────────────────────────────────────

    /// @inheritdoc IMedVaultRoles
    function verifyClinician(
        address clinician,
        bytes32 licenceId,
        bytes32 nameHash,
        string calldata name
    ) external onlyRole(REGISTRAR_ROLE) {
        if (clinician == address(0)) revert ZeroAddress();
        if (clinician == msg.sender) revert CannotVerifySelf(clinician);
        if (hasRole(DEFAULT_ADMIN_ROLE, clinician)) revert CannotVerifyAdmin(clinician);
        if (hasRole(REGISTRAR_ROLE, clinician)) revert CannotVerifyRegistrar(clinician);
        if (licenceId == 0) revert EmptyLicenceId(clinician);
        _checkTextLength(bytes(name).length);
        bytes32 expected = keccak256(bytes(name));
        if (nameHash != expected) revert NameHashMismatch(nameHash, expected);
        if (_clinicians[clinician].status != ClinicianStatus.None) revert ClinicianAlreadyVerified(clinician);
        _clinicians[clinician] = Clinician(ClinicianStatus.Verified, 0, licenceId, nameHash);
        emit ClinicianVerified(clinician, msg.sender, licenceId, nameHash, name);
    }

    /// @inheritdoc IMedVaultRoles
    function suspendClinician(address clinician) external onlyRole(REGISTRAR_ROLE) {
        _checkVerifiedClinician(clinician);
        _clinicians[clinician].suspendedAt = uint40(block.timestamp);
        _setClinicianStatus(clinician, ClinicianStatus.Suspended);
    }

    /// @inheritdoc IMedVaultRoles
    function reinstateClinician(address clinician) external onlyRole(REGISTRAR_ROLE) {
        if (_clinicians[clinician].status != ClinicianStatus.Suspended) revert ClinicianNotSuspended(clinician);
        _setClinicianStatus(clinician, ClinicianStatus.Verified);
    }

    /// @inheritdoc IMedVaultRoles
    function clinicianStatus(address clinician) external view returns (ClinicianStatus) {
        return _clinicians[clinician].status;
    }

    /// @inheritdoc IMedVaultRoles
    function getClinician(
        address clinician
    ) external view returns (ClinicianStatus status, bytes32 licenceId, bytes32 nameHash) {
        Clinician storage c = _clinicians[clinician];
        return (c.status, c.licenceId, c.nameHash);
    }

    // ── devices ─────────────────────────────────────────────────────────

    /// @inheritdoc IMedVaultRoles
    function registerDevice(
        address device,
        string calldata label,
        uint256 deadline,
        bytes calldata signature
    ) external onlyRegisteredPatient {
        if (device == address(0)) revert ZeroAddress();
        // A patient (the caller too) or a clinician is an account of its own, never someone's device.
        if (_patients[device].registered || _clinicians[device].status != ClinicianStatus.None) {
            revert InvalidDevice(device);
        }
        _checkTextLength(bytes(label).length);
        _checkDeadline(deadline);
        Device memory d = _devices[device];
        if (d.owner != address(0)) revert DeviceAlreadyRegistered(device, d.owner);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(DEVICE_TYPEHASH, device, msg.sender, d.nonce, deadline)));
        if (!SignatureChecker.isValidSignatureNow(device, digest, signature)) revert InvalidDeviceSignature(device);
        // A uint64 of registrations of one device cannot overflow: each needs a transaction.
        unchecked {
            _devices[device] = Device(msg.sender, d.nonce + 1);
        }
        emit DeviceRegistered(msg.sender, device, label);
    }

    /// @inheritdoc IMedVaultRoles
    function revokeDevice(address device) external {
        if (_devices[device].owner != msg.sender) revert NotDeviceOwner(device, msg.sender);
        _devices[device].owner = address(0);
        emit DeviceRevoked(msg.sender, device);
    }

    /// @inheritdoc IMedVaultRoles
    function deviceOwner(address device) external view returns (address) {
        return _devices[device].owner;
    }

    /// @inheritdoc IMedVaultRoles
    function deviceNonce(address device) external view returns (uint256) {
        return _devices[device].nonce;
    }

    // ── internal ────────────────────────────────────────────────────────

    function _setClinicianStatus(address clinician, ClinicianStatus status) private {
        _clinicians[clinician].status = status;
        emit ClinicianStatusChanged(clinician, msg.sender, status);
    }

    // Reverts unless `clinician` is Verified, naming why (suspended or never verified).
    function _checkVerifiedClinician(address clinician) internal view {
        ClinicianStatus status = _clinicians[clinician].status;
        if (status == ClinicianStatus.Verified) return;
        if (status == ClinicianStatus.Suspended) revert ClinicianSuspended(clinician);
        revert ClinicianNotVerified(clinician);
    }

    function _checkRegisteredPatient(address patient) internal view {
        if (!_patients[patient].registered) revert PatientNotRegistered(patient);
    }

    function _checkDeadline(uint256 deadline) internal view {
        if (block.timestamp > deadline) revert SignatureExpired(deadline, block.timestamp);
    }

    function _checkTextLength(uint256 length) internal pure {
        if (length == 0 || length > MAX_TEXT_LENGTH) revert InvalidTextLength(length, MAX_TEXT_LENGTH);
    }

    // Status and last suspension time, from the one slot the access checks read.
    function _clinicianStanding(address clinician) internal view returns (ClinicianStatus status, uint40 suspendedAt) {
        Clinician storage c = _clinicians[clinician];
        return (c.status, c.suspendedAt);
    }

    function _patientState(address patient) internal view returns (PatientState memory) {
        return _patients[patient];
    }

    function _setRecordCount(address patient, uint32 count) internal {
        _patients[patient].recordCount = count;
    }

    function _deviceOwnerOf(address device) internal view returns (address) {
        return _devices[device].owner;
    }
}
