/**
 * GET /api/health — what an operator (and the stack runner) checks first: is the chain
 * the one configured, is the contract deployed there, is storage up. Each probe is
 * bounded by `healthTimeoutMs`, so a hung node turns into a named failure, not a hung
 * request. 200 when all pass, 503 with `failing` and `reasons` otherwise.
 */
import type { ServiceContext } from "./context.ts";
import { withTimeout } from "./context.ts";
import { handle, json, methodNotAllowed } from "./http.ts";

type Part = "chain" | "contract" | "storage";

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
}

export function healthHandler(ctx: ServiceContext) {
  return (req: Request) =>
    handle(async () => {
      if (req.method !== "GET") return methodNotAllowed(["GET"]);
      const ms = ctx.config.healthTimeoutMs;
      const failing: Part[] = [];
      const reasons: Partial<Record<Part, string>> = {};
      const fail = (part: Part, reason: string) => {
        if (!failing.includes(part)) failing.push(part);
        reasons[part] ??= reason;
      };
      const { publicClient, contractAddress } = ctx.chain;

      const chainProbe = (async () => {
        try {
          const [chainId, blockNumber] = await withTimeout(
            Promise.all([publicClient.getChainId(), publicClient.getBlockNumber({ cacheTime: 0 })]),
            ms,
            `the RPC node at ${ctx.config.rpcUrl}`,
          );
          if (chainId !== ctx.config.chainId) {
            fail(
              "chain",
              `the RPC node serves chain ${chainId}, the app is configured for chain ${ctx.config.chainId}`,
            );
          }
          return { chainId, blockNumber: Number(blockNumber) };
        } catch (err) {
          fail("chain", `cannot reach the RPC node at ${ctx.config.rpcUrl}: ${firstLine(err)}`);
          return { chainId: null, blockNumber: null };
        }
      })();

      const contractProbe = (async () => {
        if (!contractAddress) {
          fail(
            "contract",
            `no MedVault address configured for chain ${ctx.config.chainId} (set MEDVAULT_CONTRACT or run \`npm run deploy\`)`,
          );
          return { address: null, hasCode: false };
        }
        try {
          const code = await withTimeout(publicClient.getCode({ address: contractAddress }), ms, "eth_getCode");
          const hasCode = !!code && code !== "0x";
          if (!hasCode) {
            fail(
              "contract",
              `no contract code at ${contractAddress} (a restarted local node loses its state: redeploy with \`npm run deploy\`)`,
            );
          }
          return { address: contractAddress, hasCode };
        } catch (err) {
          fail("contract", `cannot read code at ${contractAddress}: ${firstLine(err)}`);
          return { address: contractAddress, hasCode: null };
        }
      })();

      const storageProbe = (async () => {
        try {
          const info = await withTimeout(
            ctx.store().then((s) => s.info()),
            ms,
            "the storage backend",
          );
          return { backend: info.backend, peerId: info.peerId ?? null, blockCount: info.blockCount ?? null };
        } catch (err) {
          fail("storage", `storage is unavailable: ${firstLine(err)}`);
          return { backend: null, peerId: null, blockCount: null };
        }
      })();

      const [chain, contract, storage] = await Promise.all([chainProbe, contractProbe, storageProbe]);
      const body = {
        ok: failing.length === 0,
        chainId: chain.chainId,
        blockNumber: chain.blockNumber,
        contracts: { MedVault: contract },
        storage,
        ...(failing.length ? { failing, reasons } : {}),
      };
      return json(failing.length ? 503 : 200, body);
    });
}
