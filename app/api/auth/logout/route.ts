import { withService } from "@/lib/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function POST(req: Request) {
  return withService((s) => s.logout(req));
}
