/**
 * The real browser for the preview's tests and the console benchmark: Debian's Chromium driven
 * over the DevTools protocol by puppeteer-core. A test that needs it is skipped (with a message
 * naming it) when it is missing on a developer's machine, and fails under `CI=true`, as the
 * interop suite treats missing real clients (test/interop/support.ts).
 */

import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { interopTest } from "../interop/support.ts";

/** Where the browser is: `$CHROMIUM`, else Debian's package. */
export const CHROMIUM_PATH = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";

/** Where screenshots go (gitignored). */
export const ARTIFACTS = new URL("../artifacts/", import.meta.url);

/** Whether the browser is installed. */
export function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM_PATH).isFile;
  } catch {
    return false;
  }
}

/** A launched browser. */
export interface Chromium {
  /** puppeteer's handle, for what the helpers do not cover. */
  readonly browser: Browser;
  /** A new tab, its console errors echoed to the test output. */
  newPage(): Promise<Page>;
  /** Saves a PNG of `page` as `<name>.png` in {@link ARTIFACTS}; returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  /** Closes the browser. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts headless Chromium with autoplay allowed. */
export async function launchChromium(): Promise<Chromium> {
  const args = ["--autoplay-policy=no-user-gesture-required", "--mute-audio"];
  // Chromium refuses to run as root with its sandbox on (containers, CI).
  if (Deno.uid() === 0) args.push("--no-sandbox");
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args,
  });
  let closed = false;
  return {
    browser,
    async newPage() {
      const page = await browser.newPage();
      page.on("pageerror", (error) => console.error(`page error: ${error}`));
      return page;
    },
    async screenshot(page, name) {
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      const path = new URL(`${name}.png`, ARTIFACTS).pathname;
      await page.screenshot({ path: path as `${string}.png` });
      return path;
    },
    async close() {
      if (closed) return;
      closed = true;
      await browser.close();
    },
  };
}

/**
 * Registers a test that needs Chromium (and the programs in `tools`, e.g. `ffmpeg`): it gets a
 * launched browser, closed afterwards. Ignored when one is missing, unless `CI=true`, where that
 * fails.
 */
export function browserTest(
  name: string,
  fn: (chromium: Chromium) => Promise<void>,
  tools: readonly string[] = [],
): void {
  // `command -v` finds an absolute path as it finds a name on PATH.
  interopTest(name, [CHROMIUM_PATH, ...tools], async () => {
    const chromium = await launchChromium();
    try {
      await fn(chromium);
    } catch (error) {
      // What the pages showed when it failed, beside the test's own screenshots.
      const pages = await chromium.browser.pages().catch(() => []);
      for (const [i, page] of pages.entries()) {
        await chromium.screenshot(page, `failed-${i}`).catch(() => {});
      }
      throw error;
    } finally {
      await chromium.close();
    }
  });
}

/** Polls `check` every 200 ms until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
}

/**
 * Evaluates a JavaScript expression in the page. Page code is written as strings: the tests are
 * type-checked without the DOM library, which would clash with Deno's own types.
 */
export async function evaluate<T>(page: Page, expression: string): Promise<T> {
  return await page.evaluate(expression) as T;
}
