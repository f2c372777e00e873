import { expect } from "chai";
import { hexToBytes, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  DecryptionFailedError,
  InvalidInputError,
  KeyMismatchError,
  MedVaultCryptoError,
  NotAnEnvelopeError,
  TruncatedEnvelopeError,
  UnsupportedVersionError,
  WRAPPED_KEY_LENGTH,
  accountKeyMessage,
  assertRegisteredKey,
  deriveAccountKey,
  generateAccountKey,
  signaturesDeriveSameKey,
  unwrapGeneratedKey,
  wrapGeneratedKey,
  wrappedKeyPublicKey,
} from "../../../lib/crypto/index.ts";
import { SECP256K1_N } from "../../../lib/crypto/primitives.ts";
import { thrown } from "./fixtures.ts";

// Hardhat's well-known dev accounts #1 and #2: real wallets signing real EIP-191 messages.
const alice = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const bob = privateKeyToAccount("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");

const sign = (account: typeof alice) => account.signMessage({ message: accountKeyMessage(account.address, 31337) });

/** The same ECDSA signature in another legal encoding: v as 0/1, or s in the high half. */
function reencode(signature: Hex, form: "v01" | "highS" | "compact"): Uint8Array {
  const sig = hexToBytes(signature);
  const r = sig.subarray(0, 32);
  const s = BigInt(toHex(sig.subarray(32, 64)));
  const v = sig[64]!;
  if (form === "v01") return Uint8Array.from([...r, ...sig.subarray(32, 64), v - 27]);
  if (form === "highS") return Uint8Array.from([...r, ...hexToBytes(toHex(SECP256K1_N - s, { size: 32 })), v ^ 1]);
  const yParity = BigInt(v - 27) << 255n;
  return Uint8Array.from([...r, ...hexToBytes(toHex(s | yParity, { size: 32 }))]);
}

