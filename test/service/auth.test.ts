import { expect } from "chai";
import { getAddress, type Hex } from "viem";
import { NONCE_LENGTH, RateLimiter, SiweNonces, signSession, verifySession } from "../../lib/service/session.ts";
import { Client, CHAIN_ID, DOMAIN, ORIGIN, SESSION_SECRET, siweMessage, startStack, type Stack } from "./harness.ts";

const secret = new TextEncoder().encode(SESSION_SECRET);

describe("service: Sign-In with Ethereum and sessions", function () {
  let stack: Stack;
  before(async function () {
    stack = await startStack();
  });
  after(async function () {
    await stack?.close();
  });

  const client = () => new Client(stack.url);

  it("issues single-use nonces that tell the client what to sign", async function () {
    const c = client();
    const a = await c.json<{ nonce: string; expiresAt: string; domain: string; uri: string; chainId: number }>(
      "/api/auth/nonce",
    );
    const b = await c.json<{ nonce: string }>("/api/auth/nonce");
    expect(a.status).to.equal(200);
    expect(a.body.nonce).to.match(/^[a-zA-Z0-9]{8,}$/);
    expect(a.body.nonce).to.not.equal(b.body.nonce);
    expect(a.body).to.include({ domain: DOMAIN, uri: ORIGIN, chainId: CHAIN_ID });
    const ttl = Date.parse(a.body.expiresAt) - Date.now();
    expect(ttl).to.be.within(4 * 60_000, 5 * 60_000 + 1000);
    expect(a.res.headers.get("cache-control")).to.equal("no-store");
  });

  it("signs in with a valid message and sets an httpOnly SameSite=Strict session cookie", async function () {
    const c = client();
    const user = stack.signers[1]!;
    const { status, body, res } = await c.signIn(user);
    expect(status, JSON.stringify(body)).to.equal(200);
    expect(body.address).to.equal(getAddress(user.address));
    expect(body.chainId).to.equal(CHAIN_ID);
    const cookie = res.headers.getSetCookie()[0]!;
    expect(cookie).to.match(/^medvault_session=[^;]+;/);
    expect(cookie).to.include("HttpOnly").and.include("SameSite=Strict").and.include("Path=/");
    expect(cookie, "plain-http origin: no Secure flag").to.not.include("Secure");
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)![1]);
    // The message expires in 10 minutes, before the 8-hour session cap: the session follows it.
    expect(maxAge).to.be.within(9 * 60, 10 * 60);

    const session = await c.json("/api/auth/session");
    expect(session.status).to.equal(200);
    expect(session.body.address).to.equal(getAddress(user.address));
  });

  it("caps a session at 8 hours when the message does not expire sooner", async function () {
    const c = client();
    const { status, res } = await c.signIn(stack.signers[1]!, { expirationTime: undefined });
    expect(status).to.equal(200);
    const maxAge = Number(/Max-Age=(\d+)/.exec(res.headers.getSetCookie()[0]!)![1]);
    expect(maxAge).to.be.within(8 * 3600 - 5, 8 * 3600);
  });

  it("refuses a replayed message (the nonce is single use)", async function () {
    const c = client();
    const user = stack.signers[2]!;
    const message = siweMessage(getAddress(user.address), await c.nonce());
    const signature = await user.signMessage(message);
    const first = await c.postJson("/api/auth/verify", { message, signature });
    expect(first.status).to.equal(200);
    const replay = await client().postJson("/api/auth/verify", { message, signature });
    expect(replay.status).to.equal(401);
    expect(replay.body.error).to.equal("SIWE_NONCE_USED");
    expect(replay.body.message).to.match(/already used/);
  });

  it("lets only one of two simultaneous submissions of the same message through", async function () {
    const user = stack.signers[2]!;
    const message = siweMessage(getAddress(user.address), await client().nonce());
    const signature = await user.signMessage(message);
    const results = await Promise.all(
      [1, 2, 3].map(() => client().postJson("/api/auth/verify", { message, signature })),
    );
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, 401, 401]);
  });

  it("refuses a message with a nonce this server never issued", async function () {
    const user = stack.signers[1]!;
    const message = siweMessage(getAddress(user.address), "abcdefgh12345678");
    const res = await client().postJson("/api/auth/verify", { message, signature: await user.signMessage(message) });
    expect(res.status).to.equal(401);
    expect(res.body.error).to.equal("SIWE_NONCE_UNKNOWN");
  });

  it("refuses an expired message", async function () {
    const c = client();
    const user = stack.signers[1]!;
    const { status, body } = await c.signIn(user, {
      issuedAt: new Date(Date.now() - 20 * 60_000),
      expirationTime: new Date(Date.now() - 10 * 60_000),
    });
    expect(status).to.equal(401);
    expect(body.error).to.equal("SIWE_EXPIRED");
    expect(c.cookie).to.equal(undefined);
  });

  it("refuses a message that is not valid yet", async function () {
    const { status, body } = await client().signIn(stack.signers[1]!, {
      notBefore: new Date(Date.now() + 10 * 60_000),
    });
    expect(status).to.equal(401);
    expect(body.error).to.equal("SIWE_NOT_YET_VALID");
  });

  it("refuses a message written for another site, URI or chain", async function () {
    const user = stack.signers[1]!;
    const domain = await client().signIn(user, { domain: "evil.example" });
    expect(domain.status).to.equal(401);
    expect(domain.body.error).to.equal("SIWE_WRONG_DOMAIN");
    expect(domain.body.message).to.include("evil.example").and.include(DOMAIN);

    const uri = await client().signIn(user, { uri: "https://evil.example/login" });
    expect(uri.status).to.equal(401);
    expect(uri.body.error).to.equal("SIWE_WRONG_URI");

    const chain = await client().signIn(user, { chainId: 1 });
    expect(chain.status).to.equal(401);
    expect(chain.body.error).to.equal("SIWE_WRONG_CHAIN");
  });

  it("refuses a signature by another account than the message names", async function () {
    const c = client();
    const [, alice, mallory] = stack.signers;
    const message = siweMessage(getAddress(alice!.address), await c.nonce());
    const res = await c.postJson("/api/auth/verify", { message, signature: await mallory!.signMessage(message) });
    expect(res.status).to.equal(401);
    expect(res.body.error).to.equal("SIWE_BAD_SIGNATURE");
  });

  it("answers malformed sign-in requests with 400/415 and a reason", async function () {
    const c = client();
    const notSiwe = await c.postJson("/api/auth/verify", { message: "hello", signature: "0x1234" });
    expect(notSiwe.status).to.equal(400);
    expect(notSiwe.body.error).to.equal("SIWE_MALFORMED");

    const missing = await c.postJson("/api/auth/verify", { message: "x" });
    expect(missing.status).to.equal(400);
    expect(missing.body.error).to.equal("BAD_REQUEST");

    const badSig = await c.postJson("/api/auth/verify", {
      message: siweMessage(getAddress(stack.signers[1]!.address), "abcdefgh1"),
      signature: "nothex",
    });
    expect(badSig.status).to.equal(400);
    expect(badSig.body.error).to.equal("BAD_SIGNATURE_FORMAT");

    const badJson = await c.json("/api/auth/verify", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(badJson.status).to.equal(400);
    expect(badJson.body.error).to.equal("BAD_JSON");

    const form = await c.json("/api/auth/verify", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "x",
    });
    expect(form.status).to.equal(415);
    expect(form.body.error).to.equal("UNSUPPORTED_MEDIA_TYPE");

    const huge = await c.postJson("/api/auth/verify", { message: "x".repeat(20_000), signature: "0x00" });
    expect(huge.status).to.equal(413);

    const get = await c.json("/api/auth/verify");
    expect(get.status).to.equal(405);
  });

  it("refuses a sign-in posted from another origin", async function () {
    const c = client();
    const user = stack.signers[1]!;
    const message = siweMessage(getAddress(user.address), await c.nonce());
    const res = await c.postJson(
      "/api/auth/verify",
      { message, signature: await user.signMessage(message) },
      { origin: "https://evil.example" },
    );
    expect(res.status).to.equal(403);
    expect(res.body.error).to.equal("CROSS_ORIGIN");
  });

  it("reports no session, a forged cookie and an expired cookie as 401 with distinct reasons", async function () {
    const none = await client().json("/api/auth/session");
    expect(none.status).to.equal(401);
    expect(none.body.error).to.equal("SESSION_REQUIRED");

    const c = client();
    await c.signIn(stack.signers[1]!);
    // Swap the payload for one naming another address, keeping the old MAC.
    const [, mac] = c.cookie!.split("=")[1]!.split(".");
    const forgedPayload = Buffer.from(
      JSON.stringify({ a: stack.signers[3]!.address, c: CHAIN_ID, e: 9_999_999_999, i: "x" }),
    ).toString("base64url");
    const forged = await client().json("/api/auth/session", {
      headers: { cookie: `medvault_session=${forgedPayload}.${mac}` },
    });
    expect(forged.status).to.equal(401);
    expect(forged.body.error).to.equal("SESSION_INVALID");

    const expiredToken = signSession(
      {
        address: getAddress(stack.signers[1]!.address),
        chainId: CHAIN_ID,
        expiresAt: Math.floor(Date.now() / 1000) - 1,
        id: "old",
      },
      secret,
    );
    const expired = await client().json("/api/auth/session", {
      headers: { cookie: `medvault_session=${expiredToken}` },
    });
    expect(expired.status).to.equal(401);
    expect(expired.body.error).to.equal("SESSION_EXPIRED");
  });

  it("signs out: the cookie is cleared and the old cookie no longer works", async function () {
    const c = client();
    await c.signIn(stack.signers[4]!);
    const stolen = c.cookie!;
    const out = await c.json("/api/auth/logout", { method: "POST" });
    expect(out.status).to.equal(200);
    expect(out.res.headers.getSetCookie()[0]).to.match(/^medvault_session=;.*Max-Age=0/);
    expect(c.cookie).to.equal(undefined);
    const again = await client().json("/api/auth/session", { headers: { cookie: stolen } });
    expect(again.status).to.equal(401);
    expect(again.body.error).to.equal("SESSION_ENDED");
  });

  it("signs in a smart-contract account through its ERC-1271 isValidSignature", async function () {
    // Minimal wallets as raw runtime code: one answers every isValidSignature with the
    // ERC-1271 magic value 0x1626ba7e, the other with 0xffffffff (signature refused).
    const accepting = getAddress("0x00000000000000000000000000000000000a1271");
    const refusing = getAddress("0x00000000000000000000000000000000000b1271");
    const returns = (word: string) => `0x63${word}60e01b60005260206000f3` as Hex;
    await stack.conn.provider.request({ method: "hardhat_setCode", params: [accepting, returns("1626ba7e")] });
    await stack.conn.provider.request({ method: "hardhat_setCode", params: [refusing, returns("ffffffff")] });
    const someSignature = `0x${"11".repeat(65)}` as Hex;

    const c = client();
    const ok = await c.postJson("/api/auth/verify", {
      message: siweMessage(accepting, await c.nonce()),
      signature: someSignature,
    });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body.address).to.equal(accepting);

    const no = await c.postJson("/api/auth/verify", {
      message: siweMessage(refusing, await c.nonce()),
      signature: someSignature,
    });
    expect(no.status).to.equal(401);
    expect(no.body.error).to.equal("SIWE_BAD_SIGNATURE");
  });

  it("uses a Secure __Host- cookie when the app is served over https", async function () {
    const https = await startStack({ SIWE_ORIGIN: "https://medvault.example" });
    try {
      const c = new Client(https.url);
      const user = https.signers[1]!;
      const message = siweMessage(getAddress(user.address), await c.nonce(), {
        domain: "medvault.example",
        uri: "https://medvault.example/",
      });
      const res = await c.postJson("/api/auth/verify", {
        message,
        signature: (await user.signMessage(message)) as Hex,
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const cookie = res.res.headers.getSetCookie()[0]!;
      expect(cookie).to.match(/^__Host-medvault_session=/);
      expect(cookie).to.include("Secure").and.include("HttpOnly").and.include("SameSite=Strict");
    } finally {
      await https.close();
    }
  });
});

