// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Named `Vm` like Foundry's, so the cheatcode calls read the same as in any Foundry test suite.
// solhint-disable interface-starts-with-i

/// @title Vm
/// @author MedVault
/// @notice The few Foundry-compatible cheatcodes MedVault's Solidity tests use (forge-std is not
/// installed; Hardhat 3 serves these at the address below).
interface Vm {
    /// @notice Sets block.timestamp.
    /// @param newTimestamp the new timestamp
    function warp(uint256 newTimestamp) external;

    /// @notice Makes the next call come from `sender`.
    /// @param sender the caller to impersonate
    function prank(address sender) external;

    /// @notice Expects the next call to revert with exactly `revertData`.
    /// @param revertData the expected revert data
    function expectRevert(bytes calldata revertData) external;

    /// @notice The address of a private key.
    /// @param privateKey the key
    /// @return keyAddr its address
    function addr(uint256 privateKey) external pure returns (address keyAddr);

    /// @notice Signs a digest with a private key.
    /// @param privateKey the key
    /// @param digest the digest
    /// @return v recovery id
    /// @return r signature r
    /// @return s signature s
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);

    /// @notice Discards the current fuzz input unless `condition` holds.
    /// @param condition the assumption
    function assume(bool condition) external pure;
}

/// @dev Where Hardhat (like Foundry) serves the cheatcodes: address(uint160(uint256(keccak256("hevm cheat code")))).
Vm constant VM = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
