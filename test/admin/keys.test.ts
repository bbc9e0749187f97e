import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startServer, type TestServer } from "../helpers/server.ts";

let server: TestServer;
let cookie: string;
beforeAll(async () => {
  server = await startServer();
  cookie = await server.login();
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
});

interface CreatedKey {
  id: string;
  key: string;
  label: string;
  keyPreview: string;
  isActive: boolean;
  createdAt: string;
}

async function create(body: unknown): Promise<Response> {
  return server.call("/api/keys", { method: "POST", cookie, json: body });
}

describe("/api/keys", () => {
  it("returns the full key once on creation and only a preview afterwards", async () => {
    const response = await create({ label: "laptop" });
    expect(response.status).toBe(201);
    const created = (await response.json()) as CreatedKey;
    expect(created.key).toStartWith("sk-sy-");
    expect(created.key.length).toBeGreaterThan(30);
    expect(created.keyPreview).toBe(created.key.slice(-4));
    expect(created).toMatchObject({ label: "laptop", isActive: true });
    expect(Date.parse(created.createdAt)).toBeGreaterThan(0);

    const list = (await (await server.call("/api/keys", { cookie })).json()) as {
      keys: Array<Record<string, unknown>>;
    };
    const listed = list.keys.find((key) => key.id === created.id)!;
    expect(listed).toMatchObject({
      label: "laptop",
      keyPreview: created.keyPreview,
      isActive: true,
      lastUsedAt: null,
    });
    expect(JSON.stringify(list)).not.toContain(created.key);
  });

  it("accepts `name` in place of `label`", async () => {
    const created = (await (await create({ name: "ci runner" })).json()) as CreatedKey;
    expect(created.label).toBe("ci runner");
  });

  it("answers 400 with details for a missing or wrongly typed label", async () => {
    const missing = await create({});
    expect(missing.status).toBe(400);
    expect(
      ((await missing.json()) as { error: { details: Array<{ field: string }> } }).error.details[0]?.field,
    ).toBe("label");
    const wrongType = await create({ label: 42 });
    expect(wrongType.status).toBe(400);
    const blank = await create({ label: "   " });
    expect(blank.status).toBe(400);
  });

  it("revokes at once: the deleted key stops working on its next request", async () => {
    const created = (await (await create({ label: "temp", admin: true })).json()) as CreatedKey;
    const bearer = { authorization: `Bearer ${created.key}` };
    expect((await server.call("/api/keys", { headers: bearer })).status).toBe(200);
    const deleted = await server.call(`/api/keys/${created.id}`, { method: "DELETE", cookie });
    expect(deleted.status).toBe(200);
    expect((await server.call("/api/keys", { headers: bearer })).status).toBe(401);
    const list = (await (await server.call("/api/keys", { cookie })).json()) as {
      keys: Array<{ id: string }>;
    };
    expect(list.keys.map((key) => key.id)).not.toContain(created.id);
  });

  it("answers 404 for an unknown id", async () => {
    const response = await server.call("/api/keys/nope", { method: "DELETE", cookie });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("nope");
  });

  it("records when a key was last used", async () => {
    const created = (await (await create({ label: "used", admin: true })).json()) as CreatedKey;
    await server.call("/api/keys", { headers: { authorization: `Bearer ${created.key}` } });
    const list = (await (await server.call("/api/keys", { cookie })).json()) as {
      keys: Array<{ id: string; lastUsedAt: string | null }>;
    };
    expect(list.keys.find((key) => key.id === created.id)?.lastUsedAt).not.toBeNull();
  });
});
