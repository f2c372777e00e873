/**
 * A read-only JSON-RPC relay from the browser to the chain node the server is configured
 * with. The app's public client talks to `/api/rpc` on its own origin, so the same build
 * works against any node (a local Hardhat node on any port, or a provider URL holding an
 * API key that must not ship to browsers). Transactions never pass here: the user's
 * wallet sends them to its own RPC.
 */
import { readBodyLimited } from "./body.ts";
import { HttpError, handle, json, methodNotAllowed } from "./http.ts";

/** Methods the app's reads need; anything that could change state or leak node internals is refused. */
export const RELAYED_METHODS = new Set([
  "eth_chainId",
  "net_version",
  "eth_blockNumber",
  "eth_call",
  "eth_estimateGas",
  "eth_gasPrice",
  "eth_maxPriorityFeePerGas",
  "eth_feeHistory",
  "eth_getBalance",
  "eth_getBlockByNumber",
  "eth_getBlockByHash",
  "eth_getCode",
  "eth_getLogs",
  "eth_getStorageAt",
  "eth_getTransactionByHash",
  "eth_getTransactionReceipt",
  "eth_getTransactionCount",
]);

export const MAX_RPC_BODY_BYTES = 256 * 1024;
export const MAX_RPC_BATCH = 50;

type RpcRequest = { jsonrpc?: string; id?: unknown; method?: unknown; params?: unknown };

export function createRpcProxy(opts: { rpcUrl: string; timeoutMs: number; fetch?: typeof fetch }) {
  const doFetch = opts.fetch ?? fetch;
  return async function rpcProxy(req: Request): Promise<Response> {
    return handle(async () => {
      if (req.method !== "POST") return methodNotAllowed(["POST"]);
      if (!req.headers.get("content-type")?.startsWith("application/json"))
        throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "send JSON-RPC as application/json");
      // The limit is enforced while the body streams in: an oversized one is refused with
      // 413 on its Content-Length, or as soon as its bytes pass the limit, never buffered.
      const bytes = await readBodyLimited(req, MAX_RPC_BODY_BYTES);
      let text: string;
      let body: RpcRequest | RpcRequest[];
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        body = JSON.parse(text) as RpcRequest | RpcRequest[];
      } catch {
        throw new HttpError(400, "BAD_JSON", "the body is not valid JSON");
      }
      const calls = Array.isArray(body) ? body : [body];
      if (calls.length === 0 || calls.length > MAX_RPC_BATCH)
        throw new HttpError(400, "BAD_BATCH", `send between 1 and ${MAX_RPC_BATCH} calls per request`);
      for (const c of calls) {
        if (typeof c !== "object" || c === null || typeof c.method !== "string")
          throw new HttpError(400, "BAD_RPC_REQUEST", "every call needs a string `method`");
        if (!RELAYED_METHODS.has(c.method))
          throw new HttpError(
            403,
            "METHOD_NOT_RELAYED",
            `${c.method} is not relayed; the wallet sends transactions itself`,
            {
              method: c.method,
            },
          );
      }
      let upstream: Response;
      try {
        upstream = await doFetch(opts.rpcUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: text,
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
      } catch (err) {
        throw new HttpError(503, "CHAIN_UNAVAILABLE", `the chain node did not answer: ${(err as Error).message}`);
      }
      if (!upstream.ok) throw new HttpError(502, "CHAIN_ERROR", `the chain node answered HTTP ${upstream.status}`);
      return json(200, await upstream.json());
    });
  };
}
