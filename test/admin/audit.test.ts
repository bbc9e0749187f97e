import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startServer, TEST_PASSWORD, type TestServer } from "../helpers/server.ts";

let server: TestServer;
let cookie: string;
beforeAll(async () => {
  server = await startServer();
  cookie = await server.login();
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
});

interface Entry {
  id: number;
  timestamp: string;
  actor: string;
  ip: string;
  action: string;
  target: string | null;
  status: number;
  before: unknown;
  after: unknown;
}

async function auditLog(query = ""): Promise<{ entries: Entry[]; total: number }> {
  const response = await server.call(`/api/compliance/audit-log${query}`, { cookie });
  expect(response.status).toBe(200);
  return (await response.json()) as { entries: Entry[]; total: number };
}

describe("/api/compliance/audit-log", () => {
  it("records successful and failed sign-ins, with the password never written", async () => {
    await server.call("/api/auth/login", { method: "POST", json: { password: "wrong guess" } });
    const { entries } = await auditLog("?route=/api/auth/login");
    const [failure, success] = entries;
    expect(failure).toMatchObject({ actor: "anonymous", action: "POST /api/auth/login", status: 401 });
    expect(failure!.ip).toBe("127.0.0.1");
    expect(success).toMatchObject({ actor: "session", status: 200 });
    const text = JSON.stringify(entries);
    expect(text).not.toContain("wrong guess");
    expect(text).not.toContain(TEST_PASSWORD);
  });

  it("records a key's creation with the secret redacted, and its revocation with the state before", async () => {
    const created = (await (
      await server.call("/api/keys", { method: "POST", cookie, json: { label: "audited", admin: true } })
    ).json()) as { id: string; key: string };
    const byKey = await server.call(`/api/keys/${created.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${created.key}` },
    });
    expect(byKey.status).toBe(200);

    const { entries } = await auditLog(`?target=${created.id}`);
    const [revocation, creation] = entries;
    expect(creation).toMatchObject({ actor: "session", action: "POST /api/keys", status: 201 });
    expect(creation!.after).toMatchObject({ id: created.id, label: "audited", key: "[redacted]" });
    expect(revocation).toMatchObject({
      actor: `key:${created.id}`,
      action: "DELETE /api/keys/:id",
      before: { id: created.id, label: "audited", isActive: true },
    });
    expect(JSON.stringify(entries)).not.toContain(created.key);
  });

  it("redacts provider keys and headers from connection changes", async () => {
    const apiKey = "sk-upstream-secret-0123456789abcdef";
    const response = await server.call("/api/providers", {
      method: "POST",
      cookie,
      json: { provider: "openai", name: "audited", apiKey, headers: { "x-secret": "hush-hush" } },
    });
    expect(response.status).toBe(201);
    const { id } = ((await response.json()) as { connection: { id: string } }).connection;
    await server.call(`/api/providers/${id}`, { method: "PATCH", cookie, json: { name: "renamed" } });
    const { entries } = await auditLog(`?target=${id}`);
    expect(entries.map((entry) => entry.action)).toEqual(["PATCH /api/providers/:id", "POST /api/providers"]);
    expect(entries[0]!.before).toMatchObject({ name: "audited" });
    expect(entries[0]!.after).toMatchObject({ connection: { name: "renamed" } });
    const text = JSON.stringify(entries);
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain("hush-hush");
  });

  it("records refused changes with their status and without an after state", async () => {
    await server.call("/api/keys", { method: "POST", cookie, json: { label: "" } });
    const { entries } = await auditLog("?method=POST&route=/api/keys&limit=1");
    expect(entries[0]).toMatchObject({ status: 400, after: null });
  });

  it("pages newest first and reports the total", async () => {
    const all = await auditLog();
    const page = await auditLog("?limit=2&offset=1");
    expect(page.total).toBe(all.total);
    expect(page.entries.map((entry) => entry.id)).toEqual(all.entries.slice(1, 3).map((entry) => entry.id));
  });

  it("does not record reads", async () => {
    const { entries } = await auditLog();
    expect(entries.filter((entry) => entry.action.startsWith("GET "))).toEqual([]);
  });

  it("answers 400 for a bad filter and 401 without a session", async () => {
    expect((await server.call("/api/compliance/audit-log?limit=0", { cookie })).status).toBe(400);
    expect((await server.call("/api/compliance/audit-log?from=yesterday", { cookie })).status).toBe(400);
    expect((await server.call("/api/compliance/audit-log")).status).toBe(401);
  });
});
