// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MedVault} from "../../MedVault.sol";
import {IMedVaultConsent} from "../../interfaces/IMedVaultConsent.sol";
import {MedVaultTestBase} from "./MedVaultTestBase.sol";
import {VM} from "./Vm.sol";

/// @title ConsentHandler
/// @author MedVault
/// @notice The actions the invariant fuzzer strings together: the patient grants, revokes and signs;
/// attackers try direct calls and forged signatures; time passes; the registrar suspends and
/// reinstates; the clinician opens sessions. It tracks what the patient's grant to `clinician`
/// must be (the "ghost" grant) and records any disagreement between canRead and a session.
contract ConsentHandler is MedVaultTestBase {
    /// @notice The grant the patient's own actions produced (permission 0 = none).
    IMedVaultConsent.GrantTerms internal ghost;
    /// @notice Whether the registrar has the clinician suspended.
    bool public suspended;
    /// @notice Set when canRead and openAccessSession ever disagreed.
    bool public disagreement;
    /// @notice Set when a dead (expired, revoked, suspended) grant authorised a session.
    bool public deadGrantAuthorised;
    /// @notice Successful sessions, to show the run exercised the positive path too.
    uint256 public sessionsOpened;
    /// @notice Direct calls by others that succeeded (they can only change their own consent).
    uint256 public attackerCallsAccepted;
    /// @notice Direct calls by others that were refused.
    uint256 public attackerCallsRefused;
    /// @notice Forged signatures refused.
    uint256 public forgeriesRefused;

    /// @notice Deploys the vault; the handler is its admin and registrar.
    constructor() {
        _deploy();
    }

    /// @notice The vault under test.
    /// @return the MedVault
    function vault() external view returns (MedVault) {
        return medVault;
    }

    /// @notice The patient and the clinician whose grant the properties follow.
    /// @return the patient
    /// @return the clinician
    function parties() external view returns (address, address) {
        return (patient, clinician);
    }

    /// @notice The ghost grant's stored terms, in getGrant's shape.
    /// @return scope 0 All, 1 Categories, 2 Records
    /// @return categoryMask categories in scope
    /// @return permission 0 none, 1 Read, 2 ReadWrite
    /// @return expiry authorises while block.timestamp < expiry
    /// @return purpose 0..5
    function ghostGrant()
        external
        view
        returns (uint8 scope, uint32 categoryMask, uint8 permission, uint40 expiry, uint8 purpose)
    {
        return (ghost.scope, ghost.categoryMask, ghost.permission, ghost.expiry, ghost.purpose);
    }

    /// @notice The patient grants (or replaces) the clinician's grant.
    /// @param seed grant terms
    /// @param life seconds the grant lives
    function patientGrants(uint256 seed, uint32 life) external {
        IMedVaultConsent.GrantTerms memory t = _terms(clinician, seed, uint40(block.timestamp + _bound(life, 1, 7 days)));
        VM.prank(patient);
        medVault.grantConsent(t);
        ghost = t;
    }

    /// @notice The patient signs a grant and anyone relays it.
    /// @param seed grant terms
    /// @param relayer who relays
    function patientSignsGrant(uint256 seed, address relayer) external {
        IMedVaultConsent.GrantTerms memory t = _terms(clinician, seed, uint40(block.timestamp + 1 days));
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _sign(PATIENT_KEY, _grantDigest(patient, t, medVault.consentNonce(patient, clinician), deadline));
        VM.prank(relayer);
        medVault.grantConsentBySig(patient, t, deadline, sig);
        ghost = t;
    }

    /// @notice The patient revokes, when there is a grant.
    function patientRevokes() external {
        if (ghost.permission == 0) return;
        VM.prank(patient);
        medVault.revokeConsent(clinician);
        delete ghost;
    }

    /// @notice Someone else calls revokeConsent/grantConsent: it can only touch its own consent.
    /// @param attacker the caller
    /// @param seed grant terms
    function attackerCallsDirectly(address attacker, uint256 seed) external {
        if (attacker == patient || attacker == address(0) || attacker == clinician) return;
        VM.prank(attacker);
        try medVault.revokeConsent(clinician) {
            ++attackerCallsAccepted;
        } catch {
            ++attackerCallsRefused;
        }
        VM.prank(attacker);
        try medVault.grantConsent(_terms(otherClinician, seed, uint40(block.timestamp + 1 days))) {
            ++attackerCallsAccepted;
        } catch {
            ++attackerCallsRefused;
        }
    }

    /// @notice An attacker relays grants and revocations it signed itself, in the patient's name.
    /// @param seed grant terms
    function attackerForgesSignatures(uint256 seed) external {
        uint256 deadline = block.timestamp + 1 hours;
        uint256 nonce = medVault.consentNonce(patient, clinician);
        IMedVaultConsent.GrantTerms memory t = _terms(clinician, seed, uint40(block.timestamp + 1 days));
        bytes memory forged = _sign(ATTACKER_KEY, _grantDigest(patient, t, nonce, deadline));
        try medVault.grantConsentBySig(patient, t, deadline, forged) {
            revert PropertyViolated("forged grant accepted");
        } catch {
            ++forgeriesRefused;
        }
        forged = _sign(ATTACKER_KEY, _revokeDigest(patient, clinician, nonce, deadline));
        try medVault.revokeConsentBySig(patient, clinician, deadline, forged) {
            revert PropertyViolated("forged revocation accepted");
        } catch {
            ++forgeriesRefused;
        }
    }

    /// @notice Time passes.
    /// @param by seconds
    function timePasses(uint32 by) external {
        VM.warp(block.timestamp + _bound(by, 1, 3 days));
    }

    /// @notice The registrar suspends or reinstates the clinician.
    function registrarToggles() external {
        if (suspended) medVault.reinstateClinician(clinician);
        else medVault.suspendClinician(clinician);
        suspended = !suspended;
    }

    /// @notice The clinician opens a session over one record (or a missing one).
    /// @param recordSeed the record
    function clinicianOpensSession(uint8 recordSeed) external {
        uint32 id = uint32(recordSeed % (RECORDS + 2));
        bool allowed = medVault.canRead(clinician, patient, id);
        bool ok = _sessionSucceeds(clinician, id);
        if (ok != allowed) disagreement = true;
        bool dead = ghost.permission == 0 || block.timestamp >= ghost.expiry || suspended;
        if (ok && dead) deadGrantAuthorised = true;
        if (ok) ++sessionsOpened;
    }
}
