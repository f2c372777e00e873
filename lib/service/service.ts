/**
 * The storage service as plain `Request → Response` handlers. Next.js mounts each one
 * in app/api/**\/route.ts; `fetch` routes by path so the same service also runs on a
 * bare node:http server (tests, scripts).
 *
 * Routes:
 *   GET  /api/auth/nonce            → { nonce, expiresAt, domain, uri, chainId }
 *   POST /api/auth/verify           { message, signature } → session cookie + { address, chainId, expiresAt }
 *   GET  /api/auth/session          → { address, chainId, expiresAt } | 401
 *   POST /api/auth/logout           → clears the cookie
 *   POST /api/records/upload        application/octet-stream envelope → 201 { cid, size, digest, dagPb, kind }
 *   GET  /api/records/{cid}?patient=0x…&record=N → ciphertext
 *   DELETE /api/records/{cid}?patient=0x…&record=N → 204; unpins an erased record's ciphertext
 *   GET  /api/keyshares/{cid}       → key-share object
 *   GET  /api/access-log?patient=0x…&limit=&before=&outcome= → { entries, next }
 *   GET  /api/health                → { ok, chainId, blockNumber, contracts, storage } | 503
 *   POST /api/rpc                   read-only JSON-RPC relay (lib/service/rpc-proxy.ts)
 */
import { accessLogHandler } from "./access-log-route.ts";
import { badPathResponse, pathDecodes } from "./bad-path.ts";
import { logoutHandler, nonceHandler, sessionHandler, verifyHandler } from "./auth.ts";
import { createContext, type ServiceContext, type ServiceDeps } from "./context.ts";
import { healthHandler } from "./health.ts";
import { HttpError } from "./http.ts";
import { createRpcProxy } from "./rpc-proxy.ts";
import { readKeyShareHandler, readRecordHandler, releaseErasedHandler, uploadHandler } from "./records.ts";

export type MedVaultService = ReturnType<typeof createService>;

export function createService(deps: ServiceDeps) {
  const ctx: ServiceContext = createContext(deps);
  const service = {
    context: ctx,
    nonce: nonceHandler(ctx),
    verify: verifyHandler(ctx),
    session: sessionHandler(ctx),
    logout: logoutHandler(ctx),
    upload: uploadHandler(ctx),
    readRecord: readRecordHandler(ctx),
    releaseErased: releaseErasedHandler(ctx),
    readKeyShare: readKeyShareHandler(ctx),
    accessLog: accessLogHandler(ctx),
    health: healthHandler(ctx),
    rpc: createRpcProxy({ rpcUrl: ctx.config.rpcUrl, timeoutMs: ctx.config.rpcTimeoutMs }),

    /** Routes a request by path, the way the app/api folders do under Next.js. */
    async fetch(req: Request): Promise<Response> {
      const { pathname } = new URL(req.url);
      if (!pathDecodes(pathname)) return badPathResponse(pathname);
      switch (pathname) {
        case "/api/auth/nonce":
          return service.nonce(req);
        case "/api/auth/verify":
          return service.verify(req);
        case "/api/auth/session":
          return service.session(req);
        case "/api/auth/logout":
          return service.logout(req);
        case "/api/records/upload":
          return service.upload(req);
        case "/api/access-log":
          return service.accessLog(req);
        case "/api/health":
          return service.health(req);
        case "/api/rpc":
          return service.rpc(req);
      }
      const m = /^\/api\/(records|keyshares)\/([^/]+)$/.exec(pathname);
      if (m) {
        let cid: string;
        try {
          cid = decodeURIComponent(m[2]!);
        } catch {
          return badPathResponse(pathname);
        }
        if (m[1] === "keyshares") return service.readKeyShare(req, cid);
        return req.method === "DELETE" ? service.releaseErased(req, cid) : service.readRecord(req, cid);
      }
      return new HttpError(404, "NO_SUCH_ROUTE", `no route ${req.method} ${pathname}`).toResponse();
    },
  };
  return service;
}
