// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {IMedVault} from "./interfaces/IMedVault.sol";
import {AccessLog} from "./base/AccessLog.sol";
import {Roles} from "./base/Roles.sol";

/// @title MedVault
/// @author MedVault
/// @notice The one deployed contract: roles, records, consent and the access log composed as internal
/// calls (no cross-contract CALL on a consent check), plus Multicall so a patient revokes and rotates
/// keys in one transaction. See IMedVault and its parents for the rules.
contract MedVault is AccessLog, Multicall, IMedVault {
    /// @notice Deploys MedVault with `admin` as its only DEFAULT_ADMIN_ROLE holder.
    /// @param admin receives DEFAULT_ADMIN_ROLE (a multisig in production); it appoints registrars.
    /// @param adminDelay seconds between beginning and accepting an admin transfer (AccessControlDefaultAdminRules)
    constructor(address admin, uint48 adminDelay) Roles(adminDelay, admin) EIP712("MedVault", "1") {}
}
