import { afterAll, beforeAll, beforeEach, describe, expect, it } from "bun:test";
import OpenAI from "openai";
import { MOCK_KEY, type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

let server: TestServer;
let primary: MockUpstream;
let secondary: MockUpstream;
let key: string;
let cookie: string;

/** An OpenAI-style upstream that streams one chunk every 20 ms until its client goes away. */
let slowAbortedAt = 0;
const slow = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    request.signal.addEventListener("abort", () => {
      slowAbortedAt = performance.now();
    });
    const chunk = (text: string) =>
      `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "slow", choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
    return new Response(
      new ReadableStream({
        async pull(controller) {
          await Bun.sleep(20);
          if (!request.signal.aborted) controller.enqueue(new TextEncoder().encode(chunk("tick ")));
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    );
  },
});

beforeAll(async () => {
  primary = startMockUpstream();
  secondary = startMockUpstream();
  server = await startServer();
  cookie = await server.login();
  const add = (json: Record<string, unknown>) =>
    server.call("/api/providers", { method: "POST", cookie, json });
  await add({ provider: "openai", name: "primary", apiKey: MOCK_KEY, url: `${primary.url}/v1`, priority: 0 });
  await add({
    provider: "openai",
    name: "secondary",
    apiKey: MOCK_KEY,
    url: `${secondary.url}/v1`,
    priority: 1,
  });
  await server.call("/api/provider-nodes", {
    method: "POST",
    cookie,
    json: {
      type: "openai-compatible",
      name: "Slow",
      prefix: "slow",
      baseUrl: `http://127.0.0.1:${slow.port}/v1`,
    },
  });
  const nodes = (await (await server.call("/api/provider-nodes", { cookie })).json()) as {
    nodes: Array<{ id: string }>;
  };
  await add({ provider: nodes.nodes[0]!.id, apiKey: "k" });
  key = (
    (await (await server.call("/api/keys", { method: "POST", cookie, json: { label: "t" } })).json()) as {
      key: string;
    }
  ).key;
});
// Each case starts with every account healthy: a failure in one case cools an account down for the next.
beforeEach(async () => {
  await server.call("/api/resilience/reset", { method: "POST", cookie });
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
  await primary[Symbol.asyncDispose]();
  await secondary[Symbol.asyncDispose]();
  slow.stop(true);
});

const chat = (body: Record<string, unknown>) =>
  fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...body }),
  });

describe("trying the next connection", () => {
  it("falls over to the second connection when the first answers 503", async () => {
    primary.failNext("openai-chat", 503, { error: { message: "overloaded", type: "server_error" } });
    const response = await chat({ model: "openai/gpt-mock" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchyard-attempts")).toBe("2");
    expect(((await response.json()) as { object: string }).object).toBe("chat.completion");
  });

  it("falls over before the first byte of a stream, invisibly to the client", async () => {
    primary.failNext(
      "openai-chat",
      429,
      { error: { message: "rate limited", type: "rate_limit_error" } },
      { "retry-after": "1" },
    );
    const client = new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 });
    let text = "";
    for await (const chunk of await client.chat.completions.create({
      model: "openai/gpt-mock",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    })) {
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(text.length).toBeGreaterThan(0);
  });

  it("does not retry a client error on another connection", async () => {
    primary.failNext("openai-chat", 400, {
      error: { message: "bad tool schema", type: "invalid_request_error" },
    });
    const before = secondary.received.length;
    const response = await chat({ model: "openai/gpt-mock" });
    expect(response.status).toBe(400);
    expect(secondary.received.length).toBe(before);
  });

  it("returns the last failure when every connection fails", async () => {
    primary.failNext("openai-chat", 500, { error: { message: "boom one", type: "server_error" } });
    secondary.failNext("openai-chat", 502, { error: { message: "boom two", type: "server_error" } });
    const response = await chat({ model: "openai/gpt-mock" });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("boom two");
  });
});

describe("client disconnects", () => {
  it("closing the client stream closes the upstream request within 100 ms", async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "slow/slow-model",
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    slowAbortedAt = 0;
    const closedAt = performance.now();
    controller.abort();
    for (let i = 0; i < 40 && slowAbortedAt === 0; i++) await Bun.sleep(5);
    expect(slowAbortedAt).toBeGreaterThan(0);
    expect(slowAbortedAt - closedAt).toBeLessThan(100);
  });
});
