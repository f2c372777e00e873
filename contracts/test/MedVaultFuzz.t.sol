// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMedVaultConsent} from "../interfaces/IMedVaultConsent.sol";
import {IMedVaultRoles} from "../interfaces/IMedVaultRoles.sol";
import {MedVaultTestBase} from "./utils/MedVaultTestBase.sol";
import {VM} from "./utils/Vm.sol";

// Foundry's naming (testFuzz_*) is how the runner finds fuzz tests.
// solhint-disable func-name-mixedcase

/// @title MedVaultFuzzTest
/// @author MedVault
/// @notice Fuzzed properties of consent: expired, revoked or suspended grants never authorise;
/// only the patient (or the patient's signature) changes the patient's consent; canRead, checkRead
/// and openAccessSession always agree.
contract MedVaultFuzzTest is MedVaultTestBase {
    /// @notice Fresh vault for every run.
    function setUp() public {
        _deploy();
    }

    /// @notice Property 3: an expired, revoked or suspended grant never authorises, whatever its terms.
    /// @param seed grant terms
    /// @param life seconds the grant lives
    /// @param late seconds past expiry the check happens
    /// @param mode 0 expired, 1 revoked, 2 suspended
    function testFuzz_deadGrantNeverAuthorises(uint256 seed, uint32 life, uint32 late, uint8 mode) public {
        uint40 expiry = uint40(block.timestamp + _bound(life, 1, 365 days));
        VM.prank(patient);
        medVault.grantConsent(_terms(clinician, seed, expiry));

        bytes memory expected;
        mode %= 3;
        if (mode == 0) {
            VM.warp(expiry + _bound(late, 0, 365 days));
            expected = abi.encodeWithSelector(IMedVaultConsent.ConsentExpired.selector, patient, clinician, expiry);
        } else if (mode == 1) {
            VM.prank(patient);
            medVault.revokeConsent(clinician);
            expected = abi.encodeWithSelector(IMedVaultConsent.NoGrant.selector, patient, clinician);
        } else {
            medVault.suspendClinician(clinician);
            expected = abi.encodeWithSelector(IMedVaultRoles.ClinicianSuspended.selector, clinician);
        }
        for (uint32 id = 1; id <= RECORDS; ++id) {
            if (medVault.canRead(clinician, patient, id)) revert PropertyViolated("dead grant authorised a read");
            if (mode != 2 && medVault.canWrite(clinician, patient, uint8(id % 3))) {
                revert PropertyViolated("dead grant authorised a write");
            }
            uint32[] memory ids = new uint32[](1);
            ids[0] = id;
            VM.expectRevert(expected);
            VM.prank(clinician);
            medVault.openAccessSession(patient, ids, 0);
        }
    }

    /// @notice Property 2: nobody but the patient changes the patient's consent, directly or by a
    /// signature; the patient's own signature does.
    /// @param attackerSeed picks the attacker's address
    /// @param seed grant terms the attacker tries to impose
    function testFuzz_onlyThePatientChangesConsent(uint160 attackerSeed, uint256 seed) public {
        address attacker = address(uint160(_bound(attackerSeed, 1, type(uint160).max)));
        VM.assume(attacker != patient);
        uint40 expiry = uint40(block.timestamp + 30 days);
        IMedVaultConsent.GrantTerms memory live = _terms(clinician, 0, expiry); // scope All, Read
        VM.prank(patient);
        medVault.grantConsent(live);

        // Direct calls by anyone else address their own consent only.
        VM.expectRevert(abi.encodeWithSelector(IMedVaultConsent.NoGrant.selector, attacker, clinician));
        VM.prank(attacker);
        medVault.revokeConsent(clinician);

        // A signature by anyone but the patient is refused, for grants and revocations alike.
        IMedVaultConsent.GrantTerms memory evil = _terms(otherClinician, seed, expiry);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory forged = _sign(ATTACKER_KEY, _grantDigest(patient, evil, 0, deadline));
        VM.expectRevert(abi.encodeWithSelector(IMedVaultConsent.InvalidSignature.selector, patient));
        VM.prank(attacker);
        medVault.grantConsentBySig(patient, evil, deadline, forged);
        forged = _sign(ATTACKER_KEY, _revokeDigest(patient, clinician, 0, deadline));
        VM.expectRevert(abi.encodeWithSelector(IMedVaultConsent.InvalidSignature.selector, patient));
        VM.prank(attacker);
        medVault.revokeConsentBySig(patient, clinician, deadline, forged);

        if (!_grantIs(patient, clinician, 0, 0, 1, expiry, 0)) revert PropertyViolated("patient's grant changed");
        (, , uint8 permission, , ) = medVault.getGrant(patient, otherClinician);
        if (permission != 0) revert PropertyViolated("attacker created a grant for the patient");

        // The patient's own signature, relayed by the attacker, does change it.
        bytes memory genuine = _sign(
            PATIENT_KEY,
            _revokeDigest(patient, clinician, medVault.consentNonce(patient, clinician), deadline)
        );
        VM.prank(attacker);
        medVault.revokeConsentBySig(patient, clinician, deadline, genuine);
        if (!_grantIs(patient, clinician, 0, 0, 0, 0, 0)) revert PropertyViolated("signed revocation ignored");
    }

    /// @notice Property: canRead, checkRead and openAccessSession agree for any grant, time, record,
    /// erasure, suspension and emergency state.
    /// @param seed grant terms (bit 60 set: no grant at all)
    /// @param recordSeed the record asked for (0..RECORDS+1, so missing ids too)
    /// @param elapsed seconds after granting
    /// @param flags bit 0 erase the record, bit 1 suspend, bit 2 emergency access, bit 3 the patient reads
    function testFuzz_canReadAgreesWithSession(uint256 seed, uint8 recordSeed, uint32 elapsed, uint8 flags) public {
        uint32 recordId = uint32(recordSeed % (RECORDS + 2));
        uint40 expiry = uint40(block.timestamp + 1 days);
        if ((seed >> 60) & 1 == 0) {
            VM.prank(patient);
            medVault.grantConsent(_terms(clinician, seed, expiry));
        }
        if (flags & 4 != 0) {
            VM.prank(clinician);
            medVault.openEmergencyAccess(patient, "fuzz", 12 hours);
        }
        if (flags & 1 != 0 && recordId >= 1 && recordId <= RECORDS) {
            VM.prank(patient);
            medVault.markErased(recordId);
        }
        if (flags & 2 != 0) medVault.suspendClinician(clinician);
        VM.warp(block.timestamp + _bound(elapsed, 0, 2 days));

        address reader = flags & 8 != 0 ? patient : clinician;
        bool allowed = medVault.canRead(reader, patient, recordId);
        bool checked;
        try medVault.checkRead(reader, patient, recordId) {
            checked = true;
        } catch {
            checked = false;
        }
        if (checked != allowed) revert PropertyViolated("checkRead disagrees with canRead");
        if (_sessionSucceeds(reader, recordId) != allowed) revert PropertyViolated("session disagrees with canRead");
    }

    /// @notice Property (#10): an escrow grant (emergency kit) never authorises a read or a write, whatever
    /// its terms, however long it lives, and whatever its holder is or becomes (a verified clinician
    /// made registrar, then maybe no longer registrar).
    /// @param seed escrow terms
    /// @param elapsed seconds after granting
    /// @param dropRole whether the admin takes the registrar role back afterwards
    function testFuzz_escrowNeverAuthorises(uint256 seed, uint32 elapsed, bool dropRole) public {
        medVault.grantRole(medVault.REGISTRAR_ROLE(), clinician);
        IMedVaultConsent.GrantTerms memory t = _terms(clinician, seed, uint40(block.timestamp + 30 days));
        t.permission = 3;
        VM.prank(patient);
        medVault.grantConsent(t);
        if (dropRole) medVault.revokeRole(medVault.REGISTRAR_ROLE(), clinician);
        VM.warp(block.timestamp + _bound(elapsed, 0, 60 days));
        for (uint32 id = 1; id <= RECORDS; ++id) {
            if (medVault.canRead(clinician, patient, id)) revert PropertyViolated("escrow authorised a read");
            if (_sessionSucceeds(clinician, id)) revert PropertyViolated("escrow authorised a session");
            if (medVault.canWrite(clinician, patient, uint8(id % 3))) revert PropertyViolated("escrow authorised a write");
        }
    }
}
