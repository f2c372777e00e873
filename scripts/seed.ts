/**
 * `npm run seed`: seeds the demo data (lib/devstack/seed.ts) into a local stack that is
 * already running (`./medvault start` seeds its own).
 */
import { seedDemo } from "../lib/devstack/seed.ts";

const rpcUrl = process.env.MEDVAULT_RPC_URL ?? "http://127.0.0.1:8545";
const appUrl = process.env.APP_URL ?? "http://localhost:3000";
await seedDemo({ rpcUrl, appUrl, log: (m) => console.log(m) });
