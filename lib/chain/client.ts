/**
 * The server's read-only view of the chain: a viem public client for the configured RPC
 * and chain, the MedVault address, and typed helpers for the reads the storage service
 * makes (consent check, record anchor, registrar role). Writes happen in the browser, never here.
 */
import {
  createPublicClient,
  http,
  BaseError,
  ContractFunctionRevertedError,
  zeroHash,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import { chainFor, deployedAddress } from "./contract.ts";
import type { ServerConfig } from "../config.ts";
import { medVaultAbi } from "./generated.ts";

export class ContractNotConfiguredError extends Error {
  readonly code = "CONTRACT_NOT_CONFIGURED";
  constructor(readonly chainId: number) {
    super(
      `no MedVault address for chain ${chainId}: set MEDVAULT_CONTRACT or deploy with \`npm run deploy\` ` +
        "(which records the address in lib/chain/generated.ts)",
    );
    this.name = "ContractNotConfiguredError";
  }
}

export type RecordAnchor = {
  cidDigest: Hex;
  category: number;
  flags: number;
};

export type ChainClient = {
  readonly chainId: number;
  readonly publicClient: PublicClient<Transport, Chain>;
  /** `undefined` when neither MEDVAULT_CONTRACT nor a recorded deployment names one. */
  readonly contractAddress: Address | undefined;
  canRead(reader: Address, patient: Address, recordId: number): Promise<boolean>;
  /** Resolves when `reader` may read the record; otherwise rejects with the contract's custom error. */
  checkRead(reader: Address, patient: Address, recordId: number): Promise<void>;
  /** `ErrorName(arg, …)` of a contract revert inside `err`, or undefined for any other failure. */
  revertReason(err: unknown): string | undefined;
  recordCount(patient: Address): Promise<number>;
  /** The anchor of `recordId`, or `undefined` when the patient has no such record. */
  getRecord(patient: Address, recordId: number): Promise<RecordAnchor | undefined>;
  hasRole(role: Hex, account: Address): Promise<boolean>;
};

// Re-exported for the server's callers; the definitions are browser-safe in contract.ts.
export { chainFor, deployedAddress } from "./contract.ts";

export function createChainClient(
  config: Pick<ServerConfig, "rpcUrl" | "chainId" | "contractAddress" | "rpcTimeoutMs">,
  // Tests pass Hardhat's in-process provider through `custom(...)`; the server uses HTTP.
  transport: Transport = http(config.rpcUrl, { timeout: config.rpcTimeoutMs, retryCount: 1 }),
): ChainClient {
  const publicClient = createPublicClient({ chain: chainFor(config.chainId, config.rpcUrl), transport });
  const contractAddress = config.contractAddress ?? deployedAddress(config.chainId);
  const address = (): Address => {
    if (!contractAddress) throw new ContractNotConfiguredError(config.chainId);
    return contractAddress;
  };

  const recordCount = async (patient: Address) =>
    Number(
      await publicClient.readContract({
        address: address(),
        abi: medVaultAbi,
        functionName: "recordCount",
        args: [patient],
      }),
    );

  return {
    chainId: config.chainId,
    publicClient,
    contractAddress,
    canRead: (reader, patient, recordId) =>
      publicClient.readContract({
        address: address(),
        abi: medVaultAbi,
        functionName: "canRead",
        args: [reader, patient, recordId],
      }),
    async checkRead(reader, patient, recordId) {
      await publicClient.readContract({
        address: address(),
        abi: medVaultAbi,
        functionName: "checkRead",
        args: [reader, patient, recordId],
      });
    },
    revertReason,
    recordCount,
    async getRecord(patient, recordId) {
      // Ids run 1..recordCount; asking first keeps "unknown record" apart from a failing RPC.
      if (recordId < 1 || recordId > (await recordCount(patient))) return undefined;
      const [cidDigest, category, flags] = await publicClient.readContract({
        address: address(),
        abi: medVaultAbi,
        functionName: "getRecord",
        args: [patient, recordId],
      });
      if (cidDigest === zeroHash) return undefined;
      return { cidDigest, category, flags };
    },
    hasRole: (role, account) =>
      publicClient.readContract({
        address: address(),
        abi: medVaultAbi,
        functionName: "hasRole",
        args: [role, account],
      }),
  };
}

export function revertReason(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError) || !reverted.data) return undefined;
  const args = (reverted.data.args ?? []).map((a) => String(a));
  return `${reverted.data.errorName}(${args.join(", ")})`;
}
