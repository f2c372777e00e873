/**
 * Sessions and sign-in nonces.
 *
 * A session is a cookie `base64url(payload) "." base64url(HMAC-SHA256(secret, payload))`,
 * so the server keeps no per-user state except the ids of sessions signed out before
 * they expired. Nonces live in a bounded in-memory map: one process serves one app,
 * and a nonce only has to survive the few seconds between "sign in" and the signature.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes } from "node:crypto";
import { generateSiweNonce } from "viem/siwe";
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

/**
 * Single-use sign-in nonces. Bounded: when full, expired entries are dropped and then
 * the oldest pending ones, so a flood of nonce requests costs memory up to the bound
 * and never more (the flood can only delay sign-ins, which rate limiting in front of
 * the app should stop).
 */
export class NonceStore {
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  issue(nowMs: number): { nonce: string; expiresAt: number } {
    if (this.pending.size >= this.max) this.prune(nowMs);
    while (this.pending.size >= this.max) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
    }
    const nonce = generateSiweNonce();
    const expiresAt = nowMs + this.ttlMs;
    this.pending.set(nonce, expiresAt);
    return { nonce, expiresAt };
  }

  /**
   * Takes the nonce out (synchronously, so two concurrent requests with the same
   * message cannot both pass). Returns why it is unusable, or undefined when it was good.
   */
  consume(nonce: string, nowMs: number): "unknown" | "expired" | undefined {
    const expiresAt = this.pending.get(nonce);
    if (expiresAt === undefined) return "unknown";
    this.pending.delete(nonce);
    return expiresAt <= nowMs ? "expired" : undefined;
  }

  get size(): number {
    return this.pending.size;
  }

  private prune(nowMs: number): void {
    for (const [nonce, expiresAt] of this.pending) if (expiresAt <= nowMs) this.pending.delete(nonce);
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