describe("service: session tokens and nonce store", function () {
  it("rejects a token whose MAC was made with another secret", function () {
    const token = signSession(
      { address: getAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"), chainId: 1, expiresAt: 2e9, id: "a" },
      secret,
    );
    expect(verifySession(token, secret, 1).ok).to.equal(true);
    expect(verifySession(token, new TextEncoder().encode("another-secret-another-secret-another"), 1)).to.deep.equal({
      ok: false,
      reason: "bad-signature",
    });
    expect(verifySession("garbage", secret, 1)).to.deep.equal({ ok: false, reason: "malformed" });
  });

  it("expires nonces after their lifetime and takes each one once, after its signature", function () {
    const secret = new TextEncoder().encode("nonce-secret-nonce-secret-nonce-secret");
    const nonces = new SiweNonces(secret, 5 * 60_000, 10);
    const { nonce } = nonces.issue(0);
    expect(nonce)
      .to.match(/^[0-9a-f]+$/)
      .and.have.length(NONCE_LENGTH);
    expect(nonces.check(nonce, 5 * 60_000)).to.equal("expired");
    const second = nonces.issue(0).nonce;
    expect(nonces.check(second, 1000)).to.equal(undefined);
    // Checking changes nothing: only markUsed (after a valid signature) spends it.
    expect(nonces.check(second, 1000)).to.equal(undefined);
    expect(nonces.markUsed(second, 1000)).to.equal(undefined);
    expect(nonces.check(second, 1000)).to.equal("used");
    expect(nonces.markUsed(second, 1000)).to.equal("used");
  });

  it("refuses a nonce it did not sign, a tampered one and malformed ones", function () {
    const secret = new TextEncoder().encode("nonce-secret-nonce-secret-nonce-secret");
    const nonces = new SiweNonces(secret, 60_000, 10);
    const other = new SiweNonces(new TextEncoder().encode("another-secret-another-secret-another"), 60_000, 10);
    const { nonce } = nonces.issue(0);
    expect(other.check(nonce, 1)).to.equal("forged");
    // A later expiry written into the nonce breaks its MAC.
    const tampered = nonce.slice(0, 32) + "ffffffffffff" + nonce.slice(44);
    expect(nonces.check(tampered, 1)).to.equal("forged");
    for (const bad of ["", "abcdefgh12345678", nonce.toUpperCase(), `${nonce}0`, nonce.replace(/.$/, "g")])
      expect(nonces.check(bad, 1), bad).to.equal("malformed");
  });

  it("keeps its used set within its bound, dropping expired nonces first", function () {
    const nonces = new SiweNonces(new TextEncoder().encode("nonce-secret-nonce-secret-nonce-secret"), 1000, 2);
    for (let i = 0; i < 2; i++) expect(nonces.markUsed(nonces.issue(0).nonce, 10)).to.equal(undefined);
    expect(nonces.markUsed(nonces.issue(0).nonce, 10)).to.equal("full");
    expect(nonces.markUsed(nonces.issue(2000).nonce, 2000)).to.equal(undefined);
    expect(nonces.usedCount).to.equal(1);
  });

  it("rate-limits per key in bounded memory, with the seconds to wait", function () {
    const limiter = new RateLimiter(2, 60_000, 2);
    expect([limiter.take("a", 0), limiter.take("a", 0), limiter.take("a", 30_000)]).to.deep.equal([
      undefined,
      undefined,
      30,
    ]);
    expect(limiter.take("a", 60_000)).to.equal(undefined);
    limiter.take("b", 60_000);
    // The table is full of live windows: a new key shares the overflow bucket.
    expect([limiter.take("c", 60_000), limiter.take("d", 60_000), limiter.take("e", 60_000)]).to.deep.equal([
      undefined,
      undefined,
      60,
    ]);
  });
});

describe("service: nonce rate limit per client address", function () {
  const nonces = async (stack: Stack, headers: Record<string, string>, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await fetch(`${stack.url}/api/auth/nonce`, { headers })).status);
    return out;
  };

  it("counts by socket peer and ignores X-Forwarded-For unless the proxy is trusted", async function () {
    const stack = await startStack({ NONCE_RATE_PER_MINUTE: "2" });
    try {
      // Claiming another address in X-Forwarded-For does not buy a fresh bucket.
      expect(await nonces(stack, { "x-forwarded-for": "10.0.0.1" }, 2)).to.deep.equal([200, 200]);
      expect(await nonces(stack, { "x-forwarded-for": "10.0.0.2" }, 1)).to.deep.equal([429]);
    } finally {
      await stack.close();
    }
  });

  it("counts by X-Forwarded-For's first hop when TRUST_PROXY is set", async function () {
    const stack = await startStack({ NONCE_RATE_PER_MINUTE: "2", TRUST_PROXY: "true" });
    try {
      expect(await nonces(stack, { "x-forwarded-for": "10.0.0.1, 192.168.0.1" }, 3)).to.deep.equal([200, 200, 429]);
      expect(await nonces(stack, { "x-forwarded-for": "10.0.0.2, 192.168.0.1" }, 1)).to.deep.equal([200]);
      const refused = await fetch(`${stack.url}/api/auth/nonce`, { headers: { "x-forwarded-for": "10.0.0.1" } });
      expect(refused.status).to.equal(429);
      expect(Number(refused.headers.get("retry-after"))).to.be.within(1, 60);
      expect(((await refused.json()) as { error: string }).error).to.equal("TOO_MANY_NONCES");
    } finally {
      await stack.close();
    }
  });
});
