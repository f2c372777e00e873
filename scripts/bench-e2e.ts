/**
 * `npm run bench:e2e` — end-to-end timings through lib/ against the real local stack
 * (Hardhat node, contracts from Ignition, Next.js server with its embedded Helia node):
 *   write1MiBMs   encrypt → upload → anchor → confirmed, for a 1 MiB record
 *   read1MiBMs    a granted clinician's session transaction → fetch → verify CID → decrypt
 *   timeline1kMs  a patient's access timeline (its first page, what the patient waits
 *                 for) with 1,000 access events
 *   timeline10kMs the same with 10,000 events (must stay within 5× of 1,000)
 *   timelineFull* the whole history at once, for comparison
 * Medians of RUNS (≥ 5) runs, written to bench/e2e.json. A benchmark, not a test.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  createPublicClient,
  encodeFunctionData,
  http,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { medVaultAbi } from "../lib/chain/generated.ts";
import {
  type AccountKeys,
  grantAccess,
  granteeKeyResolver,
  openSession,
  ownKeyResolver,
  readRecord,
  registerClinicianKey,
  registerPatient,
  signIn,
  timeline,
  timelinePage,
  unlockAccount,
  writeRecord,
  type RecordInfo,
  listRecords,
  verifyClinician,
} from "../lib/vault/index.ts";
import { DEMO_ACCOUNTS, demoAccount } from "../lib/devstack/demo-accounts.ts";
import { actor, localChain } from "../lib/devstack/seed.ts";
import {
  ROOT,
  buildApp,
  deployContracts,
  freePort,
  rpc,
  startApp,
  startHardhatNode,
  stopAll,
} from "../lib/devstack/stack.ts";

const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 5));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number) => Math.round(x * 10) / 10;
const log = (m: string) => console.log(`[bench:e2e] ${m}`);

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await fn();
  return [performance.now() - t0, v];
}

/**
 * `count` viewing sessions by `clinician` over `patient`'s record 1, sent as raw
 * transactions with automining off and mined ten to a block (a busy clinic, not a
 * history packed into a handful of blocks), so building a 10,000-event history takes
 * seconds rather than 10,000 round trips of receipts.
 */
async function fillSessions(rpcUrl: string, clinicianKey: Hex, contract: Hex, patient: Hex, count: number) {
  const account = privateKeyToAccount(clinicianKey);
  const chain = localChain(rpcUrl);
  const { createWalletClient } = await import("viem");
  const wallet = createWalletClient({ account, chain, transport: http(rpcUrl) });
  let nonce = Number(await rpc(rpcUrl, "eth_getTransactionCount", [account.address, "pending"]));
  const data = encodeFunctionData({ abi: medVaultAbi, functionName: "openAccessSession", args: [patient, [1], 0] });
  await rpc(rpcUrl, "evm_setAutomine", [false]);
  try {
    const PER_BLOCK = 10;
    for (let sent = 0; sent < count;) {
      const batch = Math.min(500, count - sent);
      const txs: Hex[] = [];
      for (let i = 0; i < batch; i++)
        txs.push(
          await wallet.signTransaction({
            to: contract,
            data,
            gas: 100_000n,
            nonce: nonce++,
            maxFeePerGas: 10_000_000_000n,
            maxPriorityFeePerGas: 1n,
            chain,
          }),
        );
      for (let i = 0; i < txs.length; i += PER_BLOCK) {
        await Promise.all(txs.slice(i, i + PER_BLOCK).map((tx) => rpc(rpcUrl, "eth_sendRawTransaction", [tx])));
        await rpc(rpcUrl, "evm_mine", []);
      }
      sent += batch;
    }
  } finally {
    await rpc(rpcUrl, "evm_setAutomine", [true]);
  }
}

