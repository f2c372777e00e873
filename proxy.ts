/**
 * Next.js proxy (the file convention formerly called middleware): answers an /api path
 * whose percent-escapes do not decode with the service's JSON 400, before Next.js tries to
 * decode its params and fails with a plain 500.
 */
import { NextResponse, type NextRequest } from "next/server";
import { refuseUndecodablePath } from "./lib/service/bad-path.ts";

export function proxy(request: NextRequest): Response {
  return refuseUndecodablePath(request.url) ?? NextResponse.next();
}

export const config = { matcher: "/api/:path*" };
