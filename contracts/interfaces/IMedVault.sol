// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMedVaultAccessLog} from "./IMedVaultAccessLog.sol";

// The union of the parts adds nothing of its own, hence the empty body.
// solhint-disable no-empty-blocks

/// @title MedVault
/// @author MedVault
/// @notice Patient-controlled medical records: roles, record anchors, consent and the access log in
/// one contract (plus OpenZeppelin AccessControl, EIP-712 nonces and Multicall, so a patient revokes
/// and rotates keys in one transaction). Read the parent interfaces for each part's rules.
interface IMedVault is IMedVaultAccessLog {}
