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
  return server.form(path, fields, { cookie: as });
}

describe("the settings forms", () => {
  it("save a price by the unit, without token rates, and show it", async () => {
    const response = await submit("/dashboard/settings/pricing", {
      provider: "openai",
      model: "dall-e-3",
      input: "",
      output: "",
      perImage: "0.04",
      perMillionCharacters: "",
      perMinute: "",
      perThousandSearches: "",
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain("Price saved");
    expect(text).toContain("0.04 per image");
    expect(server.context.usage.pricing.priceOf("openai", "dall-e-3")?.price).toEqual({ perImage: 0.04 });
  });

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

function remove(path: string) {
  return server.call(path, { method: "DELETE", cookie, headers: { "hx-request": "true" } });
}

async function managementJson(path: string, as: string | undefined = cookie) {
  const response = await server.call(path, as === undefined ? {} : { cookie: as });
  expect(response.status).toBe(200);
  return response.json();
}

describe("the settings page", () => {
  it("shows every section, each form labelled", async () => {
    const text = await (await server.call("/dashboard/settings", { cookie })).text();
    for (const title of ["Sign-in", "System prompt", "Thinking budget", "IP filter", "Response cache"])
      expect(text).toContain(`>${title}</h2>`);
    expect(text).toContain('hx-confirm="Clear the response cache?');
    expect(text).toContain('<label for="system-prompt">Prompt</label>');
  });
});

describe("the system prompt form", () => {
  it("saves the prompt, which the management API then reports", async () => {
    const response = await submit("/dashboard/settings/system-prompt", {
      enabled: "1",
      prompt: "Answer in <b>French</b>.",
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain("System prompt saved");
    expect(text).toContain("Answer in &lt;b&gt;French&lt;/b&gt;.");
    expect(await managementJson("/api/settings/system-prompt")).toEqual({
      enabled: true,
      prompt: "Answer in <b>French</b>.",
    });
  });
});

describe("the thinking budget form", () => {
  it("saves mode, budget and effort", async () => {
    const response = await submit("/dashboard/settings/thinking-budget", {
      mode: "custom",
      customBudget: "2048",
      effortLevel: "high",
    });
    expect(response.status).toBe(200);
    expect(await managementJson("/api/settings/thinking-budget")).toEqual({
      mode: "custom",
      customBudget: 2048,
      effortLevel: "high",
    });
  });

  it("shows the schema's refusal next to the budget field", async () => {
    const response = await submit("/dashboard/settings/thinking-budget", {
      mode: "custom",
      customBudget: "-5",
      effortLevel: "high",
    });
    expect(response.status).toBe(422);
    const text = await response.text();
    expect(text).toContain('id="thinking-custom-budget-error"');
    expect(text).toContain('value="-5"');
  });
});

describe("the IP filter section", () => {
  it("saves the lists one pattern per line", async () => {
    const response = await submit("/dashboard/settings/ip-filter", {
      mode: "blacklist",
      blacklist: "203.0.113.0/24\n\n 198.51.100.7 ",
      whitelist: "",
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("IP filter saved");
    expect(await managementJson("/api/settings/ip-filter")).toMatchObject({
      enabled: false,
      mode: "blacklist",
      blacklist: ["203.0.113.0/24", "198.51.100.7"],
      whitelist: [],
    });
  });

  it("names the entry that is not an address pattern", async () => {
    const response = await submit("/dashboard/settings/ip-filter", {
      mode: "blacklist",
      blacklist: "203.0.113.0/24\nnot an address",
      whitelist: "",
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain('id="ip-blacklist-error"');
    expect(text).toContain("Entry 2:");
  });

  it("shows the refusal of a filter that would lock the caller out", async () => {
    const response = await submit("/dashboard/settings/ip-filter", {
      enabled: "1",
      mode: "whitelist",
      blacklist: "",
      whitelist: "192.0.2.1",
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain('role="alert"');
    expect(text).toContain("would lock you out");
    expect((await managementJson("/api/settings/ip-filter")).enabled).toBe(false);
  });

  it("adds a temporary ban, lists it and lifts it", async () => {
    const banned = await submit("/dashboard/settings/ip-filter/bans", {
      ip: "198.51.100.99",
      minutes: "30",
      reason: "too many tries",
    });
    expect(banned.status).toBe(200);
    const text = await banned.text();
    expect(text).toContain("<code>198.51.100.99</code>");
    expect(text).toContain("too many tries");
    const [ban] = (await managementJson("/api/settings/ip-filter")).tempBans;
    expect(ban.ip).toBe("198.51.100.99");
    expect(ban.until - Date.now()).toBeGreaterThan(29 * 60_000);

    const lifted = await remove("/dashboard/settings/ip-filter/bans?ip=198.51.100.99");
    expect(lifted.status).toBe(200);
    expect(await lifted.text()).toContain("No temporary bans.");
    expect((await managementJson("/api/settings/ip-filter")).tempBans).toEqual([]);
  });

  it("refuses a ban without a duration next to the minutes field", async () => {
    const response = await submit("/dashboard/settings/ip-filter/bans", { ip: "198.51.100.5", minutes: "" });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await response.text()).toContain('id="ban-minutes-error"');
  });
});

describe("the response cache section", () => {
  it("clears the cache and shows its statistics", async () => {
    const response = await remove("/dashboard/settings/cache");
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain("Cache cleared (0 entries removed).");
    expect(text).toContain("<dt>Entries</dt><dd>0</dd>");
  });
});

describe("the sign-in form", () => {
  it("opens the console without sign-in, then requires it again", async () => {
    expect((await server.call("/api/keys")).status).toBe(401);
    const page = await (await server.call("/dashboard/settings", { cookie })).text();
    expect(page).toContain('name="requireLogin" value="0"');
    const opened = await submit("/dashboard/settings/require-login", { requireLogin: "0" });
    expect(opened.status).toBe(200);
    const openedText = await opened.text();
    expect(openedText).toContain("not required");
    expect(openedText).toContain(">Require sign-in</button>");
    expect((await server.call("/api/keys")).status).toBe(200);

    const closed = await submit("/dashboard/settings/require-login", { requireLogin: "1" });
    expect(closed.status).toBe(200);
    expect((await managementJson("/api/settings")).requireLogin).toBe(true);
    expect((await server.call("/api/keys")).status).toBe(401);
  });
});
