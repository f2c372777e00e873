/**
 * Every MedVault write goes through `sendTx`: simulate first (a revert surfaces as the
 * contract's custom error before the wallet pops up), then send, then wait for the
 * receipt, reporting pending → confirmed / failed to the caller.
 */
import { encodeFunctionData, type Hash, type Hex, type TransactionReceipt } from "viem";
import { medVaultAbi } from "../chain/generated.ts";
import { VaultError, type VaultContext } from "./context.ts";

export type TxStatus =
  | { stage: "simulating" }
  | { stage: "signing" }
  | { stage: "pending"; hash: Hash }
  | { stage: "confirmed"; hash: Hash; blockNumber: bigint };

export type TxCall = { functionName: string; args: readonly unknown[] };

export class TransactionFailedError extends VaultError {
  override name = "TransactionFailedError";
  constructor(readonly hash: Hash) {
    super("TX_FAILED", `transaction ${hash} was mined but reverted`);
  }
}

export function requireWallet(ctx: VaultContext) {
  if (!ctx.walletClient) throw new VaultError("NO_WALLET", "connect a wallet to do this");
  return ctx.walletClient;
}

export async function sendTx(
  ctx: VaultContext,
  call: TxCall,
  onStatus?: (s: TxStatus) => void,
): Promise<{ hash: Hash; receipt: TransactionReceipt; result: unknown }> {
  const wallet = requireWallet(ctx);
  onStatus?.({ stage: "simulating" });
  // The generated ABI types every function; calls arrive here by name, so the request is
  // checked by the simulation against the real ABI rather than at compile time.
  const { request, result } = await ctx.publicClient.simulateContract({
    address: ctx.contract,
    abi: medVaultAbi,
    functionName: call.functionName,
    args: call.args,
    account: ctx.account,
    chain: ctx.publicClient.chain,
  } as never);
  onStatus?.({ stage: "signing" });
  const hash = await wallet.writeContract({ ...(request as object), account: ctx.account, chain: ctx.publicClient.chain } as never);
  onStatus?.({ stage: "pending", hash });
  const receipt = await ctx.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new TransactionFailedError(hash);
  onStatus?.({ stage: "confirmed", hash, blockNumber: receipt.blockNumber });
  return { hash, receipt, result };
}

/** Several calls in one transaction through the contract's OpenZeppelin `multicall`. */
export async function sendMulticall(ctx: VaultContext, calls: TxCall[], onStatus?: (s: TxStatus) => void) {
  const data: Hex[] = calls.map((c) =>
    encodeFunctionData({ abi: medVaultAbi, functionName: c.functionName, args: c.args } as never),
  );
  return sendTx(ctx, { functionName: "multicall", args: [data] }, onStatus);
}
