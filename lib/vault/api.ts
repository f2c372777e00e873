/**
 * The storage service as the vault sees it: Sign-In with Ethereum, ciphertext upload and
 * download, key shares and the service's access log. Every failure becomes a ServiceError
 * carrying the service's machine code and its sentence.
 */
import type { Address, Hex } from "viem";
import { createSiweMessage } from "viem/siwe";
import { VaultError, type VaultApi, type VaultContext } from "./context.ts";
import { requireWallet } from "./tx.ts";

export class ServiceError extends VaultError {
  override name = "ServiceError";
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(code, message);
  }
}

async function failure(res: Response): Promise<ServiceError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML error page): the status alone has to do.
  }
  const code = typeof body.error === "string" ? body.error : `HTTP_${res.status}`;
  const message =
    typeof body.message === "string" ? body.message : `the storage service answered ${res.status} ${res.statusText}`;
  return new ServiceError(res.status, code, message, body);
}

export async function request(api: VaultApi, path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await api.fetch(`${api.baseUrl}${path}`, { credentials: "same-origin", ...init });
  } catch (err) {
    throw new ServiceError(0, "STORAGE_UNAVAILABLE", `the storage service is not reachable: ${(err as Error).message}`);
  }
  if (!res.ok) throw await failure(res);
  return res;
}

export async function requestJson<T>(api: VaultApi, path: string, init: RequestInit = {}): Promise<T> {
  return (await (await request(api, path, init)).json()) as T;
}

export type SessionInfo = { address: Address; chainId: number; expiresAt: string };

/** The signed-in session, or undefined when there is none (or it expired). */
export async function getSession(api: VaultApi): Promise<SessionInfo | undefined> {
  try {
    return await requestJson<SessionInfo>(api, "/api/auth/session");
  } catch (err) {
    if (err instanceof ServiceError && err.status === 401) return undefined;
    throw err;
  }
}

/** Sign-In with Ethereum: one wallet signature opens a session for the storage routes. */
export async function signIn(ctx: VaultContext): Promise<SessionInfo> {
  const wallet = requireWallet(ctx);
  const n = await requestJson<{ nonce: string; domain: string; uri: string; chainId: number }>(
    ctx.api,
    "/api/auth/nonce",
  );
  const message = createSiweMessage({
    address: ctx.account,
    chainId: n.chainId,
    domain: n.domain,
    uri: n.uri,
    nonce: n.nonce,
    version: "1",
    issuedAt: new Date(),
    statement: "Sign in to MedVault's storage service. This signature sends no transaction and costs nothing.",
  });
  const signature: Hex = await wallet.signMessage({ account: ctx.account, message });
  return requestJson<SessionInfo>(ctx.api, "/api/auth/verify", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message, signature }),
  });
}

export async function signOut(api: VaultApi): Promise<void> {
  await request(api, "/api/auth/logout", { method: "POST" });
}

/**
 * A fetch that keeps cookies between calls, for Node callers (the seed script): the
 * browser does this itself. The jar holds name=value pairs only; every cookie the service
 * sets is host-only and path=/.
 */
export function cookieFetch(inner: typeof fetch = fetch): typeof fetch {
  const jar = new Map<string, string>();
  return async (input, init = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await inner(input, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      if (eq > 0) {
        const name = pair!.slice(0, eq).trim();
        const value = pair!.slice(eq + 1).trim();
        if (value === "" || /max-age=0/i.test(line)) jar.delete(name);
        else jar.set(name, value);
      }
    }
    return res;
  };
}
