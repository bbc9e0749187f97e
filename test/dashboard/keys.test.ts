import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startServer, type TestServer } from "../helpers/server.ts";

let server: TestServer;
let cookie: string;
beforeAll(async () => {
  server = await startServer();
  cookie = await server.login();
});
afterAll(() => server[Symbol.asyncDispose]());

function send(path: string, fields: Record<string, string>) {
  return server.form(path, fields, { cookie });
}

describe("the API keys page", () => {
  it("creates a key with its limits and budget and shows the secret once", async () => {
    const response = await send("/dashboard/keys", {
      label: "limited",
      monthlyUsd: "12.5",
      allowedModels: "openai/*, team-default",
      requestsPerMinute: "10",
      requestsPerDay: "",
      tokensPerMinute: "5000",
      expiresAt: "2030-01-31T12:00",
      noLog: "1",
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/<code id="new-key">sk-sy-/);
    expect(text).toContain(
      "models: openai/*, team-default · 10 req/min, 5K tokens/min · expires 2030-01-31 12:00 UTC",
    );
    expect(text).toContain("$0.00 of $12.50");
    const key = server.context.apiKeys.list().find((row) => row.label === "limited")!;
    expect(key).toMatchObject({
      noLog: true,
      requestsPerMinute: 10,
      requestsPerDay: null,
      tokensPerMinute: 5000,
    });
    expect(key.expiresAt?.toISOString()).toBe("2030-01-31T12:00:00.000Z");
    expect(await (await server.call("/dashboard/keys", { cookie })).text()).not.toContain("sk-sy-");
  });

  it("changes a key's limits, a blank field lifting its limit", async () => {
    const key = server.context.apiKeys.list().find((row) => row.label === "limited")!;
    const form = await (await server.call(`/dashboard/keys/${key.id}/edit`, { cookie })).text();
    expect(form).toContain('value="openai/*, team-default"');
    expect(form).toContain('value="2030-01-31T12:00"');
    const response = await send(`/dashboard/keys/${key.id}`, {
      label: "renamed",
      allowedModels: "",
      requestsPerMinute: "20",
      requestsPerDay: "",
      tokensPerMinute: "",
      expiresAt: "",
    });
    expect(response.status).toBe(200);
    expect(server.context.apiKeys.get(key.id)).toMatchObject({
      label: "renamed",
      allowedModels: null,
      requestsPerMinute: 20,
      tokensPerMinute: null,
      expiresAt: null,
      noLog: false,
    });
  });

  it("keeps the edit form with the refusal next to the field", async () => {
    const key = server.context.apiKeys.list().find((row) => row.label === "renamed")!;
    const response = await send(`/dashboard/keys/${key.id}`, { label: " " });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain("Limits of renamed");
    expect(text).toContain('id="edit-label-error"');
  });
});

describe("a refusal by the management API's schema", () => {
  it("is shown next to the field it names", async () => {
    const response = await send("/dashboard/keys", { label: "bad rate", requestsPerMinute: "0" });
    expect(response.status).toBe(422);
    const text = await response.text();
    expect(text).toContain('id="new-requestsPerMinute-error"');
    expect(server.context.apiKeys.list().map((row) => row.label)).not.toContain("bad rate");
  });
});

describe("a key's IP allowlist and budgets", () => {
  it("are saved from the edit form and shown in it again", async () => {
    const key = server.context.apiKeys.list().find((row) => row.label === "renamed")!;
    const response = await send(`/dashboard/keys/${key.id}`, {
      label: "renamed",
      ipAllowlist: "10.0.0.0/8\n\n 192.168.1.7 ",
      dailyUsd: "1.5",
      weeklyUsd: "7",
      monthlyUsd: "",
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("from 10.0.0.0/8, 192.168.1.7");
    expect(server.context.apiKeys.get(key.id)?.ipAllowlist).toEqual(["10.0.0.0/8", "192.168.1.7"]);
    const budgets = await server.call(`/api/usage/budget?apiKeyId=${key.id}`, { cookie });
    const [budget] = (await budgets.json()).budgets;
    expect(budget).toMatchObject({ dailyUsd: 1.5, weeklyUsd: 7, monthlyUsd: null });

    const form = await (await server.call(`/dashboard/keys/${key.id}/edit`, { cookie })).text();
    expect(form).toContain(">10.0.0.0/8\n192.168.1.7</textarea>");
    expect(form).toContain('id="edit-dailyUsd" name="dailyUsd" type="number"');
    expect(form).toMatch(/id="edit-weeklyUsd"[^>]*value="7"/);
  });

  it("refuse an entry that is not an address pattern, naming it", async () => {
    const key = server.context.apiKeys.list().find((row) => row.label === "renamed")!;
    const response = await send(`/dashboard/keys/${key.id}`, {
      label: "renamed",
      ipAllowlist: "10.0.0.1\nnot an address",
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain('id="edit-ip-allowlist-error"');
    expect(text).toContain("Entry 2:");
    expect(server.context.apiKeys.get(key.id)?.ipAllowlist).toEqual(["10.0.0.0/8", "192.168.1.7"]);
  });

  it("refuse a budget that is not an amount before saving anything", async () => {
    const key = server.context.apiKeys.list().find((row) => row.label === "renamed")!;
    const response = await send(`/dashboard/keys/${key.id}`, { label: "other name", weeklyUsd: "-1" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('id="edit-weeklyUsd-error"');
    expect(server.context.apiKeys.get(key.id)?.label).toBe("renamed");
  });

  it("are given at creation too", async () => {
    const response = await send("/dashboard/keys", {
      label: "office only",
      ipAllowlist: "203.0.113.0/24",
      dailyUsd: "2",
    });
    expect(response.status).toBe(200);
    const key = server.context.apiKeys.list().find((row) => row.label === "office only")!;
    expect(key.ipAllowlist).toEqual(["203.0.113.0/24"]);
    expect(server.context.usage.budgets.status(key.id)).toMatchObject({ dailyUsd: 2, monthlyUsd: null });
  });
});
