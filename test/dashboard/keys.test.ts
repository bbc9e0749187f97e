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
  return server.call(path, {
    method: "POST",
    cookie,
    headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true" },
    body: new URLSearchParams(fields).toString(),
  });
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
