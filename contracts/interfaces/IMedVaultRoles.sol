// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title MedVault roles
/// @author MedVault
/// @notice Who is who in MedVault. The admin (a multisig in production) appoints registrars
/// (`REGISTRAR_ROLE`); registrars verify, suspend and reinstate clinicians; any account
/// registers itself as a patient with its X25519 encryption public key; a patient registers
/// devices that may anchor device readings (category 6) for that patient only, each with the
/// device key's own EIP-712 signature. The admin role follows OpenZeppelin's
/// AccessControlDefaultAdminRules: one holder, handed over in two steps (begin, then accept
/// after the delay), never renounced without the same schedule.
interface IMedVaultRoles {
    /// @notice A clinician's standing. Only `Verified` clinicians are ever authorised to read or write.
    enum ClinicianStatus {
        None,
        Verified,
        Suspended
    }

    /// @notice A patient registered.
    /// @param patient the new patient (the caller)
    /// @param encryptionKey its X25519 public key
    event PatientRegistered(address indexed patient, bytes32 encryptionKey);

    /// @notice An account published a new encryption public key (patient rotation or a clinician's key).
    /// @param account the caller
    /// @param encryptionKey the new X25519 public key
    event EncryptionKeyChanged(address indexed account, bytes32 encryptionKey);

    /// @notice A registrar verified a clinician.
    /// @param clinician the verified clinician
    /// @param registrar the registrar who verified them
    /// @param licenceId the clinician's licence identifier
    /// @param nameHash keccak256 of `name`'s UTF-8 bytes
    /// @param name the clinician's display name
    event ClinicianVerified(
        address indexed clinician,
        address indexed registrar,
        bytes32 licenceId,
        bytes32 nameHash,
        string name
    );

    /// @notice A registrar suspended (`status` = Suspended) or reinstated (`status` = Verified) a clinician.
    /// A suspension also ends every emergency access the clinician held; reinstatement does not bring it back.
    /// @param clinician the clinician
    /// @param registrar the registrar who acted
    /// @param status the clinician's new status
    event ClinicianStatusChanged(address indexed clinician, address indexed registrar, ClinicianStatus status);

    /// @notice A patient registered a device that may anchor device readings on its behalf.
    /// @param patient the device's owner
    /// @param device the device's address
    /// @param label a human-readable label
    event DeviceRegistered(address indexed patient, address indexed device, string label);

    /// @notice A patient revoked a device; it can no longer anchor records.
    /// @param patient the device's former owner
    /// @param device the device's address
    event DeviceRevoked(address indexed patient, address indexed device);

    /// @notice An address argument was the zero address.
    error ZeroAddress();
    /// @notice An encryption public key was zero.
    error EmptyEncryptionKey();
    /// @notice `patient` is already registered.
    error PatientAlreadyRegistered(address patient);
    /// @notice `patient` has not registered.
    error PatientNotRegistered(address patient);
    /// @notice `clinician` already has a status (Verified or Suspended); use reinstate for a suspended one.
    error ClinicianAlreadyVerified(address clinician);
    /// @notice `clinician` is not a verified clinician.
    error ClinicianNotVerified(address clinician);
    /// @notice `clinician` is suspended: nothing authorises them until a registrar reinstates them.
    error ClinicianSuspended(address clinician);
    /// @notice `clinician` is not suspended, so it cannot be reinstated.
    error ClinicianNotSuspended(address clinician);
    /// @notice The licence id given for `clinician` was zero.
    error EmptyLicenceId(address clinician);
    /// @notice `nameHash` is not keccak256 of the name given (`expected`).
    error NameHashMismatch(bytes32 nameHash, bytes32 expected);
    /// @notice A free-text argument (name, label, reason) is `length` bytes long: empty or over `max`.
    error InvalidTextLength(uint256 length, uint256 max);
    /// @notice `device` is already registered to `patient`.
    error DeviceAlreadyRegistered(address device, address patient);
    /// @notice `device` cannot be a device: it is a registered patient (the caller included) or has a
    /// clinician status.
    error InvalidDevice(address device);
    /// @notice The registration signature is not `device`'s over (device, patient, nonce, deadline).
    error InvalidDeviceSignature(address device);
    /// @notice A registrar tried to verify itself (`registrar`) as a clinician.
    error CannotVerifySelf(address registrar);
    /// @notice `account` holds DEFAULT_ADMIN_ROLE, so it cannot be verified as a clinician.
    error CannotVerifyAdmin(address account);
    /// @notice `account` holds REGISTRAR_ROLE, so it cannot be verified as a clinician.
    error CannotVerifyRegistrar(address account);
    /// @notice The signature's `deadline` passed (current time `nowTime`).
    error SignatureExpired(uint256 deadline, uint256 nowTime);
    /// @notice `device` is not registered to `caller`.
    error NotDeviceOwner(address device, address caller);

