// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title OwnedSmartAccount
/// @author MedVault
/// @notice A minimal ERC-1271 smart account for tests: one EOA owner whose ECDSA signature is the
/// account's signature, and who can make the account call other contracts.
contract OwnedSmartAccount is IERC1271 {
    /// @notice The EOA that signs and acts for the account.
    address public immutable OWNER;

    /// @notice Thrown when someone other than the owner asks the account to act.
    /// @param caller who asked
    error NotOwner(address caller);

    /// @notice Creates the account.
    /// @param owner_ the EOA that signs and acts for it
    constructor(address owner_) {
        OWNER = owner_;
    }

    /// @notice Makes the account call `target` with `data` (owner only); bubbles up reverts.
    /// @param target the contract to call
    /// @param data the calldata
    /// @return result the call's return data
    function execute(address target, bytes calldata data) external returns (bytes memory result) {
        if (msg.sender != OWNER) revert NotOwner(msg.sender);
        return Address.functionCall(target, data);
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        return err == ECDSA.RecoverError.NoError && signer == OWNER ? IERC1271.isValidSignature.selector : bytes4(0);
    }
}
