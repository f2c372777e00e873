import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cookieFetch, getSession, requestJson, ServiceError } from "../../../lib/vault/api.ts";

describe("lib/vault service client", () => {
  let server: Server;
  let baseUrl: string;
  before(async () => {
    // A tiny real HTTP server standing in for nothing but cookies and status codes.
    server = createServer((req, res) => {
      if (req.url === "/login") {
        res.setHeader("set-cookie", "mv_session=abc123; Path=/; HttpOnly; SameSite=Strict");
        res.end("{}");
      } else if (req.url === "/api/auth/session") {
        if (req.headers.cookie === "mv_session=abc123") {
          res.setHeader("content-type", "application/json");
          res.end(
            JSON.stringify({ address: "0x0000000000000000000000000000000000000001", chainId: 31337, expiresAt: "x" }),
          );
        } else {
          res.statusCode = 401;
          res.end(JSON.stringify({ error: "UNAUTHENTICATED", message: "sign in first" }));
        }
      } else if (req.url === "/logout") {
        res.setHeader("set-cookie", "mv_session=; Path=/; Max-Age=0");
        res.end("{}");
      } else {
        res.statusCode = 502;
        res.end("<html>bad gateway</html>");
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it("keeps the session cookie between calls in Node and drops it on logout", async () => {
    const api = { baseUrl, fetch: cookieFetch() };
    expect(await getSession(api)).to.equal(undefined);
    await requestJson(api, "/login");
    expect((await getSession(api))?.chainId).to.equal(31337);
    await requestJson(api, "/logout");
    expect(await getSession(api)).to.equal(undefined);
  });

  it("turns a non-JSON error page into a ServiceError with the status", async () => {
    const api = { baseUrl, fetch: cookieFetch() };
    const err = await requestJson(api, "/nowhere").catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ServiceError);
    expect(err).to.include({ status: 502, code: "HTTP_502" });
  });

  it("reports an unreachable service as STORAGE_UNAVAILABLE", async () => {
    const err = await requestJson({ baseUrl: "http://127.0.0.1:1", fetch }, "/api/health").catch((e: unknown) => e);
    expect(err).to.include({ code: "STORAGE_UNAVAILABLE", status: 0 });
  });
});
