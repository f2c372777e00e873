/**
 * Sign-In with Ethereum (EIP-4361): nonce → the wallet signs a message naming this
 * site, the chain and the nonce → verify → session cookie; plus session and sign-out.
 *
 * Each check answers with its own error code, so a client (and a test) can tell a
 * replayed message from an expired one or one written for another site.
 */
import { getAddress, isHex, type Address, type Hex } from "viem";
import { parseSiweMessage, validateSiweMessage } from "viem/siwe";
import { readJson } from "./body.ts";
import type { ServiceContext } from "./context.ts";
import {
  assertSameOrigin,
  clientAddress,
  handle,
  HttpError,
  json,
  methodNotAllowed,
  readCookie,
  serializeCookie,
} from "./http.ts";
import { newSessionId, signSession, verifySession, type NonceProblem, type Session } from "./session.ts";

/** A SIWE message is a few hundred bytes; anything near this is not one. */
const MAX_VERIFY_BODY = 16 * 1024;
/** Tolerated clock difference between the wallet's device and the server. */
const CLOCK_SKEW_MS = 60_000;

export function sessionCookieName(ctx: ServiceContext): string {
  // The __Host- prefix makes browsers refuse the cookie unless it is Secure, Path=/
  // and host-only, so a sibling subdomain cannot plant or overwrite it.
  return ctx.config.secureCookies ? "__Host-medvault_session" : "medvault_session";
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The request's session, or an HttpError 401 naming why there is none. */
export function requireSession(ctx: ServiceContext, req: Request): Session {
  const token = readCookie(req, sessionCookieName(ctx));
  if (!token) throw new HttpError(401, "SESSION_REQUIRED", "sign in with Ethereum first (no session cookie)");
  const check = verifySession(token, ctx.config.sessionSecret, nowSeconds());
  if (!check.ok) {
    if (check.reason === "expired")
      throw new HttpError(401, "SESSION_EXPIRED", "the session has expired; sign in again");
    throw new HttpError(401, "SESSION_INVALID", "the session cookie is not one this server issued; sign in again");
  }
  if (ctx.revokedSessions.has(check.session.id)) {
    throw new HttpError(401, "SESSION_ENDED", "this session was signed out; sign in again");
  }
  if (check.session.chainId !== ctx.config.chainId) {
    throw new HttpError(
      401,
      "SESSION_WRONG_CHAIN",
      `the session is for chain ${check.session.chainId}, this server serves ${ctx.config.chainId}`,
    );
  }
  return check.session;
}

export function nonceHandler(ctx: ServiceContext) {
  return (req: Request) =>
    handle(async () => {
      if (req.method !== "GET") return methodNotAllowed(["GET"]);
      const wait = ctx.nonceRate.take(clientAddress(req, ctx.config.trustProxy), Date.now());
      if (wait !== undefined) {
        throw new HttpError(
          429,
          "TOO_MANY_NONCES",
          `at most ${ctx.config.nonceRatePerMinute} sign-in nonces per minute per client; retry in ${wait} s`,
          { retryAfterSeconds: wait },
          { "retry-after": String(wait) },
        );
      }
      const { nonce, expiresAt } = ctx.nonces.issue(Date.now());
      return json(200, {
        nonce,
        expiresAt: new Date(expiresAt).toISOString(),
        // What the message must carry, so the client builds one this server accepts.
        domain: ctx.config.siweDomain,
        uri: ctx.config.siweOrigin,
        chainId: ctx.config.chainId,
      });
    });
}

function siweError(code: string, message: string): HttpError {
  return new HttpError(401, code, message);
}

function assertNonceUsable(problem: NonceProblem | undefined): void {
  if (problem === "malformed" || problem === "forged") {
    throw siweError("SIWE_NONCE_UNKNOWN", "the nonce was not issued by this server; request a new one");
  }
  if (problem === "expired") throw siweError("SIWE_NONCE_EXPIRED", "the nonce expired; request a new one");
  if (problem === "used") {
    throw siweError("SIWE_NONCE_USED", "the nonce was already used to sign in (replayed message); request a new one");
  }
}

export function verifyHandler(ctx: ServiceContext) {
  return (req: Request) =>
    handle(async () => {
      if (req.method !== "POST") return methodNotAllowed(["POST"]);
      assertSameOrigin(req, ctx.config.siweOrigin);
      const body = (await readJson(req, MAX_VERIFY_BODY)) as { message?: unknown; signature?: unknown } | null;
      if (!body || typeof body.message !== "string" || typeof body.signature !== "string") {
        throw new HttpError(400, "BAD_REQUEST", 'expected {"message": "<EIP-4361 text>", "signature": "0x…"}');
      }
      const { message } = body;
      const signature = body.signature as Hex;
      if (!isHex(signature, { strict: true }) || signature.length < 4) {
        throw new HttpError(400, "BAD_SIGNATURE_FORMAT", "signature must be 0x-prefixed hex");
      }

      const parsed = parseSiweMessage(message);
      const missing = (["domain", "address", "uri", "version", "chainId", "nonce", "issuedAt"] as const).filter(
        (k) => parsed[k] === undefined || parsed[k] === "",
      );
      if (missing.length) {
        throw new HttpError(400, "SIWE_MALFORMED", `not an EIP-4361 message: missing ${missing.join(", ")}`);
      }
      for (const k of ["issuedAt", "expirationTime", "notBefore"] as const) {
        const d = parsed[k];
        if (d && Number.isNaN(d.getTime()))
          throw new HttpError(400, "SIWE_MALFORMED", `${k} is not an RFC 3339 date-time`);
      }
      if (parsed.version !== "1")
        throw new HttpError(400, "SIWE_MALFORMED", `unsupported SIWE version ${parsed.version}`);

      const { config } = ctx;
      if (parsed.domain !== config.siweDomain) {
        throw siweError("SIWE_WRONG_DOMAIN", `the message is for ${parsed.domain}, this site is ${config.siweDomain}`);
      }
      let uriOrigin: string | undefined;
      try {
        uriOrigin = new URL(parsed.uri!).origin;
      } catch {
        uriOrigin = undefined;
      }
      if (uriOrigin !== config.siweOrigin) {
        throw siweError("SIWE_WRONG_URI", `the message's URI ${parsed.uri} is not on ${config.siweOrigin}`);
      }
      if (parsed.scheme && `${parsed.scheme}:` !== new URL(config.siweOrigin).protocol) {
        throw siweError(
          "SIWE_WRONG_DOMAIN",
          `the message's scheme ${parsed.scheme} does not match ${config.siweOrigin}`,
        );
      }
      if (parsed.chainId !== config.chainId) {
        throw siweError(
          "SIWE_WRONG_CHAIN",
          `the message is for chain ${parsed.chainId}, this server serves chain ${config.chainId}`,
        );
      }
      const now = new Date();
      if (parsed.expirationTime && parsed.expirationTime <= now) {
        throw siweError("SIWE_EXPIRED", `the message expired at ${parsed.expirationTime.toISOString()}`);
      }
      if (parsed.notBefore && parsed.notBefore > now) {
        throw siweError("SIWE_NOT_YET_VALID", `the message is not valid before ${parsed.notBefore.toISOString()}`);
      }
      if (parsed.issuedAt!.getTime() > now.getTime() + CLOCK_SKEW_MS) {
        throw siweError(
          "SIWE_ISSUED_IN_FUTURE",
          `the message says it was issued at ${parsed.issuedAt!.toISOString()}, in the future`,
        );
      }
      // viem's own validation as well, so a rule it adds in a later version applies here too.
      if (!validateSiweMessage({ message: parsed, domain: config.siweDomain, nonce: parsed.nonce, time: now })) {
        throw siweError("SIWE_INVALID", "the message does not pass EIP-4361 validation");
      }

      // Checked here and recorded as used only after the signature verifies, so nobody
      // can spend another user's nonce by sending it with a bad signature.
      assertNonceUsable(ctx.nonces.check(parsed.nonce!, now.getTime()));

      let valid: boolean;
      try {
        // Also checks ERC-1271 / ERC-6492 smart-account signatures through the chain.
        valid = await ctx.chain.publicClient.verifySiweMessage({
          message,
          signature,
          domain: config.siweDomain,
          nonce: parsed.nonce,
          time: now,
        });
      } catch (err) {
        throw new HttpError(
          503,
          "CHAIN_UNAVAILABLE",
          `could not check the signature against the chain: ${(err as Error).message.split("\n")[0]}`,
        );
      }
      if (!valid)
        throw siweError("SIWE_BAD_SIGNATURE", `the signature is not ${parsed.address}'s signature of this message`);
      // Synchronous after the await: of two concurrent requests with one message, one wins.
      const marked = ctx.nonces.markUsed(parsed.nonce!, Date.now());
      if (marked === "used") assertNonceUsable("used");
      if (marked === "full") {
        throw new HttpError(
          503,
          "SIGN_IN_BUSY",
          "too many sign-ins in the last minutes; retry shortly",
          {},
          {
            "retry-after": "30",
          },
        );
      }

      const ttlEnd = nowSeconds() + config.sessionTtlSeconds;
      const expiresAt = parsed.expirationTime
        ? Math.min(ttlEnd, Math.floor(parsed.expirationTime.getTime() / 1000))
        : ttlEnd;
      const session: Session = {
        address: getAddress(parsed.address!),
        chainId: config.chainId,
        expiresAt,
        id: newSessionId(),
      };
      const cookie = serializeCookie(sessionCookieName(ctx), signSession(session, config.sessionSecret), {
        maxAgeSeconds: expiresAt - nowSeconds(),
        secure: config.secureCookies,
      });
      return json(200, sessionBody(session), { "set-cookie": cookie });
    });
}

function sessionBody(s: Session) {
  return { address: s.address, chainId: s.chainId, expiresAt: new Date(s.expiresAt * 1000).toISOString() };
}

export function sessionHandler(ctx: ServiceContext) {
  return (req: Request) =>
    handle(async () => {
      if (req.method !== "GET") return methodNotAllowed(["GET"]);
      return json(200, sessionBody(requireSession(ctx, req)));
    });
}

export function logoutHandler(ctx: ServiceContext) {
  return (req: Request) =>
    handle(async () => {
      if (req.method !== "POST") return methodNotAllowed(["POST"]);
      assertSameOrigin(req, ctx.config.siweOrigin);
      let signedOut: Address | undefined;
      try {
        const session = requireSession(ctx, req);
        ctx.revokedSessions.revoke(session, nowSeconds());
        signedOut = session.address;
      } catch (err) {
        // Signing out without a (valid) session is not an error: the cookie goes either way.
        if (!(err instanceof HttpError)) throw err;
      }
      const clear = serializeCookie(sessionCookieName(ctx), "", { maxAgeSeconds: 0, secure: ctx.config.secureCookies });
      return json(200, { signedOut: signedOut ?? null }, { "set-cookie": clear });
    });
}
