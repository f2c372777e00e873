/**
 * The storage service's one gate on what it stores and serves: a MedVault record envelope
 * ("MVE" v1 or v2) or key share ("MVK" v1 or v2), checked structurally by lib/crypto
 * (magic, version, algorithm ids, lengths). No keys are involved: the service cannot
 * decrypt and does not try. This keeps plaintext (or anything else) from being parked on
 * the node, and says whose an object is: a v2 record and every key share name their
 * patient, so the service can refuse to serve or unpin an object for a patient it does not
 * name (the CID-aliasing attack). A v1 record names nobody.
 */
import type { Address } from "viem";
import { ENVELOPE_HEADER_LENGTH, ENVELOPE_MAGIC, parseEnvelopeHeader } from "../crypto/envelope.ts";
import { KEY_SHARE_HEADER_LENGTH, KEY_SHARE_MAGIC, parseKeyShareHeader } from "../crypto/keyshare.ts";

export type EnvelopeCheck =
  | { ok: true; kind: "record"; version: 1 | 2; category: number; epoch: number; patient?: Address }
  | { ok: true; kind: "keyshare"; version: 1 | 2; patient: Address; grantee: Address }
  | { ok: false; reason: string };

/** Leading bytes that hold a record envelope's whole header, any version (v2: 99, v1: 76). */
export const RECORD_HEADER_PREFIX_BYTES = ENVELOPE_HEADER_LENGTH;
/** Leading bytes that hold a key share's header (124). */
export const KEY_SHARE_HEADER_PREFIX_BYTES = KEY_SHARE_HEADER_LENGTH;
/** Leading bytes enough to classify any object: pass them with the object's length. */
export const ENVELOPE_PREFIX_BYTES = Math.max(RECORD_HEADER_PREFIX_BYTES, KEY_SHARE_HEADER_PREFIX_BYTES);

function startsWith(bytes: Uint8Array, magic: Uint8Array): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/**
 * What an object is and whose. `bytes` is the whole object, or its first
 * ENVELOPE_PREFIX_BYTES bytes (all of it if shorter) with `objectLength` its full size, so
 * a read can be checked before the object is streamed.
 */
export function classifyEnvelope(bytes: Uint8Array, objectLength = bytes.length): EnvelopeCheck {
  try {
    if (startsWith(bytes, KEY_SHARE_MAGIC)) {
      const h = parseKeyShareHeader(bytes, objectLength);
      return { ok: true, kind: "keyshare", version: h.version, patient: h.patient, grantee: h.grantee };
    }
    if (startsWith(bytes, ENVELOPE_MAGIC)) {
      const h = parseEnvelopeHeader(bytes, objectLength);
      return {
        ok: true,
        kind: "record",
        version: h.version,
        category: h.category,
        epoch: h.epoch,
        ...(h.patient !== undefined && { patient: h.patient }),
      };
    }
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  if (objectLength === 0) return { ok: false, reason: "the body is empty" };
  return { ok: false, reason: 'it starts with neither "MVE" (record envelope) nor "MVK" (key share)' };
}
