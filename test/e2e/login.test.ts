import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../helpers/browser.ts";
import { startServer, TEST_PASSWORD, type TestServer } from "../helpers/server.ts";

let server: TestServer;
let browser: Browser & AsyncDisposable;
beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser[Symbol.asyncDispose]();
  await server[Symbol.asyncDispose]();
});

describe("the dashboard in a browser", () => {
  it("sends a signed-out visitor to the login page", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/dashboard/keys`);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await page.getByLabel("Admin password").isVisible()).toBe(true);
    await page.close();
  });

  it("shows an error for a wrong password and stays on the login page", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel("Admin password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toContain("Invalid password");
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.close();
  });

  it("signs in, shows the overview, creates a key through htmx and revokes it", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${server.url}/`);
    await page.getByLabel("Admin password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/dashboard`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Overview");
    for (const label of ["Providers", "Combos", "API keys", "Usage", "Logs", "Health", "Settings"]) {
      expect(await page.getByRole("navigation").getByText(label, { exact: true }).count()).toBe(1);
    }

    await page.getByRole("navigation").getByRole("link", { name: "API keys" }).click();
    await page.waitForURL(`${server.url}/dashboard/keys`);
    await page.getByLabel("Name").fill("browser key");
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = await page.locator("#new-key").textContent({ timeout: 5000 });
    expect(secret).toStartWith("sk-sy-");
    expect(await page.getByRole("cell", { name: "browser key" }).count()).toBe(1);

    page.on("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Revoke" }).click();
    await page.getByText("No keys yet").waitFor({ timeout: 5000 });
    const keys = (await (await server.call("/api/keys", { cookie: await server.login() })).json()) as {
      keys: unknown[];
    };
    expect(keys.keys).toEqual([]);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${server.url}/login`);
    expect(errors).toEqual([]);
    await context.close();
  });
});
