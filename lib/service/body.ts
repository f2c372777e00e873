/** Bounded request-body reading: the limit is enforced as bytes arrive, never after buffering. */
import { HttpError, mediaType } from "./http.ts";

function tooLarge(max: number, seen: string): HttpError {
  return new HttpError(
    413,
    "PAYLOAD_TOO_LARGE",
    `the body is larger than the limit of ${max} bytes (${seen})`,
    { limit: max },
    // The rest of an oversized body is never read; closing the connection stops the
    // client from sending it.
    { connection: "close" },
  );
}

export async function readBodyLimited(req: Request, max: number): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  let expected: number | undefined;
  if (declared !== null) {
    if (!/^\d+$/.test(declared.trim()))
      throw new HttpError(400, "BAD_CONTENT_LENGTH", `Content-Length "${declared}" is not a number`);
    expected = Number(declared);
    // Refused before a byte of the body is read.
    if (expected > max) throw tooLarge(max, `Content-Length ${expected}`);
  }
  if (!req.body) return new Uint8Array(0);

  // With a declared length the body lands in one buffer of exactly that size (no
  // second copy); a chunked body grows chunk by chunk up to the limit.
  const buf = expected !== undefined ? new Uint8Array(expected) : undefined;
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = req.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (total + value.byteLength > max) throw tooLarge(max, "the body kept coming past it");
      if (buf) {
        if (total + value.byteLength > buf.length) {
          throw new HttpError(400, "BODY_LENGTH_MISMATCH", `the body is longer than its Content-Length ${expected}`);
        }
        buf.set(value, total);
      } else {
        chunks.push(value);
      }
      total += value.byteLength;
    }
  } catch (err) {
    void reader.cancel().catch(() => {});
    if (err instanceof HttpError) throw err;
    throw new HttpError(
      400,
      "BODY_INCOMPLETE",
      "the request body ended before it was complete (connection closed or aborted)",
    );
  }
  if (buf) {
    if (total !== buf.length) {
      throw new HttpError(400, "BODY_INCOMPLETE", `the body has ${total} bytes but Content-Length says ${expected}`);
    }
    return buf;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

export async function readJson(req: Request, max: number): Promise<unknown> {
  if (mediaType(req) !== "application/json") {
    throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
  }
  const bytes = await readBodyLimited(req, max);
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, "BAD_JSON", "the body is not valid JSON");
  }
}
