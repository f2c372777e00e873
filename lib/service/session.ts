/**
 * Sessions and sign-in nonces.
 *
 * A session is a cookie `base64url(payload) "." base64url(HMAC-SHA256(secret, payload))`,
 * so the server keeps no per-user state except the ids of sessions signed out before
 * they expired. Sign-in nonces are stateless too (HMAC-signed, with their expiry inside);
 * the server remembers a nonce only once a valid signature has used it.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes } from "node:crypto";
import { getAddress, isAddress, type Address } from "viem";

export type Session = {
  address: Address;
  chainId: number;
  /** Unix seconds. */
  expiresAt: number;
  /** Random id, so a signed-out cookie can be refused until it would have expired anyway. */
  id: string;
};

const encoder = new TextEncoder();

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

// Domain-separates the session MAC from any other use of the same secret.
const MAC_CONTEXT = encoder.encode("medvault-session-v1\n");

function mac(secret: Uint8Array, payloadB64: string): Uint8Array {
  const h = hmac.create(sha256, secret);
  h.update(MAC_CONTEXT);
  h.update(encoder.encode(payloadB64));
  return h.digest();
}

export function newSessionId(): string {
  return b64url(new Uint8Array(randomBytes(16)));
}

export function signSession(session: Session, secret: Uint8Array): string {
  const payload = b64url(
    encoder.encode(JSON.stringify({ a: session.address, c: session.chainId, e: session.expiresAt, i: session.id })),
  );
  return `${payload}.${b64url(mac(secret, payload))}`;
}

export type SessionCheck =
  { ok: true; session: Session } | { ok: false; reason: "malformed" | "bad-signature" | "expired" };

/** Checks the MAC first, so nothing from an unauthenticated payload is ever interpreted. */
export function verifySession(token: string, secret: Uint8Array, nowSeconds: number): SessionCheck {
  const dot = token.indexOf(".");
  if (dot <= 0 || dot !== token.lastIndexOf(".") || token.length > 1024) return { ok: false, reason: "malformed" };
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), "base64url");
  if (!constantTimeEqual(new Uint8Array(given), mac(secret, payload))) return { ok: false, reason: "bad-signature" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const p = parsed as { a?: unknown; c?: unknown; e?: unknown; i?: unknown };
  if (
    typeof p.a !== "string" ||
    !isAddress(p.a, { strict: false }) ||
    typeof p.c !== "number" ||
    typeof p.e !== "number" ||
    typeof p.i !== "string"
  ) {
    return { ok: false, reason: "malformed" };
  }
  if (p.e <= nowSeconds) return { ok: false, reason: "expired" };
  return { ok: true, session: { address: getAddress(p.a), chainId: p.c, expiresAt: p.e, id: p.i } };
}

/** Domain-separates the nonce MAC from the session MAC, which uses the same secret. */
const NONCE_CONTEXT = encoder.encode("medvault-siwe-nonce-v1\n");
const NONCE_RANDOM_BYTES = 16;
const NONCE_EXPIRY_BYTES = 6;
const NONCE_MAC_BYTES = 16;
/** Hex of random ‖ expiry (ms, 48-bit big-endian) ‖ truncated HMAC: alphanumeric, as EIP-4361 requires. */
export const NONCE_LENGTH = 2 * (NONCE_RANDOM_BYTES + NONCE_EXPIRY_BYTES + NONCE_MAC_BYTES);

function nonceMac(secret: Uint8Array, body: Uint8Array): Uint8Array {
  const h = hmac.create(sha256, secret);
  h.update(NONCE_CONTEXT);
  h.update(body);
  return h.digest().subarray(0, NONCE_MAC_BYTES);
}

export type NonceProblem = "malformed" | "forged" | "expired" | "used";

/**
 * Sign-in nonces without server state: each one carries 128 random bits from the CSPRNG,
 * its expiry and an HMAC over both, so issuing one stores nothing and no flood of
 * requests can evict a pending sign-in. Single use is enforced by remembering a nonce
 * only once a valid signature has used it, until it would have expired anyway.
 */
export class SiweNonces {
  private readonly used = new Map<string, number>();

  constructor(
    private readonly secret: Uint8Array,
    private readonly ttlMs: number,
    private readonly maxUsed: number,
  ) {}

