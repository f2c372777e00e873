import { loadConfig } from "@/lib/config";
import { createRpcProxy } from "@/lib/service/rpc-proxy";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// Built on first request, not at import: `next build` imports route modules and must not
// need the server's secrets.
let proxy: ReturnType<typeof createRpcProxy> | undefined;

export function POST(req: Request) {
  if (!proxy) {
    const config = loadConfig();
    proxy = createRpcProxy({ rpcUrl: config.rpcUrl, timeoutMs: config.rpcTimeoutMs });
  }
  return proxy(req);
}
