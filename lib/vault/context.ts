/**
 * What every vault operation is given. Framework-free: the app builds it from wagmi's
 * clients, the demo seed script from plain viem clients over HTTP, so both run the exact
 * same orchestration against the same contract and storage service.
 */
import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from "viem";

export type VaultApi = {
  /** Origin of the storage service ("" in the browser: same origin as the app). */
  baseUrl: string;
  /** Must carry the SIWE session cookie: the browser's fetch does; Node callers use `cookieFetch`. */
  fetch: typeof fetch;
};

export type VaultContext = {
  publicClient: PublicClient<Transport, Chain | undefined>;
  /** Absent for read-only use (the timeline of a patient, a proof check). */
  walletClient?: WalletClient<Transport, Chain | undefined, Account | undefined> | undefined;
  /** The connected account: the patient, clinician or registrar acting. */
  account: Address;
  contract: Address;
  chainId: number;
  api: VaultApi;
  /** Block the contract was deployed in; event scans start here (0 on a local chain). */
  fromBlock?: bigint;
};

export class VaultError extends Error {
  override name = "VaultError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
