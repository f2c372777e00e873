import { withService } from "@/lib/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return withService((s) => s.nonce(req));
}
