/**
 * The attempt loop against a fault-injecting upstream: what the client sees, how long it takes,
 * how many attempts are made, and that breakers recover by themselves.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { FAULT_TEXT, type FaultUpstream, startFaultUpstream } from "../helpers/fault-upstream.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

let server: TestServer;
let primary: FaultUpstream;
let secondary: FaultUpstream;
let cookie: string;
let key: string;

const TIMEOUTS = { connectMs: 300, firstByteMs: 300, idleMs: 300, totalMs: 3000 };

beforeAll(async () => {
  primary = startFaultUpstream();
  secondary = startFaultUpstream();
  server = await startServer();
  cookie = await server.login();
  const admin = (method: string, path: string, json: unknown) => server.call(path, { method, cookie, json });
  for (const [name, upstream, priority] of [
    ["primary", primary, 0],
    ["secondary", secondary, 1],
  ] as const) {
    await admin("POST", "/api/providers", {
      provider: "openai",
      name,
      apiKey: "k",
      url: `${upstream.url}/v1`,
      priority,
    });
  }
  await admin("PATCH", "/api/settings", { timeouts: TIMEOUTS });
  await admin("PATCH", "/api/resilience", {
    profile: { breaker: { minRequests: 4, failureRate: 0.5, openMs: 400, windowMs: 10_000 } },
  });
  key = ((await (await admin("POST", "/api/keys", { label: "t" })).json()) as { key: string }).key;
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
  await primary[Symbol.asyncDispose]();
  await secondary[Symbol.asyncDispose]();
});
beforeEach(async () => {
  primary.always("ok");
  secondary.always("ok");
  await server.call("/api/resilience/reset", { method: "POST", cookie });
});

const MODEL = "openai/gpt-4o";

async function chat(stream = false) {
  const started = performance.now();
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, stream, messages: [{ role: "user", content: "hi" }] }),
  });
  const text = await response.text();
  return {
    response,
    text,
    ms: performance.now() - started,
    attempts: Number(response.headers.get("x-switchyard-attempts")),
  };
}

const counts = () => ({ primary: primary.count, secondary: secondary.count });
const delta = (before: { primary: number; secondary: number }) => ({
  primary: primary.count - before.primary,
  secondary: secondary.count - before.secondary,
});

describe("failing over, non-streaming", () => {
  it("moves on at once from a 429 with Retry-After, and skips that account while it cools down", async () => {
    primary.script({
      status: 429,
      body: { error: { message: "slow down", type: "rate_limit_error" } },
      headers: { "retry-after": "30" },
    });
    const first = await chat();
    expect(first.response.status).toBe(200);
    expect(first.attempts).toBe(2);
    expect(first.ms).toBeLessThan(1000);
    const before = counts();
    const second = await chat();
    expect(second.response.status).toBe(200);
    expect(delta(before)).toEqual({ primary: 0, secondary: 1 });
    const limits = (await (await server.call("/api/rate-limits", { cookie })).json()) as {
      connections: Array<{ name: string; cooldowns: Array<{ model: string }> }>;
    };
    expect(limits.connections.find((entry) => entry.name === "primary")?.cooldowns[0]?.model).toBe("gpt-4o");
  });

  it("moves on at once from a 429 without Retry-After, and cools that account down by backoff", async () => {
    primary.script({ status: 429, body: { error: { message: "slow down", type: "rate_limit_error" } } });
    const first = await chat();
    expect(first.response.status).toBe(200);
    expect(first.attempts).toBe(2);
    expect(first.ms).toBeLessThan(1000);
    const limits = (await (await server.call("/api/rate-limits", { cookie })).json()) as {
      connections: Array<{ name: string; cooldowns: Array<{ model: string; until: number | string }> }>;
    };
    expect(limits.connections.find((entry) => entry.name === "primary")?.cooldowns).toHaveLength(1);
  });

  it("falls over at once from a single 500", async () => {
    primary.script({ status: 500, body: { error: { message: "oops", type: "server_error" } } });
    const before = counts();
    const result = await chat();
    expect(result.response.status).toBe(200);
    expect(result.attempts).toBe(2);
    expect(delta(before)).toEqual({ primary: 1, secondary: 1 });
    expect(result.ms).toBeLessThan(1000);
  });

  it("cools only the failing model down, not the whole account", async () => {
    primary.script({ status: 500 });
    await chat();
    const before = counts();
    const other = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(other.status).toBe(200);
    expect(delta(before).primary).toBe(1);
  });

  for (const fault of ["reset", "silent"] as const) {
    it(`falls over when the first account ${fault === "reset" ? "resets the connection" : "never answers"}, within the timeouts`, async () => {
      primary.script(fault);
      const result = await chat();
      expect(result.response.status).toBe(200);
      expect(result.attempts).toBe(2);
      expect(result.ms).toBeLessThan(TIMEOUTS.firstByteMs + 700);
    });
  }

  it("answers 429 at once with Retry-After when every account is cooling down", async () => {
    primary.always({ status: 503, body: { error: { message: "down", type: "server_error" } } });
    secondary.always({ status: 503, body: { error: { message: "down too", type: "server_error" } } });
    const failing = await chat();
    expect(failing.response.status).toBe(503);
    expect(failing.attempts).toBe(2);
    const before = counts();
    const cooled = await chat();
    expect(cooled.response.status).toBe(429);
    expect(Number(cooled.response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(cooled.ms).toBeLessThan(100);
    expect(delta(before)).toEqual({ primary: 0, secondary: 0 });
    expect(JSON.parse(cooled.text).error.type).toBe("rate_limit_error");
  });

  it("returns a content-filter refusal to the client without trying another account", async () => {
    primary.script({
      status: 400,
      body: {
        error: { message: "Your request was rejected by our content_filter", type: "invalid_request_error" },
      },
    });
    const before = counts();
    const result = await chat();
    expect(result.response.status).toBe(400);
    expect(delta(before)).toEqual({ primary: 1, secondary: 0 });
  });

  it("does not retry a context-length 400 on a target with no larger window", async () => {
    primary.script({
      status: 400,
      body: {
        error: {
          message: "This model's maximum context length is 128000 tokens",
          type: "invalid_request_error",
          code: "context_length_exceeded",
        },
      },
    });
    const before = counts();
    const result = await chat();
    expect(result.response.status).toBe(400);
    expect(result.text).toContain("maximum context length");
    expect(delta(before)).toEqual({ primary: 1, secondary: 0 });
  });

  it("disables an account whose key is refused, and shows why", async () => {
    primary.script({
      status: 401,
      body: { error: { message: "Incorrect API key", type: "invalid_request_error" } },
    });
    const result = await chat();
    expect(result.response.status).toBe(200);
    const resilience = (await (await server.call("/api/resilience", { cookie })).json()) as {
      states: { disabled: Record<string, string> };
    };
    expect(Object.values(resilience.states.disabled)[0]).toContain("Incorrect API key");
    const connections = (await (await server.call("/api/providers", { cookie })).json()) as {
      connections: Array<{ name: string; lastError: string | null }>;
    };
    expect(connections.connections.find((connection) => connection.name === "primary")?.lastError).toContain(
      "disabled",
    );
    const before = counts();
    await chat();
    expect(delta(before).primary).toBe(0);
  });
});

describe("streams", () => {
  it("falls over invisibly when a stream fails before its first byte", async () => {
    primary.script("reset");
    const client = new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 });
    let text = "";
    for await (const part of await client.chat.completions.create({
      model: MODEL,
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    })) {
      text += part.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe(FAULT_TEXT);
  });

  it("falls over invisibly when the first token is slow, within the first-byte timeout", async () => {
    primary.script("slow-first-token");
    const result = await chat(true);
    expect(result.response.status).toBe(200);
    expect(result.text).toContain("data: [DONE]");
    expect(result.text).not.toContain('"error"');
    expect(result.attempts).toBe(2);
    expect(result.ms).toBeLessThan(TIMEOUTS.idleMs + 700);
  });

  for (const fault of ["cut", "stall", "no-terminator"] as const) {
    it(`ends a ${fault} stream with an error event, never [DONE] (OpenAI client)`, async () => {
      primary.script(fault);
      const result = await chat(true);
      expect(result.response.status).toBe(200);
      expect(result.text).toContain("Partial");
      expect(result.text).not.toMatch(/^data: \[DONE\]$/m);
      expect(result.text).toContain('"error"');
      expect(result.ms).toBeLessThan(TIMEOUTS.idleMs + 800);
    });
  }

  it("ends a cut stream with Anthropic's error event for an Anthropic client, and the SDK raises", async () => {
    primary.script("cut");
    const client = new Anthropic({ apiKey: key, baseURL: server.url, maxRetries: 0 });
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 50,
      messages: [{ role: "user", content: "hi" }],
    });
    await expect(stream.finalMessage()).rejects.toThrow();
  });

  it("ends a stream with a malformed chunk with an error event when translating", async () => {
    primary.script("malformed");
    const response = await fetch(`${server.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: MODEL,
        max_tokens: 50,
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    const text = await response.text();
    expect(text).toContain("event: error");
    expect(text).not.toContain("message_stop");
  });
});

describe("circuit breakers", () => {
  it("open on a failure rate, let one probe through after the cooldown, and close when the primary heals", async () => {
    await server.call("/api/resilience", {
      method: "PATCH",
      cookie,
      json: { profile: { cooldown: { baseMs: 1, maxMs: 1 } } },
    });
    primary.always({ status: 500 });
    for (let i = 0; i < 4; i++) {
      await chat();
      await Bun.sleep(5);
    }
    const open = (await (await server.call("/api/resilience", { cookie })).json()) as {
      states: { breakers: { connections: Record<string, { state: string }> } };
    };
    expect(Object.values(open.states.breakers.connections).map((breaker) => breaker.state)).toContain("open");
    let before = counts();
    await chat();
    expect(delta(before).primary).toBe(0);
    primary.always("ok");
    await Bun.sleep(450);
    before = counts();
    const probe = await chat();
    expect(probe.response.status).toBe(200);
    expect(delta(before)).toEqual({ primary: 1, secondary: 0 });
    const closed = (await (await server.call("/api/resilience", { cookie })).json()) as {
      states: { breakers: { connections: Record<string, { state: string }> } };
    };
    expect(
      Object.values(closed.states.breakers.connections).every((breaker) => breaker.state === "closed"),
    ).toBe(true);
    await server.call("/api/resilience", {
      method: "PATCH",
      cookie,
      json: { profile: { cooldown: { baseMs: 1000, maxMs: 300_000 } } },
    });
  });
});