async function main() {
  const chainNode = await startHardhatNode(await freePort(), log);
  const registrarDemo = demoAccount("St. Mary's Registrar");
  const contract = await deployContracts(chainNode.url, log, { registrars: [registrarDemo.address], isolated: true });
  // The browser tests' build: same sources, same address (a fresh chain's first deployment).
  await buildApp(log, { distDir: ".next/e2e", contract });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "medvault-bench-"));
  const app = await startApp(
    await freePort(),
    {
      MEDVAULT_RPC_URL: chainNode.url,
      MEDVAULT_DATA_DIR: dataDir,
      IPFS_DATA_DIR: path.join(dataDir, "ipfs"),
      SESSION_SECRET: "bench-session-secret-0123456789abcdef0123456789",
      MEDVAULT_NEXT_DIST_DIR: ".next/e2e",
      MEDVAULT_CONTRACT: contract,
    },
    log,
    { host: "127.0.0.1" },
  );
  const publicClient = createPublicClient({
    chain: localChain(chainNode.url),
    transport: http(chainNode.url),
  }) as PublicClient<Transport, Chain>;
  const mk = (name: string) => actor(demoAccount(name), chainNode.url, app.url, publicClient, contract);
  const registrar = mk(registrarDemo.name);
  const doctor = mk("Dr. Amara Okafor");
  const [writer, p1k, p10k] = DEMO_ACCOUNTS.filter((a) => a.role === "patient").map((a) => mk(a.name)) as [
    ReturnType<typeof mk>,
    ReturnType<typeof mk>,
    ReturnType<typeof mk>,
  ];

  await verifyClinician(registrar.ctx, doctor.ctx.account, { name: doctor.demo.name, licence: "BENCH-1" });
  const doctorKeys: AccountKeys = await registerClinicianKey(doctor.ctx, await unlockAccount(doctor.ctx));
  await signIn(doctor.ctx);
  const keys = new Map<string, AccountKeys>();
  for (const p of [writer, p1k, p10k]) {
    keys.set(p.ctx.account, await registerPatient(p.ctx, await unlockAccount(p.ctx)));
    await signIn(p.ctx);
  }
  const now = Number((await publicClient.getBlock()).timestamp);
  await grantAccess(writer.ctx, keys.get(writer.ctx.account)!, {
    grantee: doctor.ctx.account,
    scope: 0,
    permission: 1,
    expiry: now + 86_400,
    purpose: 0,
  });

  // 1 MiB write: encrypt → upload → anchor → confirmed.
  const ownResolver = ownKeyResolver(writer.ctx, keys.get(writer.ctx.account)!);
  const writes: number[] = [];
  const ids: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    // 1 MiB of envelope in all: the content plus the envelope's header and tag.
    const content = new Uint8Array(randomBytes(1024 * 1024 - 256));
    const [ms, rec] = await timed(() =>
      writeRecord(writer.ctx, ownResolver, {
        patient: writer.ctx.account,
        category: 5,
        mime: "application/octet-stream",
        content,
      }),
    );
    if (i > 0) writes.push(ms); // the first run warms the server's routes and caches
    ids.push(rec.recordId);
  }
  log(`write 1 MiB: ${writes.map(round).join(", ")} ms`);

  // 1 MiB read by the granted clinician: session tx → fetch → verify → decrypt.
  const records = await listRecords(doctor.ctx, writer.ctx.account);
  const byId = new Map<number, RecordInfo>(records.map((r) => [r.recordId, r]));
  const resolver = await granteeKeyResolver(doctor.ctx, doctorKeys, writer.ctx.account);
  const reads: number[] = [];
  for (const [i, id] of ids.entries()) {
    const [ms] = await timed(async () => {
      await openSession(doctor.ctx, writer.ctx.account, [id], 0);
      return readRecord(doctor.ctx, resolver, byId.get(id)!);
    });
    if (i > 0) reads.push(ms);
  }
  log(`read 1 MiB: ${reads.map(round).join(", ")} ms`);

  // Timelines of 1,000 and 10,000 access events.
  const timelineMs: Record<number, number> = {};
  const fullMs: Record<number, number> = {};
  for (const [p, count] of [
    [p1k, 1_000],
    [p10k, 10_000],
  ] as const) {
    const pKeys = keys.get(p.ctx.account)!;
    await writeRecord(p.ctx, ownKeyResolver(p.ctx, pKeys), {
      patient: p.ctx.account,
      category: 1,
      mime: "text/plain",
      content: new TextEncoder().encode("bench"),
    });
    await grantAccess(p.ctx, pKeys, {
      grantee: doctor.ctx.account,
      scope: 0,
      permission: 1,
      expiry: now + 86_400,
      purpose: 0,
    });
    await fillSessions(chainNode.url, doctor.demo.privateKey, p.ctx.contract, p.ctx.account, count);
    // What the patient waits for: the timeline's first page (the newest 100 sessions,
    // every emergency access, consent changes and the service log for that span).
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const [ms, page] = await timed(() => timelinePage(p.ctx, p.ctx.account, { limit: 100 }));
      const sessions = page.entries.filter((e) => e.kind === "session").length;
      if (sessions < 100 || page.olderBefore === undefined)
        throw new Error(`first page shows ${sessions} sessions, expected the newest 100 and more to load`);
      runs.push(ms);
    }
    timelineMs[count] = median(runs);
    // For comparison, the whole history at once (linear in the number of events).
    const full: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const [ms, entries] = await timed(() => timeline(p.ctx, p.ctx.account));
      const sessions = entries.filter((e) => e.kind === "session").length;
      if (sessions !== count) throw new Error(`full timeline shows ${sessions} sessions, expected ${count}`);
      full.push(ms);
    }
    fullMs[count] = median(full);
    log(`timeline ${count}, full history: ${full.map(round).join(", ")} ms`);
    log(`timeline ${count}: ${runs.map(round).join(", ")} ms`);
  }

  const result = {
    write1MiBMs: round(median(writes)),
    read1MiBMs: round(median(reads)),
    timeline1kMs: round(timelineMs[1_000]!),
    timeline10kMs: round(timelineMs[10_000]!),
    timelineFull1kMs: round(fullMs[1_000]!),
    timelineFull10kMs: round(fullMs[10_000]!),
    runs: RUNS,
    machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  };
  mkdirSync(path.join(ROOT, "bench"), { recursive: true });
  writeFileSync(path.join(ROOT, "bench", "e2e.json"), JSON.stringify(result, null, 2) + "\n");
  const ratio = result.timeline10kMs / result.timeline1kMs;
  console.log(`
| measurement | median (ms) | target |
|---|---:|---|
| 1 MiB write (encrypt, upload, anchor, confirmed) | ${result.write1MiBMs} | < 300 ${result.write1MiBMs < 300 ? "✓" : "✗"} |
| 1 MiB read (session tx, fetch, verify, decrypt) | ${result.read1MiBMs} | < 300 ${result.read1MiBMs < 300 ? "✓" : "✗"} |
| timeline first page, 1,000 events | ${result.timeline1kMs} | |
| timeline first page, 10,000 events | ${result.timeline10kMs} | ≤ 5× the 1,000 time: ${round(ratio)}× ${ratio <= 5 ? "✓" : "✗"} |
| whole history at once, 1,000 / 10,000 events | ${result.timelineFull1kMs} / ${result.timelineFull10kMs} | (for comparison) |
`);
}

try {
  await main();
} finally {
  await stopAll();
}
