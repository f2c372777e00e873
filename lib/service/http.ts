/** Small helpers shared by the service's handlers: JSON bodies, errors, cookies. */

/** Every error the service answers with: a stable machine code and a sentence for people. */
export type ErrorBody = { error: string; message: string } & Record<string, unknown>;

const NO_STORE = { "cache-control": "no-store" } as const;

export function json(status: number, body: unknown, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=utf-8");
  for (const [k, v] of Object.entries(NO_STORE)) if (!h.has(k)) h.set(k, v);
  return new Response(JSON.stringify(body), { status, headers: h });
}

/** Thrown inside handlers to end the request with a JSON error; caught by `handle()`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers?: HeadersInit,
  ) {
    super(message);
    this.name = "HttpError";
  }

  toResponse(): Response {
    const body: ErrorBody = { error: this.code, message: this.message, ...this.details };
    return json(this.status, body, this.headers);
  }
}

/**
 * Runs a handler and turns any failure into a JSON error response. Unexpected errors
 * answer 500 without their message (which may hold internals) and are logged.
 */
export async function handle(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HttpError) return err.toResponse();
    console.error("[medvault service] unexpected error", err);
    return new HttpError(500, "INTERNAL", "the service failed unexpectedly; see the server log").toResponse();
  }
}

export function methodNotAllowed(allowed: string[]): Response {
  return new HttpError(
    405,
    "METHOD_NOT_ALLOWED",
    `use ${allowed.join(" or ")}`,
    {},
    { allow: allowed.join(", ") },
  ).toResponse();
}

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export type CookieOptions = { maxAgeSeconds: number; secure: boolean };

export function serializeCookie(name: string, value: string, opts: CookieOptions): string {
  // HttpOnly keeps scripts (and any XSS) from reading the session; SameSite=Strict keeps
  // other sites from riding it (CSRF); Path=/ so every API route sees it.
  const parts = [
    `${name}=${value}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`,
  ];
  if (opts.secure) parts.push("Secure");
  return parts.join("; ");
}

/**
 * Rejects a state-changing request sent by a page of another origin. SameSite=Strict
 * already keeps the session cookie off such requests; this also covers the sign-in
 * request itself, which carries no cookie yet. Requests without an Origin header
 * (curl, server-to-server, tests) are let through: they cannot carry a victim's cookie.
 */
export function assertSameOrigin(req: Request, allowedOrigin: string): void {
  const origin = req.headers.get("origin");
  if (origin && origin !== "null" && origin !== allowedOrigin) {
    throw new HttpError(
      403,
      "CROSS_ORIGIN",
      `requests from ${origin} are not accepted; this service serves ${allowedOrigin}`,
    );
  }
  if (origin === "null") {
    throw new HttpError(403, "CROSS_ORIGIN", "requests from an opaque origin are not accepted");
  }
}

export function mediaType(req: Request): string {
  return (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

// The peer address of a request, set by an adapter that knows it (lib/service/node.ts).
// Kept beside the Request rather than in a header, so a client cannot claim one.
const peers = new WeakMap<Request, string>();

export function setPeerAddress(req: Request, address: string | undefined): void {
  if (address) peers.set(req, address);
}

/**
 * Who is asking, for rate limits: x-forwarded-for's first hop when the operator says a
 * proxy in front sets it (TRUST_PROXY), else the socket's peer when the adapter knows it,
 * else one shared bucket (Next.js does not hand route handlers the peer address).
 */
export function clientAddress(req: Request, trustProxy: boolean): string {
  if (trustProxy) {
    const first = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (first) return first.slice(0, 64);
  }
  return peers.get(req) ?? "(unknown)";
}
