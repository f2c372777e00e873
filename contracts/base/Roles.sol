// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IMedVaultRoles} from "../interfaces/IMedVaultRoles.sol";

/// @title Roles
/// @author MedVault
/// @notice Admin → registrars → clinicians; patients and their encryption keys; devices.
abstract contract Roles is AccessControl, IMedVaultRoles {
    /// @notice Role of hospital registrars, who verify, suspend and reinstate clinicians.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @notice Upper bound (bytes) of free-text arguments: names, device labels, emergency reasons.
    uint256 public constant MAX_TEXT_LENGTH = 256;

    /// @dev Registration flag and record counter share one slot so anchorRecord reads and writes one slot.
    struct PatientState {
        bool registered;
        uint32 recordCount;
    }

    /// @dev Status sits alone in its slot's low byte: the access checks read only this slot.
    struct Clinician {
        ClinicianStatus status;
        bytes32 licenceId;
        bytes32 nameHash;
    }

    mapping(address patient => PatientState) private _patients;
    mapping(address account => bytes32 key) private _encryptionKeys;
    mapping(address clinician => Clinician) private _clinicians;
    mapping(address device => address patient) private _deviceOwners;

    modifier onlyRegisteredPatient() {
        _checkRegisteredPatient(msg.sender);
        _;
    }

    constructor(address admin) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

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
        if (licenceId == 0) revert EmptyLicenceId(clinician);
        _checkTextLength(bytes(name).length);
        bytes32 expected = keccak256(bytes(name));
        if (nameHash != expected) revert NameHashMismatch(nameHash, expected);
        if (_clinicians[clinician].status != ClinicianStatus.None) revert ClinicianAlreadyVerified(clinician);
        _clinicians[clinician] = Clinician(ClinicianStatus.Verified, licenceId, nameHash);
        emit ClinicianVerified(clinician, msg.sender, licenceId, nameHash, name);
    }

    /// @inheritdoc IMedVaultRoles
    function suspendClinician(address clinician) external onlyRole(REGISTRAR_ROLE) {
        _checkVerifiedClinician(clinician);
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
    function registerDevice(address device, string calldata label) external onlyRegisteredPatient {
        if (device == address(0)) revert ZeroAddress();
        if (device == msg.sender) revert InvalidDevice(device);
        _checkTextLength(bytes(label).length);
        address owner = _deviceOwners[device];
        if (owner != address(0)) revert DeviceAlreadyRegistered(device, owner);
        _deviceOwners[device] = msg.sender;
        emit DeviceRegistered(msg.sender, device, label);
    }

    /// @inheritdoc IMedVaultRoles
    function revokeDevice(address device) external {
        if (_deviceOwners[device] != msg.sender) revert NotDeviceOwner(device, msg.sender);
        delete _deviceOwners[device];
        emit DeviceRevoked(msg.sender, device);
    }

    /// @inheritdoc IMedVaultRoles
    function deviceOwner(address device) external view returns (address) {
        return _deviceOwners[device];
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

    function _checkTextLength(uint256 length) internal pure {
        if (length == 0 || length > MAX_TEXT_LENGTH) revert InvalidTextLength(length, MAX_TEXT_LENGTH);
    }

    function _clinicianStatus(address clinician) internal view returns (ClinicianStatus) {
        return _clinicians[clinician].status;
    }

    function _patientState(address patient) internal view returns (PatientState memory) {
        return _patients[patient];
    }

    function _setRecordCount(address patient, uint32 count) internal {
        _patients[patient].recordCount = count;
    }

    function _deviceOwnerOf(address device) internal view returns (address) {
        return _deviceOwners[device];
    }
}
