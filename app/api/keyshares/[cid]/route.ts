import { getService } from "@/lib/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ cid: string }> }) {
  return getService().readKeyShare(req, (await params).cid);
}
