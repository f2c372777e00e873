/**
 * Paths whose percent-escapes do not decode (e.g. /api/records/%E0%A4%A). Next.js decodes
 * route params itself and answers such a path with a plain 500; proxy.ts answers it first
 * with the service's JSON 400, and the node:http router uses the same answer.
 */
import { HttpError } from "./http.ts";

/** Whether every segment of `pathname` decodes as UTF-8 percent-escapes. */
export function pathDecodes(pathname: string): boolean {
  try {
    for (const segment of pathname.split("/")) decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

export function badPathResponse(pathname: string): Response {
  return new HttpError(
    400,
    "BAD_PATH",
    `the path ${pathname.slice(0, 200)} has a malformed percent-escape`,
  ).toResponse();
}

/** The proxy's check: a JSON 400 for an undecodable /api path, else undefined (carry on). */
export function refuseUndecodablePath(url: string): Response | undefined {
  const { pathname } = new URL(url);
  if (!pathname.startsWith("/api/") || pathDecodes(pathname)) return undefined;
  return badPathResponse(pathname);
}