  issue(nowMs: number): { nonce: string; expiresAt: number } {
    const expiresAt = nowMs + this.ttlMs;
    const body = new Uint8Array(NONCE_RANDOM_BYTES + NONCE_EXPIRY_BYTES);
    body.set(new Uint8Array(randomBytes(NONCE_RANDOM_BYTES)));
    let e = expiresAt;
    for (let i = body.length - 1; i >= NONCE_RANDOM_BYTES; i--) {
      body[i] = e % 256;
      e = Math.floor(e / 256);
    }
    const nonce = Buffer.concat([body, nonceMac(this.secret, body)]).toString("hex");
    return { nonce, expiresAt };
  }

  /** Why `nonce` cannot be used now, or undefined when it can. Changes nothing. */
  check(nonce: string, nowMs: number): NonceProblem | undefined {
    if (nonce.length !== NONCE_LENGTH || !/^[0-9a-f]+$/.test(nonce)) return "malformed";
    const raw = new Uint8Array(Buffer.from(nonce, "hex"));
    const body = raw.subarray(0, NONCE_RANDOM_BYTES + NONCE_EXPIRY_BYTES);
    if (!constantTimeEqual(raw.subarray(body.length), nonceMac(this.secret, body))) return "forged";
    let expiresAt = 0;
    for (let i = NONCE_RANDOM_BYTES; i < body.length; i++) expiresAt = expiresAt * 256 + body[i]!;
    if (expiresAt <= nowMs) return "expired";
    if (this.used.has(nonce)) return "used";
    return undefined;
  }

  /**
   * Records a nonce as used; call only after the signature over it verified. Returns
   * "used" when a concurrent request got there first (the caller then refuses), and
   * "full" when the set holds maxUsed live nonces (only valid sign-ins land here, so
   * that is a sign-in storm the operator should see, not a flood).
   */
  markUsed(nonce: string, nowMs: number): "used" | "full" | undefined {
    if (this.used.has(nonce)) return "used";
    if (this.used.size >= this.maxUsed) {
      for (const [n, exp] of this.used) if (exp <= nowMs) this.used.delete(n);
      if (this.used.size >= this.maxUsed) return "full";
    }
    const raw = Buffer.from(nonce, "hex");
    let expiresAt = 0;
    for (let i = NONCE_RANDOM_BYTES; i < NONCE_RANDOM_BYTES + NONCE_EXPIRY_BYTES; i++)
      expiresAt = expiresAt * 256 + raw[i]!;
    this.used.set(nonce, expiresAt);
    return undefined;
  }

  get usedCount(): number {
    return this.used.size;
  }
}

const OVERFLOW = "(overflow)";

/**
 * Fixed-window counters per client address, in bounded memory: when the table is full
 * of live windows, new addresses share one overflow bucket (so a flood of spoofed
 * addresses limits itself, not the table's size).
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Counts one request; returns the seconds to wait when over the limit, else undefined. */
  take(key: string, nowMs: number): number | undefined {
    let w = this.windows.get(key);
    if (!w || w.start + this.windowMs <= nowMs) {
      if (!w && key !== OVERFLOW && this.windows.size >= this.maxKeys) {
        for (const [k, v] of this.windows) if (v.start + this.windowMs <= nowMs) this.windows.delete(k);
        if (this.windows.size >= this.maxKeys) return this.take(OVERFLOW, nowMs);
      }
      w = { start: nowMs, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count <= this.perWindow) return undefined;
    return Math.max(1, Math.ceil((w.start + this.windowMs - nowMs) / 1000));
  }
}

/** Ids of sessions signed out before their expiry; each entry is dropped once it would have expired. */
export class RevokedSessions {
  private readonly revoked = new Map<string, number>();

  constructor(private readonly max = 100_000) {}

  revoke(session: Session, nowSeconds: number): void {
    if (this.revoked.size >= this.max) {
      for (const [id, exp] of this.revoked) if (exp <= nowSeconds) this.revoked.delete(id);
    }
    // Still full: every entry is a live session; forgetting the oldest revocation is the
    // lesser harm than refusing to sign anyone out.
    while (this.revoked.size >= this.max) this.revoked.delete(this.revoked.keys().next().value as string);
    this.revoked.set(session.id, session.expiresAt);
  }

  has(id: string): boolean {
    return this.revoked.has(id);
  }
}
