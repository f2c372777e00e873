// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ConsentHandler} from "./utils/ConsentHandler.sol";

// Foundry's naming (invariant_*) is how the runner finds invariant tests.
// solhint-disable func-name-mixedcase

/// @title MedVaultInvariantTest
/// @author MedVault
/// @notice Stateful properties over random sequences of ConsentHandler actions.
contract MedVaultInvariantTest {
    ConsentHandler internal handler;

    /// @notice Thrown when a property does not hold.
    /// @param what which property
    error PropertyViolated(string what);

    /// @notice Builds the handler (which deploys the vault).
    function setUp() public {
        handler = new ConsentHandler();
    }

    /// @notice The fuzzer calls only the handler's actions.
    /// @return targets the handler
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice The stored grant is exactly what the patient's own actions made it.
    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_grantIsThePatientsDoing() public view {
        (address patient, address clinician) = handler.parties();
        (uint8 scope, uint32 categoryMask, uint8 permission, uint40 expiry, uint8 purpose) = handler.ghostGrant();
        (uint8 s, uint32 m, uint8 p, uint40 e, uint8 u) = handler.vault().getGrant(patient, clinician);
        if (s != scope || m != categoryMask || p != permission || e != expiry || u != purpose) {
            revert PropertyViolated("grant drifted");
        }
    }

    /// @notice No dead grant ever authorised a session, and the view never disagreed with a session;
    /// right now, too, a dead grant authorises no record.
    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_deadGrantsNeverAuthoriseAndChecksAgree() public view {
        if (handler.deadGrantAuthorised()) revert PropertyViolated("dead grant authorised a session");
        if (handler.disagreement()) revert PropertyViolated("canRead disagreed with openAccessSession");
        (address patient, address clinician) = handler.parties();
        (, , uint8 permission, uint40 expiry, ) = handler.ghostGrant();
        if (permission == 0 || block.timestamp >= expiry || handler.suspended()) {
            for (uint32 id = 1; id <= 6; ++id) {
                if (handler.vault().canRead(clinician, patient, id)) revert PropertyViolated("dead grant authorises now");
            }
        }
    }
}
