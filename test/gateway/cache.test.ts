/**
 * The exact-match response cache and idempotency keys against the counting mock upstream: a hit
 * is byte-identical (a stream replays as a stream), never crosses API keys, and can be bypassed;
 * concurrent requests with one idempotency key make one upstream call.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type GatewaySetup, MODEL_FOR, startGateway } from "../helpers/gateway-setup.ts";

let setup: GatewaySetup;
beforeAll(async () => {
  setup = await startGateway();
});
afterAll(async () => {
  await setup[Symbol.asyncDispose]();
});

async function chat(
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
  key = setup.key,
): Promise<{ status: number; headers: Headers; bytes: string }> {
  const response = await fetch(`${setup.server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify({
      model: MODEL_FOR.anthropic,
      messages: [{ role: "user", content: "hi" }],
      ...body,
    }),
  });
  return { status: response.status, headers: response.headers, bytes: await response.text() };
}

function upstreamCalls(): number {
  return setup.upstream.received.length;
}

async function anotherKey(): Promise<string> {
  const response = await setup.server.call("/api/keys", {
    method: "POST",
    cookie: setup.cookie,
    json: { label: "other" },
  });
  return ((await response.json()) as { key: string }).key;
}

describe("the response cache", () => {
  it("answers a deterministic request again from the cache, byte for byte, without an upstream call", async () => {
    const before = upstreamCalls();
    const first = await chat({ temperature: 0, max_tokens: 17 });
    expect(first.headers.get("x-switchyard-cache")).toBe("miss");
    const second = await chat({ max_tokens: 17, temperature: 0 });
    expect(second.headers.get("x-switchyard-cache")).toBe("hit");
    expect(second.bytes).toBe(first.bytes);
    expect(upstreamCalls()).toBe(before + 1);
  });

  it("replays a cached stream as a stream", async () => {
    const before = upstreamCalls();
    const first = await chat({ temperature: 0, stream: true, max_tokens: 18 });
    const second = await chat({ temperature: 0, stream: true, max_tokens: 18 });
    expect(second.headers.get("x-switchyard-cache")).toBe("hit");
    expect(second.headers.get("content-type")).toBe("text/event-stream");
    expect(second.bytes).toBe(first.bytes);
    expect(second.bytes).toContain("data: [DONE]");
    expect(upstreamCalls()).toBe(before + 1);
  });

  it("never crosses API keys, can be bypassed, and leaves other requests alone", async () => {
    await chat({ temperature: 0, max_tokens: 19 });
    const before = upstreamCalls();
    const other = await chat({ temperature: 0, max_tokens: 19 }, {}, await anotherKey());
    expect(other.headers.get("x-switchyard-cache")).toBe("miss");
    const bypassed = await chat({ temperature: 0, max_tokens: 19 }, { "x-switchyard-cache": "bypass" });
    expect(bypassed.headers.get("x-switchyard-cache")).toBeNull();
    const random = await chat({ temperature: 0.7, max_tokens: 19 });
    expect(random.headers.get("x-switchyard-cache")).toBeNull();
    expect(upstreamCalls()).toBe(before + 3);
  });

  it("shows its statistics and can be cleared", async () => {
    const stats = (await (await setup.server.call("/api/cache/stats", { cookie: setup.cookie })).json()) as {
      hits: number;
      entries: number;
    };
    expect(stats.hits).toBeGreaterThanOrEqual(2);
    expect(stats.entries).toBeGreaterThan(0);
    const cleared = await setup.server.call("/api/cache", { method: "DELETE", cookie: setup.cookie });
    expect(((await cleared.json()) as { cleared: number }).cleared).toBe(stats.entries);
    const before = upstreamCalls();
    expect((await chat({ temperature: 0, max_tokens: 17 })).headers.get("x-switchyard-cache")).toBe("miss");
    expect(upstreamCalls()).toBe(before + 1);
    expect((await setup.server.call("/api/cache")).status).toBe(401);
  });
});

describe("idempotency keys", () => {
  it("coalesce concurrent requests into one upstream call and replay the first answer", async () => {
    const before = upstreamCalls();
    const headers = { "idempotency-key": "order-42" };
    const answers = await Promise.all(Array.from({ length: 5 }, () => chat({ max_tokens: 21 }, headers)));
    expect(new Set(answers.map((answer) => answer.bytes)).size).toBe(1);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const later = await chat({ max_tokens: 21 }, headers);
    expect(later.bytes).toBe(answers[0]!.bytes);
    expect(later.headers.get("idempotent-replayed")).toBe("true");
    expect(upstreamCalls()).toBe(before + 1);
    // Another key's same idempotency key is its own.
    await chat({ max_tokens: 21 }, headers, await anotherKey());
    expect(upstreamCalls()).toBe(before + 2);
  });
});
