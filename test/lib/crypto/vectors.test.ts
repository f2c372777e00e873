import { expect } from "chai";
import { hexToBytes, toHex } from "viem";
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  aesKwUnwrap,
  aesKwWrap,
  hkdfSha256,
  x25519,
} from "../../../lib/crypto/primitives.ts";

// Published vectors run against the exact functions lib/crypto calls, so a wrong import or
// a swapped primitive breaks here, not silently in production.
const h = (s: string) => hexToBytes(`0x${s.replace(/\s+/g, "")}`);
const hex = (b: Uint8Array) => toHex(b).slice(2);

describe("lib/crypto primitives: published test vectors", () => {
  it("X25519 matches RFC 7748 §5.2 (scalar multiplication)", () => {
    const k = h("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
    const u = h("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
    expect(hex(x25519.scalarMult(k, u))).to.equal("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
  });

  it("X25519 matches RFC 7748 §6.1 (Alice and Bob agree on the shared secret)", () => {
    const alice = h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const bob = h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    const alicePub = x25519.getPublicKey(alice);
    const bobPub = x25519.getPublicKey(bob);
    expect(hex(alicePub)).to.equal("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    expect(hex(bobPub)).to.equal("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    const shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    expect(hex(x25519.getSharedSecret(alice, bobPub))).to.equal(shared);
    expect(hex(x25519.getSharedSecret(bob, alicePub))).to.equal(shared);
  });

  it("X25519 refuses a low-order public key (all-zero shared secret)", () => {
    expect(() => x25519.getSharedSecret(x25519.utils.randomSecretKey(), new Uint8Array(32))).to.throw();
  });

  it("HKDF-SHA256 matches RFC 5869 test case 1", () => {
    const ikm = new Uint8Array(22).fill(0x0b);
    const salt = h("000102030405060708090a0b0c");
    const info = h("f0f1f2f3f4f5f6f7f8f9");
    expect(hex(hkdfSha256(ikm, salt, info, 42))).to.equal(
      "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    );
  });

  it("AES-256-GCM matches McGrew–Viega test case 16 (with AAD), and rejects a flipped tag", () => {
    const key = h("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    const iv = h("cafebabefacedbaddecaf888");
    const aad = h("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    const pt = h(`d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
                  1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39`);
    const ct = `522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
                8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662`.replace(/\s+/g, "");
    const tag = "76fc6ece0f4e1768cddf8853bb2d551b";
    const sealed = aesGcmEncrypt(key, iv, pt, aad);
    expect(hex(sealed)).to.equal(ct + tag);
    expect(hex(aesGcmDecrypt(key, iv, sealed, aad))).to.equal(hex(pt));
    sealed[sealed.length - 1]! ^= 1;
    expect(() => aesGcmDecrypt(key, iv, sealed, aad)).to.throw();
  });

  it("AES-256-KW matches RFC 3394 §4.6 (256-bit key data with a 256-bit KEK)", () => {
    const kek = h("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    const data = h("00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f");
    const wrapped = "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21";
    expect(hex(aesKwWrap(kek, data))).to.equal(wrapped);
    expect(hex(aesKwUnwrap(kek, h(wrapped)))).to.equal(hex(data));
  });
});