    /// @notice Registers the caller as a patient with its X25519 encryption public key.
    /// @param encryptionKey the account's X25519 public key (non-zero)
    function registerPatient(bytes32 encryptionKey) external;

    /// @notice Publishes a new encryption public key for the caller (patient rotation, clinician key).
    /// @param encryptionKey the new X25519 public key (non-zero)
    function setEncryptionKey(bytes32 encryptionKey) external;

    /// @notice The encryption public key an account published.
    /// @param account the account
    /// @return key its X25519 public key, or zero
    function encryptionKeyOf(address account) external view returns (bytes32 key);

    /// @notice Whether an account registered as a patient.
    /// @param account the account
    /// @return registered true once it called registerPatient
    function isPatient(address account) external view returns (bool registered);

    /// @notice Verifies a clinician (registrars only). The clinician must have no status yet, and may
    /// not be the caller, an admin or a registrar: a registrar never becomes a reader by its own hand.
    /// @param clinician the clinician's address (non-zero)
    /// @param licenceId the clinician's licence identifier (non-zero)
    /// @param nameHash keccak256 of `name`
    /// @param name display name, emitted in the event only (1..MAX_TEXT_LENGTH bytes)
    function verifyClinician(address clinician, bytes32 licenceId, bytes32 nameHash, string calldata name) external;

    /// @notice Suspends a verified clinician (registrars only); all their grants stop authorising at once,
    /// and every emergency access they hold ends for good (opened before the suspension = dead).
    /// @param clinician the clinician
    function suspendClinician(address clinician) external;

    /// @notice Reinstates a suspended clinician (registrars only); their live grants authorise again,
    /// emergency access opened before the suspension does not.
    /// @param clinician the clinician
    function reinstateClinician(address clinician) external;

    /// @notice A clinician's status.
    /// @param clinician the clinician
    /// @return status None, Verified or Suspended
    function clinicianStatus(address clinician) external view returns (ClinicianStatus status);

    /// @notice A clinician's record.
    /// @param clinician the clinician
    /// @return status None, Verified or Suspended
    /// @return licenceId the licence identifier given at verification
    /// @return nameHash keccak256 of the display name given at verification
    function getClinician(
        address clinician
    ) external view returns (ClinicianStatus status, bytes32 licenceId, bytes32 nameHash);

    /// @notice Registers a device for the calling (registered) patient, with the device key's consent:
    /// an EIP-712 signature by `device` of `RegisterDevice(address device,address patient,uint256 nonce,
    /// uint256 deadline)` (same domain as consent), `nonce` = deviceNonce(device), which every
    /// registration advances, so a signature cannot re-register a device its patient revoked.
    /// @param device the device's address (non-zero, not registered to anyone, not a patient or clinician)
    /// @param label a human-readable label, emitted in the event only (1..MAX_TEXT_LENGTH bytes)
    /// @param deadline last timestamp (inclusive) at which the signature is accepted
    /// @param signature the device's signature (ECDSA, or ERC-1271 for a contract device)
    function registerDevice(address device, string calldata label, uint256 deadline, bytes calldata signature) external;

    /// @notice Revokes one of the caller's devices.
    /// @param device the device's address
    function revokeDevice(address device) external;

    /// @notice The nonce a device's next registration signature must carry.
    /// @param device the device's address
    /// @return nonce registrations of this device so far
    function deviceNonce(address device) external view returns (uint256 nonce);

    /// @notice The patient a device is registered to.
    /// @param device the device's address
    /// @return patient its owner, or the zero address
    function deviceOwner(address device) external view returns (address patient);
}
