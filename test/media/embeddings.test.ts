/**
 * POST /v1/embeddings through the routing: the official SDK against OpenAI-compatible, Gemini,
 * Ollama, Cohere, Voyage and Jina upstreams; dimensions and base64 honoured; unknown keys
 * forwarded; failover past a rate-limited account; a usage row per call.
 */
import { describe, expect, it } from "bun:test";
import { float32Base64 } from "../../src/gateway/media/embeddings.ts";
import { useMediaGateway } from "../helpers/media-setup.ts";
import { MEDIA_KEYS, mockVector } from "../helpers/media-upstream.ts";

const gateway = useMediaGateway();

const lastReceived = () => gateway.setup.upstream.received.at(-1)!;

describe("embeddings", () => {
  for (const [model, route] of [
    ["openai/text-embedding-3-small", "openai-embeddings"],
    ["gemini/gemini-embedding-001", "gemini-embeddings"],
    ["ollama/nomic-embed-text", "ollama-embeddings"],
    ["cohere/embed-v4.0", "cohere-embeddings"],
    ["voyage/voyage-3.5", "voyage-embeddings"],
    ["jina/jina-embeddings-v3", "jina-embeddings"],
  ] as const) {
    it(`answers the SDK in OpenAI's shape from ${route}, with dimensions`, async () => {
      const answer = await gateway.client.embeddings.create({
        model,
        input: ["hello", "embeddings!"],
        dimensions: 2,
        encoding_format: "float",
      });
      expect(lastReceived().route).toBe(route);
      expect(answer.object).toBe("list");
      expect(answer.data.map((item) => item.embedding)).toEqual([
        mockVector("hello", 2),
        mockVector("embeddings!", 2),
      ]);
      expect(answer.data.map((item) => item.index)).toEqual([0, 1]);
      expect(answer.usage.prompt_tokens).toBeGreaterThan(0);
    });
  }

  it("sends each style its own names for the texts and the size", () => {
    const byRoute = Object.fromEntries(
      gateway.setup.upstream.received.map((entry) => [entry.route, entry.body]),
    );
    expect(byRoute["gemini-embeddings"]).toEqual({
      requests: [
        {
          model: "models/gemini-embedding-001",
          content: { parts: [{ text: "hello" }] },
          outputDimensionality: 2,
        },
        {
          model: "models/gemini-embedding-001",
          content: { parts: [{ text: "embeddings!" }] },
          outputDimensionality: 2,
        },
      ],
    });
    expect(byRoute["ollama-embeddings"]).toEqual({
      model: "nomic-embed-text",
      input: ["hello", "embeddings!"],
      dimensions: 2,
    });
    expect(byRoute["cohere-embeddings"]).toMatchObject({
      model: "embed-v4.0",
      texts: ["hello", "embeddings!"],
      embedding_types: ["float"],
      output_dimension: 2,
    });
    expect(byRoute["voyage-embeddings"]).toEqual({
      model: "voyage-3.5",
      input: ["hello", "embeddings!"],
      output_dimension: 2,
    });
  });

  it("answers base64 as little-endian float32, made here when the upstream sent floats", async () => {
    for (const model of ["openai/text-embedding-3-small", "gemini/gemini-embedding-001"]) {
      const response = await gateway.setup.post("/v1/embeddings", {
        model,
        input: "four",
        encoding_format: "base64",
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: Array<{ embedding: string }> };
      const bytes = Buffer.from(body.data[0]!.embedding, "base64");
      expect(body.data[0]!.embedding).toBe(float32Base64(mockVector("four")));
      expect([...new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)]).toEqual(
        mockVector("four"),
      );
    }
    // The SDK asks for base64 by default and decodes it itself.
    const decoded = await gateway.client.embeddings.create({
      model: "cohere/embed-v4.0",
      input: "sdk default",
    });
    expect(decoded.data[0]!.embedding).toEqual(mockVector("sdk default"));
  });

  it("forwards body keys it does not map, such as input_type and truncate", async () => {
    const response = await gateway.setup.post("/api/v1/embeddings", {
      model: "cohere/embed-v4.0",
      input: "query text",
      input_type: "search_query",
      truncate: "END",
    });
    expect(response.status).toBe(200);
    expect(lastReceived().body).toMatchObject({ input_type: "search_query", truncate: "END" });
  });

  it("pins the provider with /v1/providers/{provider}/embeddings", async () => {
    const response = await gateway.setup.post("/v1/providers/jina/embeddings", {
      model: "jina-embeddings-v3",
      input: "pinned",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchyard-provider")).toBe("jina");
    expect(lastReceived().route).toBe("jina-embeddings");
  });

  it("falls over to the second account when the first answers 429, and skips it while it cools down", async () => {
    const model = "openai/text-embedding-3-large";
    const before = gateway.setup.upstream.received.length;
    gateway.setup.upstream.failNext(
      "openai-embeddings",
      429,
      { error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } },
      { "retry-after": "30" },
    );
    const answer = await gateway.client.embeddings.create({ model, input: "failover" }).withResponse();
    expect(answer.data.data[0]!.embedding).toEqual(mockVector("failover"));
    const [limited, served] = gateway.setup.upstream.received.slice(before);
    expect(limited!.headers.authorization).not.toBe(served!.headers.authorization);
    const { row, attempts } = await gateway.setup.usageOf(answer.response);
    expect(row).toMatchObject({ status: 200, attempts: 2, model: "text-embedding-3-large", inputTokens: 5 });
    expect(attempts.map((attempt) => attempt.status)).toEqual([429, 200]);
    expect(row.connectionId).not.toBe(attempts[0]!.connectionId);

    const again = await gateway.setup.post("/v1/embeddings", { model, input: "again" });
    expect(again.status).toBe(200);
    expect(gateway.setup.upstream.received.at(-1)!.headers.authorization).toBe(served!.headers.authorization);
    expect((await gateway.setup.usageOf(again)).row.attempts).toBe(1);
    expect(MEDIA_KEYS.map((key) => `Bearer ${key}`)).toContain(served!.headers.authorization!);
  });

  it("answers 429 with Retry-After, without calling upstream, while every account cools down", async () => {
    const model = "openai/text-embedding-ada-002";
    const limited = {
      error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" },
    };
    gateway.setup.upstream.failNext("openai-embeddings", 429, limited, { "retry-after": "20" });
    gateway.setup.upstream.failNext("openai-embeddings", 429, limited, { "retry-after": "20" });
    const first = await gateway.setup.post("/v1/embeddings", { model, input: "x" });
    expect(first.status).toBe(429);
    const before = gateway.setup.upstream.received.length;
    const second = await gateway.setup.post("/v1/embeddings", { model, input: "x" });
    expect(second.status).toBe(429);
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await second.json()).toMatchObject({ error: { type: "rate_limit_error" } });
    expect(gateway.setup.upstream.received.length).toBe(before);
  });

  it("routes a combo across providers, falling over from a failing Gemini to Jina", async () => {
    const combo = await gateway.setup.server.call("/api/combos", {
      method: "POST",
      cookie: gateway.setup.cookie,
      // Its own Gemini model: the 503 cools down only (connection, model), not the other tests' one.
      json: { name: "vectors", models: ["gemini/text-embedding-004", "jina/jina-embeddings-v3"] },
    });
    expect(combo.status).toBe(201);
    gateway.setup.upstream.failNext("gemini-embeddings", 503, {
      error: { code: 503, message: "overloaded", status: "UNAVAILABLE" },
    });
    const response = await gateway.setup.post("/v1/embeddings", { model: "vectors", input: "combo" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchyard-provider")).toBe("jina");
    expect((await gateway.setup.usageOf(response)).row).toMatchObject({
      combo: "vectors",
      comboStep: 1,
      attempts: 2,
    });
  });

  it("holds the key to its allowed models", async () => {
    const created = await gateway.setup.server.call("/api/keys", {
      method: "POST",
      cookie: gateway.setup.cookie,
      json: { label: "openai only", allowedModels: ["openai/*"] },
    });
    const { key } = (await created.json()) as { key: string };
    const limited = (model: string) =>
      fetch(`${gateway.setup.server.url}/v1/embeddings`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model, input: "x" }),
      });
    expect((await limited("openai/text-embedding-3-small")).status).toBe(200);
    const refused = await limited("gemini/gemini-embedding-001");
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { type: "permission_error", param: "model" } });
  });

  it("records usage and cost from the catalogue's price", async () => {
    const response = await gateway.setup.post("/v1/embeddings", {
      model: "openai/text-embedding-3-small",
      input: ["a", "b"],
    });
    const { row } = await gateway.setup.usageOf(response);
    expect(row).toMatchObject({
      status: 200,
      provider: "openai",
      inputTokens: 10,
      outputTokens: 0,
      estimated: false,
    });
    expect(row.costUsd).toBeCloseTo((10 * 0.02) / 1e6, 12);
    expect(Number(response.headers.get("x-switchyard-cost-usd"))).toBeCloseTo(0, 6);
    const gemini = await gateway.setup.post("/v1/embeddings", {
      model: "gemini/gemini-embedding-001",
      input: "estimate me",
    });
    expect((await gateway.setup.usageOf(gemini)).row).toMatchObject({ status: 200, estimated: true });
    expect((await gateway.setup.usageOf(gemini)).row.inputTokens).toBeGreaterThan(0);
  });

  it("refuses bad bodies and unknown keys in OpenAI's error format", async () => {
    const missing = await gateway.setup.post("/v1/embeddings", { model: "openai/text-embedding-3-small" });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { param: "input", type: "invalid_request_error" } });
    const format = await gateway.setup.post("/v1/embeddings", {
      model: "openai/text-embedding-3-small",
      input: "x",
      encoding_format: "int8",
    });
    expect(format.status).toBe(400);
    const tokens = await gateway.setup.post("/v1/embeddings", {
      model: "gemini/gemini-embedding-001",
      input: [1, 2, 3],
    });
    expect(tokens.status).toBe(400);
    expect(((await tokens.json()) as { error: { message: string } }).error.message).toContain("token ids");
    const anthropic = await gateway.setup.post("/v1/embeddings", { model: "nobody/none", input: "x" });
    expect(anthropic.status).toBe(404);
    const unauthorized = await fetch(`${gateway.setup.server.url}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: "Bearer nope", "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/text-embedding-3-small", input: "x" }),
    });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({ error: { type: "authentication_error" } });
  });
});
