import { withService } from "@/lib/service";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/records/{cid}?patient=0x…&record=N */
export async function GET(req: Request, { params }: { params: Promise<{ cid: string }> }) {
  const { cid } = await params;
  return withService((s) => s.readRecord(req, cid));
}

/** DELETE /api/records/{cid}?patient=0x…&record=N — unpin an erased record's ciphertext. */
export async function DELETE(req: Request, { params }: { params: Promise<{ cid: string }> }) {
  const { cid } = await params;
  return withService((s) => s.releaseErased(req, cid));
}
