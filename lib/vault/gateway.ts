/**
 * The one typed gateway between TypeScript and the MedVault contract: every view, call,
 * simulation and event read is typed from the generated `as const` ABI with viem's own
 * generics, so a misspelled function, event or argument fails `tsc`
 * (test/types/gateway.typecheck.ts proves it). Actions (lib/vault/*) and hooks build on it.
 */
import {
  decodeFunctionResult,
  encodeFunctionData,
  getContractError,
  type Abi,
  type BaseError,
  type ContractEventArgs,
  type ContractEventName,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type GetEventArgs,
  type Hash,
  type Hex,
} from "viem";
import { medVaultAbi } from "../chain/generated.ts";
import type { VaultContext } from "./context.ts";

export type MedVaultAbi = typeof medVaultAbi;

type Views = "pure" | "view";
/** Every view of MedVault, by name. */
export type ReadName = ContractFunctionName<MedVaultAbi, Views>;
export type ReadArgs<F extends ReadName> = ContractFunctionArgs<MedVaultAbi, Views, F>;
export type ReadResult<F extends ReadName> = ContractFunctionReturnType<MedVaultAbi, Views, F, ReadArgs<F>>;

type Mutability = "nonpayable" | "payable";
/** Every state-changing function of MedVault, by name. */
export type WriteName = ContractFunctionName<MedVaultAbi, Mutability>;
export type WriteArgs<F extends WriteName> = ContractFunctionArgs<MedVaultAbi, Mutability, F>;
export type WriteResult<F extends WriteName> = ContractFunctionReturnType<MedVaultAbi, Mutability, F, WriteArgs<F>>;

/** One contract call, typed by its function: `{ functionName: "revokeConsent", args: [grantee] }`. */
export type TxCall<F extends WriteName = WriteName> = {
  [K in F]: { functionName: K; args: WriteArgs<K> };
}[F];

// Inside the gateway a call's name and arguments are widened to the ABI's unions once, here;
// callers stay typed by the generic signatures above.

/** Reads a view of MedVault. */
export async function readView<F extends ReadName>(
  ctx: Pick<VaultContext, "publicClient" | "contract">,
  functionName: F,
  args: ReadArgs<F>,
): Promise<ReadResult<F>> {
  // readContract itself, instantiated over every view at once, is too deep for tsc; this is
  // what it does: encode, eth_call, decode, and turn a revert into the contract's custom error.
  const call = { abi: medVaultAbi, functionName: functionName as ReadName, args: args as ReadArgs<ReadName> };
  const data = encodeFunctionData(call);
  let returned: Hex | undefined;
  try {
    ({ data: returned } = await ctx.publicClient.call({ to: ctx.contract, data }));
  } catch (err) {
    throw getContractError(err as BaseError, { ...call, address: ctx.contract });
  }
  // Decoded against the same ABI entry; the generic signature above names its type.
  const abi: Abi = medVaultAbi;
  const result: unknown = decodeFunctionResult({ abi, functionName: call.functionName, data: returned ?? "0x" });
  return result as ReadResult<F>;
}

/** Simulates `call` as the context's account: resolves with its result, rejects with the contract's revert. */
export async function simulateTx<F extends WriteName>(ctx: VaultContext, call: TxCall<F>): Promise<WriteResult<F>> {
  const { result } = await ctx.publicClient.simulateContract({
    address: ctx.contract,
    abi: medVaultAbi,
    functionName: call.functionName as WriteName,
    args: call.args as WriteArgs<WriteName>,
    account: ctx.account,
    chain: ctx.publicClient.chain,
  });
  return result as WriteResult<F>;
}

/** ABI-encoded calldata of one call, as `multicall`, wallets and relayers take it. */
export function encodeTx<F extends WriteName>(call: TxCall<F>) {
  return encodeFunctionData({
    abi: medVaultAbi,
    functionName: call.functionName as WriteName,
    args: call.args as WriteArgs<WriteName>,
  });
}

/** Every event of MedVault, by name. */
export type EventName = ContractEventName<MedVaultAbi>;
/** An event's arguments, all of them, typed from the ABI. */
export type EventArgs<E extends EventName> = GetEventArgs<
  MedVaultAbi,
  E,
  { EnableUnion: false; IndexedOnly: false; Required: true }
>;
/** What an event can be filtered by: its indexed arguments. */
export type EventFilter<E extends EventName> = ContractEventArgs<MedVaultAbi, E>;

/** One mined log of event `E`. */
export type Log<E extends EventName> = {
  eventName: E;
  args: EventArgs<E>;
  blockNumber: bigint;
  transactionHash: Hash;
  logIndex: number;
};

/** The contract's `eventName` logs, oldest first, optionally filtered by indexed arguments. */
export async function events<E extends EventName>(
  ctx: VaultContext,
  eventName: E,
  args?: EventFilter<E>,
  range: { fromBlock?: bigint; toBlock?: bigint } = {},
): Promise<Log<E>[]> {
  const logs = await ctx.publicClient.getContractEvents({
    address: ctx.contract,
    abi: medVaultAbi,
    eventName: eventName as EventName,
    args: args as EventFilter<EventName>,
    fromBlock: range.fromBlock ?? ctx.fromBlock ?? 0n,
    toBlock: range.toBlock ?? "latest",
    strict: true,
  });
  const out: Log<E>[] = [];
  for (const l of logs) {
    if (l.blockNumber === null || l.transactionHash === null || l.logIndex === null) continue;
    out.push({
      eventName,
      args: l.args as EventArgs<E>,
      blockNumber: l.blockNumber,
      transactionHash: l.transactionHash,
      logIndex: l.logIndex,
    });
  }
  return out;
}
