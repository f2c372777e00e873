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

/** How long, and for how many more bytes, a refused request's unread body is drained before the socket closes. */
const LINGER_MS = 2_000;
const LINGER_BYTES = 8 * 1024 * 1024;

/**
 * A "lingering close", as nginx does it: the response to a request whose body was left
 * unread (a refused upload) goes out whole, with its length and `connection: close`, and
 * the rest of the body is read and dropped for a bounded time and size before the socket
 * closes. Closing at once would make the kernel reset the connection while the client is
 * still sending, and a client can then lose the response it was sent (EPIPE, ECONNRESET).
 */
async function lingeringEnd(req: IncomingMessage, res: ServerResponse, body: Uint8Array): Promise<void> {
  res.write(body);
  await new Promise<void>((resolve) => {
    let dropped = 0;
    const done = () => {
      clearTimeout(timer);
      req.off("data", onData);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      dropped += chunk.byteLength;
      if (dropped > LINGER_BYTES) done();
    };
    const timer = setTimeout(done, LINGER_MS);
    req.on("data", onData);
    req.once("end", done);
    req.once("close", done);
    req.resume();
  });
  res.end();
}

export async function sendResponse(req: IncomingMessage, res: ServerResponse, response: Response): Promise<void> {
  const headers = new Headers(response.headers);
  const unread = !req.complete;
  // A body left unread (refused upload) would otherwise be drained to keep the
  // connection alive; closing it stops the client from sending the rest.
  if (unread) headers.set("connection", "close");
  const setCookies = headers.getSetCookie();
  const out: Record<string, string | string[]> = {};
  headers.forEach((v, k) => {
    if (k !== "set-cookie") out[k] = v;
  });
  if (setCookies.length) out["set-cookie"] = setCookies;
  if (unread) {
    // Refusals are short JSON: sent whole, with their length, so the client has all of it
    // while the rest of its body is still being dropped.
    const body = new Uint8Array(await response.arrayBuffer());
    out["content-length"] = String(body.byteLength);
    res.writeHead(response.status, out);
    await lingeringEnd(req, res, body);
    return;
  }
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
