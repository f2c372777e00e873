import { withService } from "@/lib/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/access-log?patient=0x…&limit=N&before=SEQ */
export function GET(req: Request) {
  return withService((s) => s.accessLog(req));
}
