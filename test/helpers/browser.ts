/**
 * Headless Debian Chromium driven by playwright-core, with the flags this closed network needs
 * (no background connections). Use with `await using`. `watchPage` records what a page did
 * wrong (console errors, uncaught exceptions, requests beyond loopback); `screenshots` saves a
 * page at desktop and phone width under test-artifacts/ (gitignored).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const ARTIFACTS = join(import.meta.dir, "..", "..", "test-artifacts");

export async function launchBrowser(): Promise<Browser & AsyncDisposable> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return Object.assign(browser, { [Symbol.asyncDispose]: () => browser.close() });
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Collects every console error, uncaught exception and non-loopback request of the page. A form
 * the server refused (an htmx request answered 4xx with HTML, shown to the user next to the
 * fields) makes Chromium log "Failed to load resource"; that one line is expected, not a fault.
 */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  const refusals = new Set<string>();
  page.on("response", (response) => {
    const status = response.status();
    const rendered = response.headers()["content-type"]?.startsWith("text/html") ?? false;
    if (
      status >= 400 &&
      status < 500 &&
      status !== 404 &&
      rendered &&
      response.request().headers()["hx-request"]
    )
      refusals.add(response.url());
  });
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const refused =
      message.text().startsWith("Failed to load resource") && refusals.has(message.location().url);
    if (!refused) problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => problems.push(`exception: ${error.message}`));
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol !== "data:" && !LOOPBACK.has(url.hostname)) problems.push(`request: ${request.url()}`);
  });
  return problems;
}

const VIEWPORTS = {
  desktop: { width: 1366, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

/** Full-page screenshots at both widths: test-artifacts/<name>-desktop.png and -phone.png. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const original = page.viewportSize();
  for (const [label, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${label}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}
