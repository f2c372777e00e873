/**
 * Every MedVault write goes through `sendTx`: simulate first (a revert surfaces as the
 * contract's custom error before the wallet pops up), then send, then wait for the
 * receipt, reporting pending → confirmed / failed to the caller. Calls are typed by the
 * gateway (gateway.ts): a misspelled function or a wrong argument fails `tsc`.
 */
import type { Hash, TransactionReceipt } from "viem";
import { VaultError, type VaultContext } from "./context.ts";
import { encodeTx, simulateTx, type TxCall, type WriteName, type WriteResult } from "./gateway.ts";

export type { TxCall };

export type TxResult<F extends WriteName = WriteName> = {
  hash: Hash;
  receipt: TransactionReceipt;
  result: WriteResult<F>;
};

export type TxStatus =
  | { stage: "simulating" }
  | { stage: "signing" }
  | { stage: "pending"; hash: Hash }
  | { stage: "confirmed"; hash: Hash; blockNumber: bigint };

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

export async function sendTx<F extends WriteName>(
  ctx: VaultContext,
  call: TxCall<F>,
  onStatus?: (s: TxStatus) => void,
): Promise<TxResult<F>> {
  const wallet = requireWallet(ctx);
  onStatus?.({ stage: "simulating" });
  const result = await simulateTx(ctx, call);
  onStatus?.({ stage: "signing" });
  // The simulation checked the call; the wallet signs exactly its calldata.
  const hash = await wallet.sendTransaction({
    to: ctx.contract,
    data: encodeTx(call),
    account: ctx.account,
    chain: ctx.publicClient.chain,
  });
  onStatus?.({ stage: "pending", hash });
  const receipt = await ctx.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new TransactionFailedError(hash);
  onStatus?.({ stage: "confirmed", hash, blockNumber: receipt.blockNumber });
  return { hash, receipt, result };
}

/** Several calls in one transaction through the contract's OpenZeppelin `multicall`. */
export async function sendMulticall(ctx: VaultContext, calls: readonly TxCall[], onStatus?: (s: TxStatus) => void) {
  return sendTx(ctx, { functionName: "multicall", args: [calls.map((c) => encodeTx(c))] }, onStatus);
}
