import { expect } from "chai";
import { packPayload, unpackPayload } from "../../../lib/vault/payload.ts";
import { VaultError } from "../../../lib/vault/context.ts";

describe("lib/vault record payload", () => {
  it("round-trips content with its media type and file name", () => {
    const content = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0, 255]);
    expect(unpackPayload(packPayload({ mime: "application/pdf", name: "MRI report.pdf", content }))).to.deep.equal({
      mime: "application/pdf",
      name: "MRI report.pdf",
      content,
    });
    expect(unpackPayload(packPayload({ mime: "text/plain", content: new Uint8Array() }))).to.deep.equal({
      mime: "text/plain",
      content: new Uint8Array(),
    });
  });

  it("rejects a bad media type when packing", () => {
    expect(() => packPayload({ mime: "pdf", content: new Uint8Array() })).to.throw(VaultError, /not a media type/);
  });

  it("rejects truncated or malformed payloads instead of showing garbage", () => {
    expect(() => unpackPayload(new Uint8Array([0, 0]))).to.throw(VaultError, /too short/);
    const packed = packPayload({ mime: "text/plain", content: new Uint8Array([1]) });
    expect(() => unpackPayload(packed.subarray(0, 8))).to.throw(VaultError, /malformed header/);
    const noMime = new Uint8Array([0, 0, 0, 2, 0x7b, 0x7d]);
    expect(() => unpackPayload(noMime)).to.throw(VaultError, /no media type/);
  });
});
