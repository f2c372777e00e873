/**
 * `npm run bench:storage` — what the verified IPFS path costs over the unavoidable work.
 *
 * For each record size, median of RUNS runs:
 *   writeMs         encryptRecord (AES-256-GCM envelope) + HeliaStore.put (UnixFS import,
 *                   blockstore-fs, pin)
 *   readMs          HeliaStore.get (read DAG, recompute CID) + decryptRecord
 *   baselineWriteMs encryptRecord + SHA-256 + one plain file write
 *   baselineReadMs  one plain file read + SHA-256 + decryptRecord
 * Both paths write into the same data folder on the same disk. Results go to
 * bench/storage.json; the target is ratio ≤ 2 at 1 MiB and 16 MiB.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { decryptRecord, encryptRecord, type EncryptContext } from "../lib/crypto/index.ts";
import { HeliaStore } from "../lib/storage/helia.ts";
import { LOCAL_CHAIN_ID } from "../lib/chain/vocabulary.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const DATA_DIR = path.join(ROOT, "data", "bench-storage");
const OUT = path.join(ROOT, "bench", "storage.json");
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SIZES = { "64KiB": 64 * 1024, "1MiB": 1024 * 1024, "16MiB": 16 * 1024 * 1024 } as const;

type Row = { writeMs: number; readMs: number; baselineWriteMs: number; baselineReadMs: number };

const CTX: EncryptContext = {
  chainId: LOCAL_CHAIN_ID,
  contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  patient: "0x70997970C51812dc3A010C7d01b50e17d17dC79C",
  category: 2,
};
const CATEGORY_KEY = randomBytes(32);

// The same envelope on both paths, so the ratio isolates what IPFS storage adds.
function encrypt(plaintext: Uint8Array): Uint8Array {
  return encryptRecord(plaintext, CTX, CATEGORY_KEY, 0);
}

function decrypt(envelope: Uint8Array): Uint8Array {
  return decryptRecord(envelope, CTX, () => CATEGORY_KEY);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

async function main() {
  await rm(DATA_DIR, { recursive: true, force: true });
  const baselineDir = path.join(DATA_DIR, "baseline");
  await mkdir(baselineDir, { recursive: true });
  const store = await HeliaStore.create({ dataDir: DATA_DIR });
  const results: Record<string, Row> = {};
  try {
    for (const [label, size] of Object.entries(SIZES)) {
      const samples: Record<keyof Row, number[]> = { writeMs: [], readMs: [], baselineWriteMs: [], baselineReadMs: [] };
      // One untimed warm-up round, then RUNS timed ones; fresh plaintext every time so no
      // block is ever deduplicated.
      for (let run = -1; run < RUNS; run++) {
        const plaintext = randomBytes(size);

        let t = performance.now();
        const cid = await store.put(encrypt(plaintext));
        const writeMs = performance.now() - t;

        t = performance.now();
        const back = decrypt(await store.get(cid));
        const readMs = performance.now() - t;
        if (!same(back, plaintext)) throw new Error(`IPFS round trip corrupted a ${label} record`);

        const file = path.join(baselineDir, `${label}-${run + 1}.bin`);
        t = performance.now();
        const sealed = encrypt(plaintext);
        const digest = createHash("sha256").update(sealed).digest("hex");
        await writeFile(file, sealed);
        const baselineWriteMs = performance.now() - t;

        t = performance.now();
        const onDisk = await readFile(file);
        if (createHash("sha256").update(onDisk).digest("hex") !== digest) throw new Error("baseline file changed");
        const plainBack = decrypt(onDisk);
        const baselineReadMs = performance.now() - t;
        if (!same(plainBack, plaintext)) throw new Error(`baseline round trip corrupted a ${label} record`);

        if (run < 0) continue;
        samples.writeMs.push(writeMs);
        samples.readMs.push(readMs);
        samples.baselineWriteMs.push(baselineWriteMs);
        samples.baselineReadMs.push(baselineReadMs);
      }
      const row: Row = {
        writeMs: +median(samples.writeMs).toFixed(2),
        readMs: +median(samples.readMs).toFixed(2),
        baselineWriteMs: +median(samples.baselineWriteMs).toFixed(2),
        baselineReadMs: +median(samples.baselineReadMs).toFixed(2),
      };
      results[label] = row;
      const wr = row.writeMs / row.baselineWriteMs;
      const rr = row.readMs / row.baselineReadMs;
      const target = label === "64KiB" ? "" : `  (target ≤ 2.00×: ${wr <= 2 && rr <= 2 ? "met" : "MISSED"})`;
      console.log(
        `${label.padStart(6)}  write ${row.writeMs.toFixed(1)} ms vs ${row.baselineWriteMs.toFixed(1)} ms = ${wr.toFixed(2)}×` +
          `   read ${row.readMs.toFixed(1)} ms vs ${row.baselineReadMs.toFixed(1)} ms = ${rr.toFixed(2)}×${target}`,
      );
    }
  } finally {
    await store.close();
    await rm(DATA_DIR, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
  await mkdir(path.dirname(OUT), { recursive: true });
  await writeFile(OUT, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`medians of ${RUNS} runs → ${path.relative(ROOT, OUT)}`);
}

await main();
