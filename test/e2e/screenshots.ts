/**
 * Regenerates the README's screenshots (`npm run screenshots`): starts the same stack the
 * browser tests use (fresh chain, production build, Chromium), seeds the demo data, and
 * photographs the patient, clinician and registrar dashboards on a desktop and a phone.
 *
 *   docs/screenshots/{patient,clinician}-{desktop,mobile}.png, registrar-desktop.png
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { openSession, startStack, stopStack, type Stack } from "./stack.ts";
import { passGates, seeText } from "./ui.ts";
import { demoAccount } from "../../lib/devstack/demo-accounts.ts";
import { seedDemo } from "../../lib/devstack/seed.ts";
import { ROOT } from "../../lib/devstack/stack.ts";

const OUT = path.join(ROOT, "docs", "screenshots");
const DESKTOP = { width: 1280, height: 900 };
const MOBILE = { width: 390, height: 844 };
/** Tall enough to show the content below the fold, short enough to read in a README. */
const MAX_HEIGHT = { desktop: 1500, mobile: 1688 };

type Size = keyof typeof MAX_HEIGHT;

async function save(page: Page, name: string, size: Size): Promise<void> {
  // Let fonts, the chart and live queries settle before the picture.
  await page.waitForLoadState("networkidle").catch(() => undefined);
  const height = await page.evaluate(() => document.scrollingElement!.scrollHeight);
  const width = size === "desktop" ? DESKTOP.width : MOBILE.width;
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({
    path: file,
    fullPage: true,
    clip: { x: 0, y: 0, width, height: Math.min(height, MAX_HEIGHT[size]) },
  });
  console.log(`  saved ${path.relative(ROOT, file)}`);
}

async function patient(stack: Stack, size: Size): Promise<void> {
  const maria = demoAccount("Maria Lopez");
  const s = await openSession(stack, maria.privateKey, {
    ...(size === "desktop" ? DESKTOP : MOBILE),
    label: `shots-patient-${size}`,
  });
  await s.page.goto(`${stack.appUrl}/patient`);
  await passGates(s.page, "patient", "patient-dashboard");
  await seeText(s.page.getByTestId("records-list"), "Lab result");
  // Show the newest record decrypted and its proof verified, at the top: what the dashboard is for.
  const newest = s.page.locator('[data-testid^="record-row-"]').first();
  const id = ((await newest.getAttribute("data-testid")) ?? "").replace("record-row-", "");
  await s.page.getByTestId(`record-open-${id}`).click();
  await seeText(s.page.getByTestId(`record-content-${id}`), /\S/);
  await s.page.getByTestId(`record-proof-toggle-${id}`).click();
  await s.page.getByTestId("proof-verify").click();
  await seeText(s.page.getByTestId("proof-result"), "Verified");
  await save(s.page, `patient-${size}`, size);
  await s.context.close();
}

async function clinician(stack: Stack, size: Size): Promise<void> {
  const okafor = demoAccount("Dr. Amara Okafor");
  const maria = demoAccount("Maria Lopez").address.toLowerCase();
  const s = await openSession(stack, okafor.privateKey, {
    ...(size === "desktop" ? DESKTOP : MOBILE),
    label: `shots-clinician-${size}`,
  });
  await s.page.goto(`${stack.appUrl}/clinician`);
  await passGates(s.page, "clinician", "clinician-dashboard");
  await s.page.getByTestId(`select-patient-${maria}`).click();
  await s.page.getByTestId(`open-patient-${maria}`).click();
  await seeText(s.page.getByTestId(`session-status-${maria}`), "Session opened");
  await seeText(s.page.getByTestId(`patient-panel-${maria}`), "Result");
  await save(s.page, `clinician-${size}`, size);
  await s.context.close();
}

async function registrar(stack: Stack): Promise<void> {
  const s = await openSession(stack, demoAccount("St. Mary's Registrar").privateKey, {
    ...DESKTOP,
    label: "shots-registrar",
  });
  await s.page.goto(`${stack.appUrl}/registrar`);
  await s.page.getByTestId("connect-button").click();
  await seeText(s.page.getByTestId("clinicians-table"), "suspended");
  await save(s.page, "registrar-desktop", "desktop");
  await s.context.close();
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const stack = await startStack();
  try {
    console.log("seeding the demo data…");
    await seedDemo({
      rpcUrl: stack.rpcUrl,
      appUrl: stack.appUrl,
      contract: stack.contract,
      log: (m) => console.log(`  ${m}`),
    });
    for (const size of ["desktop", "mobile"] as const) {
      await patient(stack, size);
      await clinician(stack, size);
    }
    await registrar(stack);
  } finally {
    await stopStack();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
