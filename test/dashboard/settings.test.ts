import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readResilience } from "../../src/routing/settings.ts";
import { startServer, TEST_PASSWORD, type TestServer } from "../helpers/server.ts";

let server: TestServer;
let cookie: string;
beforeAll(async () => {
  server = await startServer();
  cookie = await server.login();
});
afterAll(() => server[Symbol.asyncDispose]());

function submit(path: string, fields: Record<string, string>, as = cookie) {
  return server.call(path, {
    method: "POST",
    cookie: as,
    headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true" },
    body: new URLSearchParams(fields).toString(),
  });
}

describe("the settings forms", () => {
  it("refuse a password change with the wrong current password, next to that field", async () => {
    const response = await submit("/dashboard/settings/password", {
      current: "wrong",
      password: "a new long password",
      confirm: "a new long password",
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain('id="current-password-error"');
    expect(text).toContain("This is not the current password");
  });

  it("change the password, keep this browser signed in and sign every other session out", async () => {
    const other = await server.login();
    const response = await submit("/dashboard/settings/password", {
      current: TEST_PASSWORD,
      password: "a new long password",
      confirm: "a new long password",
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Password changed");
    const renewed = response.headers.getSetCookie()[0]!.split(";")[0]!;
    expect((await server.call("/dashboard/settings", { cookie: renewed })).status).toBe(200);
    expect((await server.call("/dashboard/settings", { cookie: other })).status).toBe(303);
    const login = await server.call("/api/auth/login", {
      method: "POST",
      json: { password: "a new long password" },
    });
    expect(login.status).toBe(200);
    cookie = renewed;
  });

  it("save the resilience profile, which the router reads at once", async () => {
    const response = await submit("/dashboard/settings/routing", {
      accountStrategy: "round-robin",
      stickyRequests: "3",
      maxAttempts: "5",
      deadlineMs: "60000",
      cooldownBaseMs: "2000",
      breakerFailureRate: "0.25",
      breakerOpenMs: "10000",
    });
    expect(response.status).toBe(200);
    const saved = readResilience(server.context.settings);
    expect(saved.accountStrategy).toBe("round-robin");
    expect(saved.profile.maxAttempts).toBe(5);
    expect(saved.profile.breaker.failureRate).toBe(0.25);
  });

  it("refuse a proxy URL that is not one and keep what was typed", async () => {
    const response = await submit("/dashboard/settings/proxy", {
      enabled: "1",
      url: "not a url",
      noProxy: "",
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain('value="not a url"');
    expect(text).toContain('aria-invalid="true"');
  });
});

describe("the backups section", () => {
  it("takes a backup and lists it", async () => {
    const response = await submit("/dashboard/settings/backups", {});
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/Backup [\w.-]+\.sqlite taken\./);
    expect((text.match(/>Restore</g) ?? []).length).toBeGreaterThanOrEqual(1);
  });

  it("says why a restore is refused, in place", async () => {
    const response = await submit("/dashboard/settings/backups/restore", { backupId: "no-such.sqlite" });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await response.text()).toContain('role="alert"');
  });
});
