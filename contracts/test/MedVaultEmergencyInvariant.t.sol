// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EmergencyHandler} from "./utils/EmergencyHandler.sol";

// Foundry's naming (invariant_*) is how the runner finds invariant tests.
// solhint-disable func-name-mixedcase

/// @title MedVaultEmergencyInvariantTest
/// @author MedVault
/// @notice Break-glass stays bounded over random sequences of openings, endings, revocations,
/// suspensions and time: at most EMERGENCY_ALLOWANCE in any EMERGENCY_WINDOW, and at most
/// MAX_EMERGENCY_OPENINGS openings touching one window.
contract MedVaultEmergencyInvariantTest {
    EmergencyHandler internal handler;

    /// @notice Thrown when a property does not hold.
    /// @param what which property
    error PropertyViolated(string what);

    /// @notice Builds the handler (which deploys the vault).
    function setUp() public {
        handler = new EmergencyHandler();
    }

    /// @notice The fuzzer calls only the handler's actions.
    /// @return targets the handler
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice Emergency time in any 7 days never exceeds the 24 h allowance (no extension is granted
    /// here). The busiest window ends where some interval ends, so those windows are the ones checked.
    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_emergencyTimeInAnyWindowIsCapped() public view {
        uint256 window = handler.vault().EMERGENCY_WINDOW();
        uint256 cap = handler.vault().EMERGENCY_ALLOWANCE();
        uint256 maxOpenings = handler.vault().MAX_EMERGENCY_OPENINGS();
        uint256 n = handler.intervalCount();
        for (uint256 j; j < n; ++j) {
            (, uint256 windowEnd) = handler.interval(j);
            uint256 windowStart = windowEnd > window ? windowEnd - window : 0;
            uint256 used;
            uint256 touching;
            for (uint256 i; i < n; ++i) {
                (uint256 s, uint256 e) = handler.interval(i);
                if (e <= windowStart || s >= windowEnd || e == s) continue;
                used += (e < windowEnd ? e : windowEnd) - (s > windowStart ? s : windowStart);
                ++touching;
            }
            if (used > cap) revert PropertyViolated("more than the allowance in a window");
            if (touching > maxOpenings + 1) revert PropertyViolated("too many openings in a window");
        }
    }
}
