/**
 * A test wallet for the browser scenarios: an injected EIP-1193 provider in the page
 * (announced as `window.ethereum` and through EIP-6963, as MetaMask does) whose requests
 * are answered here in Node by a viem account on the real local chain. Private keys stay
 * in this process: the page only ever sees addresses, signatures and transaction hashes,
 * just as with a real wallet extension.
 */
import type { BrowserContext, Page } from "playwright-core";
import { type Hex, createWalletClient, http, numberToHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { chainFor } from "../../lib/chain/contract.ts";

export type WalletControl = {
  /** Switches the connected account; the page receives `accountsChanged`. */
  useAccount(page: Page, privateKey: Hex): Promise<void>;
  /** Makes the next request of this method fail as if the user clicked "Reject". */
  rejectNext(method: string): void;
  /**
   * Makes the wallet report chain `id` (e.g. 1, Ethereum) until the page asks to switch to
   * the local chain; the page receives `chainChanged` when `page` is given.
   */
  setChainId(id: number, page?: Page): Promise<void>;
  /** Every JSON-RPC method the page asked the wallet for, in order. */
  calls: string[];
};

const INJECTED = `
(() => {
  const listeners = new Map();
  const provider = {
    isMetaMask: true,
    isMedVaultTestWallet: true,
    async request({ method, params }) {
      const res = await window.__medvaultWallet(JSON.stringify({ method, params: params ?? [] }));
      const parsed = JSON.parse(res);
      if (parsed.error) {
        const err = new Error(parsed.error.message);
        err.code = parsed.error.code;
        throw err;
      }
      return parsed.result;
    },
    on(event, fn) { (listeners.get(event) ?? listeners.set(event, new Set()).get(event)).add(fn); return provider; },
    removeListener(event, fn) { listeners.get(event)?.delete(fn); return provider; },
    __emit(event, value) { for (const fn of listeners.get(event) ?? []) fn(value); },
  };
  window.ethereum = provider;
  const info = { uuid: "7a2f7e2e-6d8c-4a51-9a36-medvault-test", name: "MedVault Test Wallet", icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E", rdns: "io.medvault.testwallet" };
  const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
})();
`;

export async function installWallet(
  context: BrowserContext,
  { rpcUrl, chainId, privateKey }: { rpcUrl: string; chainId: number; privateKey: Hex },
): Promise<WalletControl> {
  const chain = chainFor(chainId, rpcUrl);
  let account = privateKeyToAccount(privateKey);
  let connected = false;
  /** The chain the wallet says it is on; transactions still go to the local chain. */
  let reportedChainId = chainId;
  const rejections = new Set<string>();
  const calls: string[] = [];

  const rpc = async (method: string, params: unknown[]) => {
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    return (await res.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
  };

  const emit = (page: Page, event: string, value: unknown) =>
    page.evaluate(
      ([e, v]) => {
        (window as unknown as { ethereum: { __emit(e: string, v: unknown): void } }).ethereum.__emit(e, v);
      },
      [event, value] as const,
    );

  const handle = async (method: string, params: unknown[], page: Page): Promise<unknown> => {
    if (rejections.delete(method)) throw Object.assign(new Error("User rejected the request."), { code: 4001 });
    const wallet = createWalletClient({ account, chain, transport: http(rpcUrl) });
    switch (method) {
      case "eth_requestAccounts":
        connected = true;
        return [account.address];
      case "eth_accounts":
        return connected ? [account.address] : [];
      case "eth_chainId":
        return numberToHex(reportedChainId);
      case "net_version":
        return String(reportedChainId);
      case "wallet_switchEthereumChain": {
        const target = Number((params[0] as { chainId: string }).chainId);
        if (target !== chainId) throw Object.assign(new Error("Unrecognized chain ID"), { code: 4902 });
        if (reportedChainId !== target) {
          reportedChainId = target;
          await emit(page, "chainChanged", numberToHex(target));
        }
        return null;
      }
      case "wallet_addEthereumChain":
        return null;
      case "wallet_requestPermissions":
        connected = true;
        return [{ parentCapability: "eth_accounts" }];
      case "wallet_revokePermissions":
        connected = false;
        return null;
      case "personal_sign": {
        const [data] = params as [Hex, string];
        return account.signMessage({ message: { raw: data } });
      }
      case "eth_signTypedData_v4": {
        const [, json] = params as [string, string];
        const typed = JSON.parse(json);
        const { EIP712Domain: _omit, ...types } = typed.types;
        return account.signTypedData({
          domain: typed.domain,
          types,
          primaryType: typed.primaryType,
          message: typed.message,
        });
      }
      case "eth_sendTransaction": {
        const tx = params[0] as { to?: Hex; data?: Hex; value?: Hex; gas?: Hex };
        return wallet.sendTransaction({
          to: tx.to,
          data: tx.data,
          value: tx.value ? BigInt(tx.value) : undefined,
          gas: tx.gas ? BigInt(tx.gas) : undefined,
        });
      }
      default: {
        const res = await rpc(method, params);
        if (res.error)
          throw Object.assign(new Error(res.error.message), { code: res.error.code, data: res.error.data });
        return res.result;
      }
    }
  };

  await context.exposeBinding("__medvaultWallet", async (source, payload: string) => {
    const { method, params } = JSON.parse(payload) as { method: string; params: unknown[] };
    calls.push(method);
    try {
      return JSON.stringify({ result: await handle(method, params, source.page) });
    } catch (err) {
      const e = err as { message?: string; code?: number; shortMessage?: string };
      return JSON.stringify({ error: { code: e.code ?? -32603, message: e.shortMessage ?? e.message ?? String(err) } });
    }
  });
  await context.addInitScript(INJECTED);

  return {
    calls,
    rejectNext: (method) => void rejections.add(method),
    async setChainId(id, page) {
      reportedChainId = id;
      if (page) await emit(page, "chainChanged", numberToHex(id));
    },
    async useAccount(page, key) {
      account = privateKeyToAccount(key);
      await emit(page, "accountsChanged", [account.address]);
    },
  };
}
