/**
 * The upload route's one gate on what it stores: a MedVault record envelope ("MVE" v1)
 * or key share ("MVK" v1), checked structurally by lib/crypto (magic, version,
 * algorithm ids, lengths). No keys are involved: the service cannot decrypt and does
 * not try. This keeps plaintext (or anything else) from being parked on the node.
 */
import type { Address } from "viem";
import { ENVELOPE_MAGIC, parseEnvelopeHeader } from "../crypto/envelope.ts";
import { KEY_SHARE_MAGIC, parseKeyShareHeader } from "../crypto/keyshare.ts";

export type EnvelopeCheck =
  | { ok: true; kind: "record"; category: number; epoch: number }
  | { ok: true; kind: "keyshare"; patient: Address; grantee: Address }
  | { ok: false; reason: string };

function startsWith(bytes: Uint8Array, magic: Uint8Array): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

export function classifyEnvelope(bytes: Uint8Array): EnvelopeCheck {
  try {
    if (startsWith(bytes, KEY_SHARE_MAGIC)) {
      const h = parseKeyShareHeader(bytes);
      return { ok: true, kind: "keyshare", patient: h.patient, grantee: h.grantee };
    }
    if (startsWith(bytes, ENVELOPE_MAGIC)) {
      const h = parseEnvelopeHeader(bytes);
      return { ok: true, kind: "record", category: h.category, epoch: h.epoch };
    }
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  if (bytes.length === 0) return { ok: false, reason: "the body is empty" };
  return { ok: false, reason: 'it starts with neither "MVE" (record envelope) nor "MVK" (key share)' };
}