describe("lib/crypto account keys", () => {
  it("words the message for a human, versioned, with the checksummed account and no nonce", () => {
    const message = accountKeyMessage(alice.address.toLowerCase(), 31337);
    expect(message.split("\n")[0]).to.equal("MedVault key v1");
    expect(message).to.include(`Account: ${alice.address}`);
    expect(message).to.include("Chain ID: 31337");
    expect(message).to.match(/no transaction/);
    expect(message).to.equal(accountKeyMessage(alice.address, 31337));
    expect(accountKeyMessage(alice.address)).not.to.include("Chain ID");
    expect(() => accountKeyMessage("0xnot-an-address")).to.throw(InvalidInputError);
  });

  it("derives the same key from the same wallet every time (RFC 6979 signatures are deterministic)", async () => {
    const [s1, s2] = [await sign(alice), await sign(alice)];
    expect(s1).to.equal(s2);
    const k1 = deriveAccountKey(s1, alice.address);
    const k2 = deriveAccountKey(hexToBytes(s2), alice.address);
    expect(k1.publicKeyHex).to.equal(k2.publicKeyHex);
    expect(k1.secretKey).to.deep.equal(k2.secretKey);
    expect(k1.publicKey).to.have.length(32);
    expect(k1.publicKeyHex).to.match(/^0x[0-9a-f]{64}$/);
    expect(signaturesDeriveSameKey(s1, s2)).to.equal(true);
  });

  it("derives the same key from every legal encoding of the signature (v as 0/1, high s, EIP-2098)", async () => {
    const signature = await sign(alice);
    const expected = deriveAccountKey(signature, alice.address).publicKeyHex;
    for (const form of ["v01", "highS", "compact"] as const) {
      expect(deriveAccountKey(reencode(signature, form), alice.address).publicKeyHex, form).to.equal(expected);
    }
  });

  it("derives unrelated keys for other wallets, other accounts and other signatures", async () => {
    const a = deriveAccountKey(await sign(alice), alice.address);
    const b = deriveAccountKey(await sign(bob), bob.address);
    expect(a.publicKeyHex).not.to.equal(b.publicKeyHex);
    // Alice's signature presented as Bob's: the address is bound into the derivation.
    expect(deriveAccountKey(await sign(alice), bob.address).publicKeyHex).not.to.equal(a.publicKeyHex);
    const otherChain = await alice.signMessage({ message: accountKeyMessage(alice.address, 1) });
    expect(signaturesDeriveSameKey(otherChain, await sign(alice))).to.equal(false);
  });

  it("rejects inputs that are not signatures", () => {
    expect(() => deriveAccountKey("0x1234", alice.address)).to.throw(InvalidInputError, /too short/);
    expect(() => deriveAccountKey("not hex" as Hex, alice.address)).to.throw(InvalidInputError);
    expect(() => deriveAccountKey(new Uint8Array(65), alice.address)).to.throw(InvalidInputError, /out of range/);
    expect(() => deriveAccountKey(new Uint8Array(65).fill(1), "0x12")).to.throw(InvalidInputError, /account/);
  });

  describe("assertRegisteredKey", () => {
    it("accepts the registered key", async () => {
      const key = deriveAccountKey(await sign(alice), alice.address);
      expect(() => assertRegisteredKey(key, key.publicKeyHex)).not.to.throw();
      expect(() => assertRegisteredKey(key, key.publicKeyHex.toUpperCase().replace("0X", "0x") as Hex)).not.to.throw();
    });

    it("explains a mismatch with a typed error naming both keys and the likely causes", async () => {
      const key = deriveAccountKey(await sign(alice), alice.address);
      const registered = deriveAccountKey(await sign(bob), bob.address).publicKeyHex;
      const error = thrown(() => assertRegisteredKey(key, registered));
      expect(error).to.be.instanceOf(KeyMismatchError).and.instanceOf(MedVaultCryptoError);
      const mismatch = error as KeyMismatchError;
      expect(mismatch.code).to.equal("KEY_MISMATCH");
      expect(mismatch.derivedPublicKey).to.equal(key.publicKeyHex);
      expect(mismatch.registeredPublicKey).to.equal(registered);
      expect(mismatch.message)
        .to.match(/different wallet account/)
        .and.match(/non-deterministically/)
        .and.match(/rotated/);
    });

    it("says so when no key is registered yet, and rejects a malformed registered value", async () => {
      const key = deriveAccountKey(await sign(alice), alice.address);
      expect(thrown(() => assertRegisteredKey(key, `0x${"00".repeat(32)}`)))
        .to.be.instanceOf(KeyMismatchError)
        .with.property("message")
        .that.matches(/no encryption key is registered/);
      expect(() => assertRegisteredKey(key, "0x1234")).to.throw(InvalidInputError);
    });
  });

  describe("generated key kept wrapped under the derived key", () => {
    it("round-trips, and exposes the public key without unlocking", async () => {
      const derived = deriveAccountKey(await sign(alice), alice.address);
      const generated = generateAccountKey();
      const wrapped = wrapGeneratedKey(generated, derived);
      expect(wrapped).to.have.length(WRAPPED_KEY_LENGTH);
      expect(wrappedKeyPublicKey(wrapped)).to.equal(generated.publicKeyHex);
      // A fresh unlock on "another device": re-derive from a new signature.
      const again = deriveAccountKey(await sign(alice), alice.address);
      const unwrapped = unwrapGeneratedKey(wrapped, again);
      expect(unwrapped.secretKey).to.deep.equal(generated.secretKey);
      expect(() => assertRegisteredKey(unwrapped, generated.publicKeyHex)).not.to.throw();
    });

    it("does not open for another wallet, nor after any modification", async () => {
      const derived = deriveAccountKey(await sign(alice), alice.address);
      const wrapped = wrapGeneratedKey(generateAccountKey(), derived);
      const other = deriveAccountKey(await sign(bob), bob.address);
      expect(thrown(() => unwrapGeneratedKey(wrapped, other))).to.be.instanceOf(DecryptionFailedError);
      for (let i = 5; i < wrapped.length; i++) {
        const bad = wrapped.slice();
        bad[i]! ^= 0x01;
        expect(
          thrown(() => unwrapGeneratedKey(bad, derived)),
          `byte ${i}`,
        ).to.be.instanceOf(DecryptionFailedError);
      }
      expect(thrown(() => unwrapGeneratedKey(wrapped.subarray(0, 40), derived))).to.be.instanceOf(
        TruncatedEnvelopeError,
      );
      const v9 = wrapped.slice();
      v9[3] = 9;
      expect(thrown(() => unwrapGeneratedKey(v9, derived))).to.be.instanceOf(UnsupportedVersionError);
      expect(thrown(() => unwrapGeneratedKey(new TextEncoder().encode("hello world"), derived))).to.be.instanceOf(
        NotAnEnvelopeError,
      );
    });
  });
});
