/** GET /api/access-log?patient=0x…&limit=N&before=SEQ&outcome=served|refused — the signed-in patient's service log, newest first. */
import { getAddress, isAddress, isAddressEqual } from "viem";
import { requireSession } from "./auth.ts";
import type { ServiceContext } from "./context.ts";
import { handle, HttpError, json, methodNotAllowed } from "./http.ts";

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

function intParam(url: URL, name: string, min: number, max: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  if (!/^\d{1,16}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new HttpError(400, `BAD_${name.toUpperCase()}`, `${name} must be an integer from ${min} to ${max}`);
  }
  return Number(raw);
}

export function accessLogHandler(ctx: ServiceContext) {
  return (req: Request) =>
    handle(async () => {
      if (req.method !== "GET") return methodNotAllowed(["GET"]);
      const url = new URL(req.url);
      const raw = url.searchParams.get("patient");
      if (raw === null || !isAddress(raw, { strict: false })) {
        throw new HttpError(400, "BAD_PATIENT", "the patient query parameter must be a 0x address");
      }
      const patient = getAddress(raw);
      const limit = intParam(url, "limit", 1, MAX_PAGE) ?? DEFAULT_PAGE;
      const before = intParam(url, "before", 1, Number.MAX_SAFE_INTEGER);
      const rawOutcome = url.searchParams.get("outcome");
      if (rawOutcome !== null && rawOutcome !== "served" && rawOutcome !== "refused") {
        throw new HttpError(400, "BAD_OUTCOME", "outcome must be served or refused (or left out for both)");
      }
      const outcome = rawOutcome ?? undefined;
      const session = requireSession(ctx, req);
      if (!isAddressEqual(session.address, patient)) {
        throw new HttpError(403, "NOT_YOUR_LOG", "only the patient can read their access log; sign in as that account");
      }
      const page = await ctx.accessLog.query(patient, { limit, before, outcome });
      return json(200, { patient, ...page });
    });
}
