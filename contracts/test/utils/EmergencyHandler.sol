// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MedVault} from "../../MedVault.sol";
import {MedVaultTestBase} from "./MedVaultTestBase.sol";
import {VM} from "./Vm.sol";

/// @title EmergencyHandler
/// @author MedVault
/// @notice The actions the emergency invariant strings together: the clinician breaks glass for any
/// duration, time passes, the patient ends or revokes, the registrar suspends and reinstates. It keeps
/// every emergency interval as it really ran (ghost), so the invariant can sum any 7-day window.
contract EmergencyHandler is MedVaultTestBase {
    /// @notice One emergency access as it ran: [start, end).
    struct Interval {
        uint256 start;
        uint256 end;
    }

    Interval[] internal ghost;
    /// @notice Whether the registrar has the clinician suspended.
    bool public suspended;
    /// @notice Openings the contract accepted, to show the run exercised the positive path.
    uint256 public openings;

    /// @notice Deploys the vault; the handler is its admin and registrar.
    constructor() {
        _deploy();
    }

    /// @notice The vault under test.
    /// @return the MedVault
    function vault() external view returns (MedVault) {
        return medVault;
    }

    /// @notice How many intervals ran.
    /// @return count the number of intervals
    function intervalCount() external view returns (uint256 count) {
        return ghost.length;
    }

    /// @notice One interval.
    /// @param i its index
    /// @return start when it began
    /// @return end when it ended (or will end)
    function interval(uint256 i) external view returns (uint256 start, uint256 end) {
        return (ghost[i].start, ghost[i].end);
    }

    /// @notice The clinician opens (or re-opens) emergency access for any allowed duration.
    /// @param seconds_ the duration asked for
    function clinicianOpens(uint32 seconds_) external {
        uint32 duration = uint32(_bound(seconds_, 1, 24 hours));
        bool live = medVault.emergencyAccessUntil(patient, clinician) != 0;
        VM.prank(clinician);
        try medVault.openEmergencyAccess(patient, "fuzz", duration) {
            if (live) ghost[ghost.length - 1].end = block.timestamp;
            ghost.push(Interval(block.timestamp, block.timestamp + duration));
            ++openings;
        } catch {
            return;
        }
    }

    /// @notice The patient ends live emergency access.
    function patientEnds() external {
        if (medVault.emergencyAccessUntil(patient, clinician) == 0) return;
        VM.prank(patient);
        medVault.endEmergencyAccess(patient, clinician);
        ghost[ghost.length - 1].end = block.timestamp;
    }

    /// @notice The patient revokes the clinician (which ends live emergency access).
    function patientRevokes() external {
        bool live = medVault.emergencyAccessUntil(patient, clinician) != 0;
        VM.prank(patient);
        try medVault.revokeConsent(clinician) {
            if (live) ghost[ghost.length - 1].end = block.timestamp;
        } catch {
            return;
        }
    }

    /// @notice The registrar suspends or reinstates the clinician.
    function registrarToggles() external {
        if (suspended) {
            medVault.reinstateClinician(clinician);
        } else {
            if (medVault.emergencyAccessUntil(patient, clinician) != 0) ghost[ghost.length - 1].end = block.timestamp;
            medVault.suspendClinician(clinician);
        }
        suspended = !suspended;
    }

    /// @notice Time passes.
    /// @param by seconds
    function timePasses(uint32 by) external {
        VM.warp(block.timestamp + _bound(by, 1, 3 days));
    }
}
