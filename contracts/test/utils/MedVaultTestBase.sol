// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MedVault} from "../../MedVault.sol";
import {IMedVaultConsent} from "../../interfaces/IMedVaultConsent.sol";
import {VM} from "./Vm.sol";

/// @title MedVaultTestBase
/// @author MedVault
/// @notice Shared set-up for the Solidity property tests: a MedVault whose admin and registrar is
/// the test contract, a patient with records in known categories, two verified clinicians, and
/// helpers for bounded inputs and EIP-712 signatures.
abstract contract MedVaultTestBase {
    uint256 internal constant PATIENT_KEY = 0xA11CE;
    uint256 internal constant ATTACKER_KEY = 0xBAD;
    uint32 internal constant RECORDS = 6;

    MedVault internal medVault;
    address internal patient;
    address internal clinician = address(0xC1);
    address internal otherClinician = address(0xC2);

    /// @notice Thrown by a test when a property does not hold.
    /// @param what which property
    error PropertyViolated(string what);

    // Deploys and populates the vault. Record i (1-based) has category i % 3 (0, 1 or 2).
    function _deploy() internal {
        medVault = new MedVault(address(this), 0);
        medVault.grantRole(medVault.REGISTRAR_ROLE(), address(this));
        medVault.verifyClinician(clinician, bytes32("L1"), keccak256("Dr. One"), "Dr. One");
        medVault.verifyClinician(otherClinician, bytes32("L2"), keccak256("Dr. Two"), "Dr. Two");
        patient = VM.addr(PATIENT_KEY);
        VM.prank(patient);
        medVault.registerPatient(bytes32(uint256(1)));
        for (uint32 i = 1; i <= RECORDS; ++i) {
            VM.prank(patient);
            medVault.anchorRecord(patient, keccak256(abi.encode(i)), uint8(i % 3), 0, 0);
        }
    }

    // `x` mapped into [lo, hi].
    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        return lo + (x % (hi - lo + 1));
    }

    // Grant terms derived from a seed: any scope, a non-empty mask or record list, any purpose; Read or
    // ReadWrite (Read only for a Records scope).
    function _terms(address grantee, uint256 seed, uint40 expiry) internal pure returns (IMedVaultConsent.GrantTerms memory t) {
        t.grantee = grantee;
        t.scope = uint8(seed % 3);
        t.permission = uint8(1 + ((seed >> 8) % 2));
        t.expiry = expiry;
        t.purpose = uint8((seed >> 16) % 6);
        t.keyShareDigest = keccak256(abi.encode(seed));
        if (t.scope == 1) t.categoryMask = uint32(1 + ((seed >> 24) % 7)); // some of categories 0..2
        if (t.scope == 2) {
            t.permission = 1; // a write over single records is refused at grant time
            t.recordIds = new uint32[](1 + ((seed >> 32) % 3));
            for (uint256 i; i < t.recordIds.length; ++i) {
                t.recordIds[i] = uint32(1 + ((seed >> (40 + 8 * i)) % RECORDS));
            }
        }
    }

    // The EIP-712 digest of a signed grant.
    function _grantDigest(
        address who,
        IMedVaultConsent.GrantTerms memory t,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes32) {
        bytes32 structHash = keccak256(
            bytes.concat(
                abi.encode(
                    medVault.GRANT_TYPEHASH(),
                    who,
                    t.grantee,
                    t.scope,
                    t.categoryMask,
                    keccak256(abi.encodePacked(t.recordIds))
                ),
                abi.encode(t.permission, t.expiry, t.purpose, t.keyShareDigest, nonce, deadline)
            )
        );
        return _typedDigest(structHash);
    }

    // The EIP-712 digest of a signed revocation.
    function _revokeDigest(address who, address grantee, uint256 nonce, uint256 deadline) internal view returns (bytes32) {
        return _typedDigest(keccak256(abi.encode(medVault.REVOKE_TYPEHASH(), who, grantee, nonce, deadline)));
    }

    // A 65-byte signature of `digest` by `key`.
    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    // Whether a grant's stored terms equal the expected ones.
    function _grantIs(
        address who,
        address grantee,
        uint8 scope,
        uint32 categoryMask,
        uint8 permission,
        uint40 expiry,
        uint8 purpose
    ) internal view returns (bool) {
        (uint8 s, uint32 m, uint8 p, uint40 e, uint8 u) = medVault.getGrant(who, grantee);
        return s == scope && m == categoryMask && p == permission && e == expiry && u == purpose;
    }

    // Whether `reader` opening a session over `recordId` succeeds (a session writes no state).
    function _sessionSucceeds(address reader, uint32 recordId) internal returns (bool ok) {
        uint32[] memory ids = new uint32[](1);
        ids[0] = recordId;
        VM.prank(reader);
        try medVault.openAccessSession(patient, ids, 0) {
            ok = true;
        } catch {
            ok = false;
        }
    }

    function _typedDigest(bytes32 structHash) private view returns (bytes32) {
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("MedVault"),
                keccak256("1"),
                block.chainid,
                address(medVault)
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
    }
}
