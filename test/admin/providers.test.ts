import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { MOCK_KEY, type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

let server: TestServer;
let upstream: MockUpstream;
let cookie: string;
beforeAll(async () => {
  upstream = startMockUpstream();
  server = await startServer();
  cookie = await server.login();
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
  await upstream[Symbol.asyncDispose]();
});

type Json = Record<string, unknown>;
const api = async (method: string, path: string, json?: unknown) => {
  const response = await server.call(path, { method, cookie, ...(json === undefined ? {} : { json }) });
  return { status: response.status, body: (await response.json()) as Json };
};

describe("/api/providers", () => {
  it("creates a connection, keeps its key encrypted at rest and never returns it", async () => {
    const created = await api("POST", "/api/providers", {
      provider: "openai",
      name: "work",
      apiKey: "sk-live-1234567890abcd",
      url: `${upstream.url}/v1`,
    });
    expect(created.status).toBe(201);
    const connection = created.body.connection as Json;
    expect(connection).toMatchObject({
      provider: "openai",
      name: "work",
      isActive: true,
      hasApiKey: true,
      apiKeyPreview: "…abcd",
      testStatus: "untested",
    });
    expect(JSON.stringify(created.body)).not.toContain("sk-live-1234567890abcd");
    const db = new Database(join(server.dataDir, "switchyard.sqlite"), { readonly: true });
    const stored = db
      .query<{ api_key_encrypted: string }, []>("SELECT api_key_encrypted FROM provider_connections")
      .get();
    db.close();
    expect(stored?.api_key_encrypted).toStartWith("v1:");
    expect(stored?.api_key_encrypted).not.toContain("1234567890");
    const listed = await api("GET", "/api/providers");
    expect(JSON.stringify(listed.body)).not.toContain("sk-live-1234567890abcd");
  });

  it("accepts the base URL as url or as providerSpecificData.baseUrl, and an alias for the provider", async () => {
    const created = await api("POST", "/api/providers", {
      provider: "Claude",
      apiKey: MOCK_KEY,
      providerSpecificData: { baseUrl: upstream.url },
    });
    expect(created.status).toBe(201);
    expect(created.body.connection).toMatchObject({ provider: "anthropic", url: upstream.url });
  });

  it("answers 400 with details for an unknown provider, a missing key, or a bad URL", async () => {
    const unknown = await api("POST", "/api/providers", { provider: "nope", apiKey: "k" });
    expect(unknown.status).toBe(400);
    expect((unknown.body.error as { details: Json[] }).details[0]).toMatchObject({ field: "provider" });
    const keyless = await api("POST", "/api/providers", { provider: "openai" });
    expect((keyless.body.error as { details: Json[] }).details[0]).toMatchObject({ field: "apiKey" });
    const badUrl = await api("POST", "/api/providers", { provider: "openai", apiKey: "k", url: "not a url" });
    expect((badUrl.body.error as { details: Json[] }).details[0]).toMatchObject({ field: "url" });
    const azure = await api("POST", "/api/providers", { provider: "azure-openai", apiKey: "k" });
    expect(azure.status).toBe(400);
  });

  it("lets a local runtime go without a key", async () => {
    const created = await api("POST", "/api/providers", { provider: "ollama", url: upstream.url });
    expect(created.status).toBe(201);
    expect(created.body.connection).toMatchObject({ hasApiKey: false });
  });

  it("gets, updates with PATCH and PUT, and deletes by id", async () => {
    const { body } = await api("POST", "/api/providers", { provider: "groq", apiKey: "gsk_abcdefgh1234" });
    const id = (body.connection as Json).id as string;
    expect((await api("GET", `/api/providers/${id}`)).body.connection).toMatchObject({
      id,
      provider: "groq",
    });
    expect(
      (await api("PATCH", `/api/providers/${id}`, { priority: 5, isActive: false })).body.connection,
    ).toMatchObject({ priority: 5, isActive: false });
    expect((await api("PUT", `/api/providers/${id}`, { name: "renamed" })).body.connection).toMatchObject({
      name: "renamed",
      priority: 5,
    });
    expect((await api("PATCH", `/api/providers/${id}`, { url: "ftp://x" })).status).toBe(400);
    expect((await api("DELETE", `/api/providers/${id}`)).status).toBe(200);
    expect((await api("GET", `/api/providers/${id}`)).status).toBe(404);
    expect((await api("DELETE", `/api/providers/${id}`)).status).toBe(404);
  });

  it("tests a connection live and records the outcome", async () => {
    const good = (
      await api("POST", "/api/providers", { provider: "openai", apiKey: MOCK_KEY, url: `${upstream.url}/v1` })
    ).body.connection as Json;
    const bad = (
      await api("POST", "/api/providers", { provider: "openai", apiKey: "wrong", url: `${upstream.url}/v1` })
    ).body.connection as Json;
    const passed = await api("POST", `/api/providers/${good.id}/test`);
    expect(passed.body).toMatchObject({ valid: true, statusCode: 200, error: null });
    expect(passed.body.latencyMs).toBeGreaterThanOrEqual(0);
    const failed = await api("POST", `/api/providers/${bad.id}/test`);
    expect(failed.body).toMatchObject({ valid: false, statusCode: 401 });
    expect((await api("GET", `/api/providers/${bad.id}`)).body.connection).toMatchObject({
      testStatus: "error",
    });
    const batch = await api("POST", "/api/providers/test-batch", { ids: [good.id, bad.id, "missing"] });
    expect((batch.body.results as Json[]).map((result) => result.valid)).toEqual([true, false, false]);
    const models = await api("GET", `/api/providers/${good.id}/models`);
    expect(models.body.models).toEqual([{ id: "mock-model", name: "mock-model" }]);
  });

  it("validates credentials without saving", async () => {
    const before = ((await api("GET", "/api/providers")).body.connections as Json[]).length;
    const valid = await api("POST", "/api/providers/validate", {
      provider: "gemini",
      apiKey: MOCK_KEY,
      url: upstream.url,
    });
    expect(valid.body).toMatchObject({ valid: true, modelCount: 1 });
    const invalid = await api("POST", "/api/providers/validate", {
      provider: "gemini",
      apiKey: "nope",
      url: upstream.url,
    });
    expect(invalid.body).toMatchObject({ valid: false, statusCode: 401 });
    expect(((await api("GET", "/api/providers")).body.connections as Json[]).length).toBe(before);
  });

  it("lists providers for a front end without secrets", async () => {
    const client = await api("GET", "/api/providers/client");
    expect((client.body.providers as Json[]).some((provider) => provider.id === "openai")).toBe(true);
    expect(JSON.stringify(client.body)).not.toMatch(/sk-live|apiKeyPreview/);
  });
});

describe("/api/provider-nodes", () => {
  it("creates, lists, updates and deletes a node, and a connection may name it by prefix", async () => {
    const created = await api("POST", "/api/provider-nodes", {
      type: "openai-compatible",
      apiType: "chat",
      name: "Home vLLM",
      prefix: "home",
      baseUrl: `${upstream.url}/v1`,
    });
    expect(created.status).toBe(201);
    const node = created.body.node as Json;
    expect(node).toMatchObject({ type: "openai-compatible", apiType: "chat", prefix: "home" });
    expect(((await api("GET", "/api/provider-nodes")).body.nodes as Json[]).map((n) => n.id)).toContain(
      node.id,
    );
    const connection = await api("POST", "/api/providers", { provider: "home", apiKey: MOCK_KEY });
    expect(connection.status).toBe(201);
    expect(connection.body.connection).toMatchObject({ provider: node.id });
    expect(
      (await api("PATCH", `/api/provider-nodes/${node.id}`, { name: "Renamed" })).body.node,
    ).toMatchObject({ name: "Renamed" });
    expect((await api("DELETE", `/api/provider-nodes/${node.id}`)).status).toBe(200);
    expect((await api("GET", `/api/providers/${(connection.body.connection as Json).id}`)).status).toBe(404);
  });

  it("refuses a bad type, a taken or built-in prefix, and a bad URL", async () => {
    const problems = async (json: Json) =>
      ((await api("POST", "/api/provider-nodes", json)).body.error as { details: Json[] }).details.map(
        (d) => d.field,
      );
    const base = {
      type: "openai-compatible",
      name: "n",
      prefix: "unique-one",
      baseUrl: "http://127.0.0.1:1/v1",
    };
    expect(await problems({ ...base, type: "grpc" })).toContain("type");
    expect(await problems({ ...base, prefix: "openai" })).toContain("prefix");
    expect(await problems({ ...base, baseUrl: "nope" })).toContain("baseUrl");
    expect((await api("POST", "/api/provider-nodes", base)).status).toBe(201);
    expect(await problems(base)).toContain("prefix");
  });

  it("validates a node live", async () => {
    const result = await api("POST", "/api/provider-nodes/validate", {
      type: "anthropic-compatible",
      baseUrl: upstream.url,
      apiKey: MOCK_KEY,
    });
    expect(result.body).toMatchObject({ valid: true });
  });
});

describe("/api/models", () => {
  it("lists reachable models and aliases, and the alias resolves for clients", async () => {
    const alias = await api("POST", "/api/models/alias", { alias: "fast", target: "openai/gpt-mock" });
    expect(alias.body).toEqual({ alias: "fast", target: "openai/gpt-mock" });
    const models = await api("GET", "/api/models");
    expect(models.body.aliases).toMatchObject({ fast: "openai/gpt-mock" });
    expect((models.body.models as Json[]).length).toBeGreaterThan(0);
    expect((await api("POST", "/api/models/alias", { alias: "x" })).status).toBe(400);
    const catalog = await api("GET", "/api/models/catalog");
    expect((catalog.body.providers as Json[]).length).toBeGreaterThan(20);
    const availability = await api("POST", "/api/models/availability");
    expect(availability.body.refreshed).toBe(true);
    expect((await api("GET", "/api/provider-models")).status).toBe(200);
  });

  it("serves OmniRoute's cloud paths for aliases and model resolution locally", async () => {
    const set = await api("PUT", "/api/cloud/models/alias", { alias: "quick", model: "openai/gpt-mock" });
    expect(set.body).toEqual({ alias: "quick", target: "openai/gpt-mock" });
    expect((await api("GET", "/api/cloud/models/alias")).body.aliases).toMatchObject({
      quick: "openai/gpt-mock",
    });
    const resolved = await api("POST", "/api/cloud/model/resolve", { model: "quick" });
    expect(resolved.status).toBe(200);
    expect(resolved.body.model).toBe("quick");
    expect((resolved.body.targets as Json[])[0]).toMatchObject({ provider: "openai", model: "gpt-mock" });
    expect(JSON.stringify(resolved.body)).not.toContain("apiKey");
    expect((await api("POST", "/api/cloud/model/resolve", { model: "nobody/serves-this" })).status).toBe(404);
  });
});
