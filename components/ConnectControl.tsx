"use client";

/**
 * The wallet control: connect, the connected account, and every way that can go wrong in
 * words — no wallet installed, wrong network (switch, or add the chain), a locked wallet,
 * a declined request.
 */
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { useConnect, useConnection, useConnectors, useDisconnect, useSwitchChain } from "wagmi";
import { appConfig, isSupportedChain } from "@/app/config.ts";
import { chainName } from "@/lib/chain/chains.ts";
import { shortAddress } from "@/lib/format.ts";
import { explainError } from "@/lib/vault/errors.ts";
import { useVault } from "@/hooks/useVault.ts";

function connectMessage(err: unknown): string {
  const e = explainError(err);
  if (e.rejected) return "You declined the connection request. Press Connect wallet to try again.";
  if (e.code === "RequestPending")
    return "Your wallet already has a request open — open it (it may be locked), unlock it and approve.";
  if (/no provider|provider not found|ProviderNotFound/i.test(`${e.code} ${e.message}`)) {
    return "No browser wallet found. Install MetaMask (or another Ethereum wallet extension) and reload this page.";
  }
  return e.message;
}

/** The name people know chain `id` by ("Ethereum"), once viem's chain list has loaded. */
export function useChainName(id: number | undefined): string | undefined {
  const [named, setNamed] = useState<{ id: number; name: string } | undefined>();
  useEffect(() => {
    if (id === undefined) return;
    let live = true;
    chainName(id).then(
      (name) => live && setNamed({ id, name }),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [id]);
  return named && named.id === id ? named.name : undefined;
}

export function ConnectControl() {
  const { address, status, chainId } = useConnection();
  const connectors = useConnectors();
  const connect = useConnect();
  const { disconnect } = useDisconnect();
  const switchChain = useSwitchChain();
  const { session, signIn, ctx } = useVault();
  const [hasWallet, setHasWallet] = useState<boolean | undefined>(undefined);
  const [locked, setLocked] = useState(false);
  const [siweError, setSiweError] = useState<string | undefined>();
  const [siweBusy, setSiweBusy] = useState(false);
  // The user approved the connection at Connect but declined the network switch asked for with it.
  const [switchDeclined, setSwitchDeclined] = useState(false);
  const walletChain = useChainName(chainId);
  // Registrars act only through transactions; the storage service's sign-in is for patients and clinicians.
  const needsSession = !usePathname()?.startsWith("/registrar");

  useEffect(() => {
    type Injected = { _metamask?: { isUnlocked?: () => Promise<boolean> } };
    const eth = typeof window !== "undefined" ? (window as { ethereum?: Injected }).ethereum : undefined;
    setHasWallet(Boolean(eth));
    // MetaMask says whether it is locked without prompting; other wallets simply prompt on connect.
    eth?._metamask?.isUnlocked?.().then(
      (unlocked) => setLocked(!unlocked),
      () => undefined,
    );
  }, [status]);

  const target = appConfig.chains.find((c) => c.id === appConfig.defaultChainId) ?? appConfig.chains[0];

  if (status !== "connected" || !address) {
    return (
      <div className="connect" data-testid="connect-control">
        <button
          type="button"
          className="btn btn-primary"
          data-testid="connect-button"
          disabled={connect.isPending || hasWallet === false}
          onClick={() => {
            const injected = connectors[0];
            if (!injected) return;
            setSwitchDeclined(false);
            connect.mutate(
              { connector: injected, chainId: target.id },
              {
                // A refusal after the wallet shared its accounts, while it is still on another
                // network, is the declined switch: connect as it is and show the wrong-network state.
                onError: async (err) => {
                  if (!explainError(err).rejected) return;
                  const accounts = await injected.getAccounts().catch(() => []);
                  const onChain = await injected.getChainId().catch(() => target.id);
                  if (accounts.length === 0 || onChain === target.id) return;
                  setSwitchDeclined(true);
                  connect.mutate({ connector: injected });
                },
              },
            );
          }}
        >
          {connect.isPending ? "Waiting for wallet…" : "Connect wallet"}
        </button>
        {hasWallet === false ? (
          <p className="status status-warn" role="alert" data-testid="connect-error" data-reason="no-wallet">
            No browser wallet found. Install{" "}
            <a href="https://metamask.io/download/" rel="noreferrer">
              MetaMask
            </a>{" "}
            (or another Ethereum wallet extension) and reload this page.
          </p>
        ) : null}
        {hasWallet && locked && !connect.error ? (
          <p className="status status-warn" role="status" data-testid="connect-error" data-reason="locked">
            Your wallet is locked. Press Connect wallet and unlock it with your password when it opens.
          </p>
        ) : null}
        {connect.error ? (
          <p className="status status-error" role="alert" data-testid="connect-error" data-reason="connect-failed">
            {connectMessage(connect.error)}
          </p>
        ) : null}
      </div>
    );
  }

  if (!isSupportedChain(chainId)) {
    return (
      <div className="connect" data-testid="connect-control">
        <p className="status status-warn" role="alert" data-testid="wrong-network">
          Your wallet is on {walletChain ?? `chain ${chainId}`}. MedVault runs on {target.name} ({target.id}).
        </p>
        {switchDeclined && !switchChain.error ? (
          <p className="status status-error" role="alert" data-testid="connect-error" data-reason="switch-declined">
            You connected your wallet but declined switching it to {target.name}. MedVault needs that network: press
            Switch to {target.name} to try again.
          </p>
        ) : null}
        <button
          type="button"
          className="btn btn-primary"
          data-testid="switch-network"
          disabled={switchChain.isPending}
          onClick={() => switchChain.mutate({ chainId: target.id })}
        >
          {switchChain.isPending ? "Switching…" : `Switch to ${target.name}`}
        </button>
        {switchChain.error ? (
          <p className="status status-error" role="alert" data-testid="connect-error">
            {explainError(switchChain.error).rejected
              ? `You declined the network switch. MedVault needs ${target.name} to work.`
              : `Could not switch or add the network: ${explainError(switchChain.error).message}`}
          </p>
        ) : null}
      </div>
    );
  }

  return (
    <div className="connect connected" data-testid="connect-control">
      <span className="account" data-testid="account-address" title={address}>
        <span className="dot" aria-hidden="true" /> {shortAddress(address)}
      </span>
      {session ? (
        <span className="pill pill-ok" data-testid="siwe-status" data-signed-in="true">
          Signed in
        </span>
      ) : !needsSession ? null : (
        <button
          type="button"
          className="btn btn-secondary"
          data-testid="siwe-button"
          disabled={siweBusy || !ctx}
          onClick={async () => {
            setSiweBusy(true);
            setSiweError(undefined);
            try {
              await signIn();
            } catch (err) {
              setSiweError(explainError(err).message);
            } finally {
              setSiweBusy(false);
            }
          }}
        >
          {siweBusy ? "Check your wallet…" : "Sign in"}
        </button>
      )}
      <button type="button" className="btn btn-ghost" data-testid="disconnect-button" onClick={() => disconnect()}>
        Disconnect
      </button>
      {siweError ? (
        <p className="status status-error" role="alert" data-testid="siwe-error">
          {siweError}
        </p>
      ) : null}
    </div>
  );
}
