/**
 * What goes inside a record envelope: the content plus its media type and file name, so
 * neither is visible to the storage node or on-chain. Layout: 4-byte big-endian length of
 * a UTF-8 JSON header, the header, then the content bytes.
 */
import { VaultError } from "./context.ts";

export type RecordPayload = { mime: string; name?: string; content: Uint8Array };

const MAX_HEADER = 4096;

export function packPayload(p: RecordPayload): Uint8Array {
  if (!/^[a-z]+\/[a-z0-9.+-]+$/i.test(p.mime)) throw new VaultError("BAD_MIME", `not a media type: "${p.mime}"`);
  const header = new TextEncoder().encode(JSON.stringify(p.name ? { mime: p.mime, name: p.name } : { mime: p.mime }));
  if (header.length > MAX_HEADER) throw new VaultError("BAD_NAME", "the file name is too long");
  const out = new Uint8Array(4 + header.length + p.content.length);
  new DataView(out.buffer).setUint32(0, header.length);
  out.set(header, 4);
  out.set(p.content, 4 + header.length);
  return out;
}

export function unpackPayload(bytes: Uint8Array): RecordPayload {
  if (bytes.length < 4)
    throw new VaultError("BAD_PAYLOAD", "the decrypted record is too short to be a MedVault record");
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  if (len > MAX_HEADER || 4 + len > bytes.length)
    throw new VaultError("BAD_PAYLOAD", "the decrypted record has a malformed header");
  let header: { mime?: unknown; name?: unknown };
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(4, 4 + len))) as typeof header;
  } catch {
    throw new VaultError("BAD_PAYLOAD", "the decrypted record has a malformed header");
  }
  if (typeof header.mime !== "string") throw new VaultError("BAD_PAYLOAD", "the decrypted record names no media type");
  return {
    mime: header.mime,
    ...(typeof header.name === "string" ? { name: header.name } : {}),
    content: bytes.slice(4 + len),
  };
}
