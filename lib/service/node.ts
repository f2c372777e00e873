/**
 * Serves `Request → Response` handlers from node:http, for tests and scripts (Next.js
 * has its own adapter). Listens on 127.0.0.1 only.
 */
import { setPeerAddress } from "./http.ts";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The request body as a web stream. Cancelling it (a handler refusing an oversized
 * body) only stops reading: destroying the socket here would lose the 413 response.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on("data", (chunk: Buffer) => {
          if (finished) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.on("end", () => {
          if (finished) return;
          finished = true;
          controller.close();
        });
        req.on("close", () => {
          if (finished) return;
          finished = true;
          controller.error(new Error("the client closed the connection before the body was complete"));
        });
        req.pause();
      },
      pull() {
        req.resume();
      },
      cancel() {
        finished = true;
        req.pause();
      },
    },
    { highWaterMark: 1 },
  );
}

export function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) headers.append(k, item);
    else headers.set(k, v);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const request = new Request(new URL(req.url ?? "/", origin), {
    method,
    headers,
    body: hasBody ? bodyStream(req) : undefined,
    duplex: "half",
  } as RequestInit);
  setPeerAddress(request, req.socket.remoteAddress);
  return request;
}

export async function sendResponse(req: IncomingMessage, res: ServerResponse, response: Response): Promise<void> {
  const headers = new Headers(response.headers);
  // A body left unread (refused upload) would otherwise be drained to keep the
  // connection alive; closing it stops the client from sending the rest.
  if (!req.complete) headers.set("connection", "close");
  const setCookies = headers.getSetCookie();
  const out: Record<string, string | string[]> = {};
  headers.forEach((v, k) => {
    if (k !== "set-cookie") out[k] = v;
  });
  if (setCookies.length) out["set-cookie"] = setCookies;
  res.writeHead(response.status, out);
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((r) => res.once("drain", r));
    }
  }
  res.end();
}

export type RunningServer = {
  server: Server;
  url: string;
  /** Resolves once every request received so far has been answered (or given up on). */
  settled(): Promise<void>;
  close(): Promise<void>;
};

export async function serve(handler: (req: Request) => Promise<Response>, port = 0): Promise<RunningServer> {
  let origin = "http://127.0.0.1";
  const inflight = new Set<Promise<unknown>>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const done = handler(toRequest(req, origin))
      .then((response) => sendResponse(req, res, response))
      .catch((err) => {
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: "INTERNAL", message: "the service failed unexpectedly" }));
        } else {
          res.destroy(err as Error);
        }
      });
    inflight.add(done);
    void done.finally(() => inflight.delete(done));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    url: origin,
    async settled() {
      while (inflight.size) await Promise.allSettled([...inflight]);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
