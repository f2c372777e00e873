/**
 * What the scenarios do with a page, in the user's terms: wait until some text is on
 * screen, get through the wallet / sign-in / unlock gates, switch dashboard tabs.
 * playwright-core has no `expect`, so the waits here poll the page and fail with what
 * the page showed instead.
 */
import { AssertionError } from "node:assert";
import type { Locator, Page } from "playwright-core";
import type { Session } from "./stack.ts";

/** Long enough for a transaction, an IPFS round trip and a live refresh on a busy 2-core machine. */
export const UI_TIMEOUT = 90_000;

async function textOf(loc: Locator): Promise<string | undefined> {
  try {
    return (await loc.first().innerText({ timeout: 1_000 })).trim();
  } catch {
    return undefined;
  }
}

/** Waits until `loc` shows text matching `expected`; returns that text. */
export async function seeText(loc: Locator, expected: string | RegExp, timeout = UI_TIMEOUT): Promise<string> {
  const matches = (t: string) => (typeof expected === "string" ? t.includes(expected) : expected.test(t));
  const deadline = Date.now() + timeout;
  let last: string | undefined;
  for (;;) {
    last = await textOf(loc);
    if (last !== undefined && matches(last)) return last;
    if (Date.now() > deadline) {
      throw new AssertionError({
        message: `expected ${loc} to show ${String(expected)}; it showed ${last === undefined ? "nothing (not on the page)" : JSON.stringify(last.slice(0, 600))}`,
      });
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits until `loc`'s attribute `name` equals `value`. */
export async function seeAttribute(loc: Locator, name: string, value: string, timeout = UI_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeout;
  let last: string | null | undefined;
  for (;;) {
    last = await loc
      .first()
      .getAttribute(name, { timeout: 1_000 })
      .catch(() => undefined);
    if (last === value) return;
    if (Date.now() > deadline) {
      const shown = await textOf(loc);
      throw new AssertionError({
        message: `expected ${loc} to have ${name}="${value}", found ${JSON.stringify(last)}; it showed ${JSON.stringify(shown?.slice(0, 400))}`,
      });
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits until the form field `loc` holds `value`. */
export async function seeValue(loc: Locator, value: string, timeout = UI_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeout;
  let last: string | undefined;
  for (;;) {
    last = await loc
      .first()
      .inputValue({ timeout: 1_000 })
      .catch(() => undefined);
    if (last === value) return;
    if (Date.now() > deadline)
      throw new AssertionError({
        message: `expected ${loc} to hold ${JSON.stringify(value)}, found ${JSON.stringify(last)}`,
      });
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function visible(loc: Locator): Promise<boolean> {
  return loc
    .first()
    .isVisible()
    .catch(() => false);
}

async function clickIfReady(loc: Locator): Promise<boolean> {
  // Short timeouts: a gate's button disappears as soon as its step is done, and a plain
  // isEnabled() or click() would then wait the default 30 s for it to come back.
  if (!(await visible(loc))) return false;
  if (
    !(await loc
      .first()
      .isEnabled({ timeout: 1_000 })
      .catch(() => false))
  )
    return false;
  await loc
    .first()
    .click({ timeout: 2_000 })
    .catch(() => undefined);
  return true;
}

export type Role = "patient" | "clinician";

/**
 * Gets from wherever the page is to `dashboard` the way a returning user does: connect
 * the wallet, sign in, unlock the key — and for a new account, onboard as `role`.
 */
export async function passGates(page: Page, role: Role, dashboard: string, timeout = UI_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeout;
  const target = page.getByTestId(dashboard);
  while (!(await visible(target))) {
    if (Date.now() > deadline) {
      throw new AssertionError({
        message: `never reached ${dashboard}; the page showed ${JSON.stringify((await textOf(page.locator("main")))?.slice(0, 600))}`,
      });
    }
    if (await clickIfReady(page.getByTestId("connect-button"))) continue;
    if (await clickIfReady(page.getByTestId("gate-siwe-button"))) continue;
    if (await clickIfReady(page.getByTestId("unlock-button"))) continue;
    if (await visible(page.getByTestId("onboarding"))) {
      // Onboarding vanishes the moment registration confirms, so never wait long on its parts.
      const choice = page.getByTestId(`role-${role}`);
      if (!(await choice.isChecked({ timeout: 1_000 }).catch(() => true)))
        await choice.check({ timeout: 2_000 }).catch(() => undefined);
      if (await clickIfReady(page.getByTestId("register-button"))) continue;
    }
    await page.waitForTimeout(300);
  }
}

/** Opens `path` in the session's page and gets through the gates to `dashboard`. */
export async function openDashboard(
  s: Session,
  appUrl: string,
  path: string,
  role: Role,
  dashboard: string,
  shotName: string,
): Promise<void> {
  await s.page.goto(new URL(path, appUrl).toString());
  await passGates(s.page, role, dashboard);
  await s.shot(shotName);
}

/** The record id in a `record-row-<id>` / `clinician-record-<id>` test id. */
export async function recordIdOf(row: Locator): Promise<number> {
  const id = await row.first().getAttribute("data-testid");
  const m = /-(\d+)$/.exec(id ?? "");
  if (!m) throw new AssertionError({ message: `no record id in ${String(id)}` });
  return Number(m[1]);
}

/** Horizontal overflow of the page, in CSS pixels beyond the viewport. */
export async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; viewport: number }> {
  return page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, viewport: window.innerWidth }));
}
