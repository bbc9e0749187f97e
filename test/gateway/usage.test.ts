/**
 * The gateway feeds the usage room: one usage row per client request, with the tokens the mock
 * upstream reported (its fixtures, decoded here the same way), in every client and upstream
 * dialect, streaming or not; cost from the price table in the row and in a header; aborted
 * streams recorded with what was seen; and the key's limits enforced before any upstream call.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { usageAttempts, usageRecords } from "../../src/store/schema.ts";
import { CODECS } from "../../src/wire/index.ts";
import type { Dialect, IRUsage } from "../../src/wire/ir.ts";
import { CLIENT_DIALECTS, CLIENT_REQUESTS } from "../helpers/client-requests.ts";
import { startFaultUpstream } from "../helpers/fault-upstream.ts";
import { type GatewaySetup, MODEL_FOR, startGateway } from "../helpers/gateway-setup.ts";
import { decodeChunks, readFixture } from "../wire/fixture-files.ts";

let setup: GatewaySetup;
beforeAll(async () => {
  setup = await startGateway();
});
afterAll(async () => {
  await setup[Symbol.asyncDispose]();
});

/** What the mock upstream of a dialect reports for a text answer. */
function fixtureUsage(dialect: Dialect, stream: boolean): IRUsage | undefined {
  const codec = CODECS[dialect];
  if (!stream) return codec.decodeResponse(JSON.parse(readFixture(dialect, "response-text.json"))).usage;
  let usage: IRUsage | undefined;
  for (const event of decodeChunks(codec.decodeStream(), [readFixture(dialect, "stream-text.txt")])) {
    if (event.type === "usage" || ((event.type === "start" || event.type === "finish") && event.usage))
      usage = event.usage;
  }
  return usage;
}

async function send(
  dialect: Dialect,
  model: string,
  options: { stream?: boolean; key?: string; signal?: AbortSignal } = {},
) {
  const { path, body } = CLIENT_REQUESTS[dialect](model, options.stream);
  return fetch(`${setup.server.url}${path}`, {
    method: "POST",
    headers: headersFor(options.key ?? setup.key),
    body: JSON.stringify(body),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

function headersFor(key: string): Record<string, string> {
  return {
    "content-type": "application/json",
    authorization: `Bearer ${key}`,
    "anthropic-version": "2023-06-01",
  };
}

function rowOf(requestId: string | null) {
  setup.server.context.usage.flush();
  expect(requestId).toBeTruthy();
  const { db } = setup.server.context.store;
  return db.select().from(usageRecords).where(eq(usageRecords.requestId, requestId!)).get();
}

async function newKey(limits: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  const response = await setup.server.call("/api/keys", {
    method: "POST",
    cookie: setup.cookie,
    json: { label: "limited", ...limits },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; key: string };
}

describe("usage rows", () => {
  for (const stream of [false, true]) {
    for (const client of CLIENT_DIALECTS) {
      it(`${client} client, ${stream ? "streaming" : "whole"}: one row per upstream dialect with its reported tokens`, async () => {
        for (const upstream of CLIENT_DIALECTS) {
          const response = await send(client, MODEL_FOR[upstream], { stream });
          expect(response.status).toBe(200);
          await response.text();
          const row = rowOf(response.headers.get("x-request-id"));
          const expected = fixtureUsage(upstream, stream)!;
          expect({ upstream, row }).toMatchObject({
            upstream,
            row: {
              status: 200,
              clientDialect: client,
              requestedModel: MODEL_FOR[upstream],
              model: MODEL_FOR[upstream].split("/")[1],
              connectionId: setup.connectionIds[upstream],
              stream,
              attempts: 1,
              aborted: false,
              estimated: false,
              inputTokens: expected.inputTokens,
              outputTokens: expected.outputTokens,
            },
          });
          expect(row!.ttfbMs).toBeGreaterThan(0);
        }
      });
    }
  }

  it("prices the call from the price table, in the row and in x-switchyard-cost-usd", async () => {
    const priced = await setup.server.call("/api/pricing", {
      method: "POST",
      cookie: setup.cookie,
      json: { provider: "openai", model: "gpt-mock", input: 2, output: 10 },
    });
    expect(priced.status).toBe(200);
    const response = await send("openai-chat", MODEL_FOR["openai-chat"]);
    await response.text();
    const { inputTokens, outputTokens } = fixtureUsage("openai-chat", false)!;
    const cost = (inputTokens * 2 + outputTokens * 10) / 1e6;
    expect(Number(response.headers.get("x-switchyard-cost-usd"))).toBeCloseTo(cost, 6);
    expect(rowOf(response.headers.get("x-request-id"))!.costUsd).toBeCloseTo(cost, 9);
  });

  it("files the row under the request's own id: the client's x-request-id, echoed back", async () => {
    const response = await fetch(`${setup.server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...headersFor(setup.key), "x-request-id": "trace-4711" },
      body: JSON.stringify(CLIENT_REQUESTS["openai-chat"](MODEL_FOR["openai-chat"]).body),
    });
    await response.text();
    expect(response.headers.get("x-request-id")).toBe("trace-4711");
    expect(rowOf("trace-4711")).toMatchObject({ requestId: "trace-4711", status: 200 });
  });

  it("records a failed request with each attempt, and a refused one without any", async () => {
    setup.upstream.failNext("openai-chat", 400, {
      error: { message: "bad thing", type: "invalid_request_error" },
    });
    const failed = await send("openai-chat", MODEL_FOR["openai-chat"]);
    expect(failed.status).toBe(400);
    const row = rowOf(failed.headers.get("x-request-id"))!;
    expect(row).toMatchObject({ status: 400, errorType: "invalid_request", attempts: 1, inputTokens: null });
    const attempts = setup.server.context.store.db
      .select()
      .from(usageAttempts)
      .where(eq(usageAttempts.usageId, row.id))
      .all();
    expect(attempts).toMatchObject([
      { status: 400, failure: "http_error", connectionId: setup.connectionIds["openai-chat"] },
    ]);

    const { db } = setup.server.context.store;
    const before = db.select().from(usageRecords).all().length;
    const unknown = await send("openai-chat", "nobody/serves-this");
    expect(unknown.status).toBe(404);
    setup.server.context.usage.flush();
    const rows = db.select().from(usageRecords).all();
    expect(rows.length).toBe(before + 1);
    expect(rows.at(-1)).toMatchObject({ status: 404, requestedModel: "nobody/serves-this", attempts: 0 });
  });

  it("records a stream the client left with the tokens seen so far, estimated", async () => {
    await using fault = startFaultUpstream();
    const connection = await setup.server.call("/api/providers", {
      method: "POST",
      cookie: setup.cookie,
      json: { provider: "deepseek", apiKey: "fault-key", url: `${fault.url}/v1` },
    });
    expect(connection.status).toBe(201);
    fault.script("stall");
    const controller = new AbortController();
    const response = await send("anthropic", "deepseek/fault-model", {
      stream: true,
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();
    const requestId = response.headers.get("x-request-id");
    controller.abort();
    await reader.cancel().catch(() => {});
    let row: ReturnType<typeof rowOf>;
    for (let wait = 0; wait < 50; wait++) {
      await Bun.sleep(40);
      row = rowOf(requestId);
      if (row) break;
    }
    expect(row!).toMatchObject({ aborted: true, estimated: true, status: 200 });
    expect(row!.inputTokens).toBeGreaterThan(0);
    expect(row!.outputTokens).toBeGreaterThan(0);
  });

  it("writes exactly one row for each of 1,000 concurrent requests", async () => {
    const { db } = setup.server.context.store;
    setup.server.context.usage.flush();
    const before = db.select().from(usageRecords).all().length;
    const requests = Array.from({ length: 1000 }, (_, index) => {
      const { path, body } = CLIENT_REQUESTS[CLIENT_DIALECTS[index % 5]!](
        MODEL_FOR[CLIENT_DIALECTS[(index >> 3) % 5]!],
        index % 2 === 0,
      );
      return {
        url: `${setup.server.url}${path}`,
        headers: headersFor(setup.key),
        body: JSON.stringify(body),
      };
    });
    const burst = Bun.spawn([process.execPath, join(import.meta.dir, "..", "helpers", "burst.ts")], {
      stdin: new Blob([JSON.stringify(requests)]),
      stdout: "pipe",
      env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "4096" },
    });
    const statuses = JSON.parse(await new Response(burst.stdout).text()) as number[];
    expect(await burst.exited).toBe(0);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    setup.server.context.usage.flush();
    expect(db.select().from(usageRecords).all().length - before).toBe(1000);
  }, 30_000);
});

describe("key limits, before any upstream call", () => {
  it("refuses a model the key may not use with 403 in the client's dialect, and narrows a pattern", async () => {
    const { key } = await newKey({ allowedModels: ["anthropic/*"] });
    const received = setup.upstream.received.length;
    const refused = await send("openai-chat", MODEL_FOR["openai-chat"], { key });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("may not use");
    expect(setup.upstream.received.length).toBe(received);
    const allowed = await send("anthropic", MODEL_FOR.anthropic, { key });
    expect(allowed.status).toBe(200);
  });

  it("refuses the request past the per-minute limit with 429 and Retry-After", async () => {
    const { key } = await newKey({ requestsPerMinute: 2 });
    for (let i = 0; i < 2; i++) expect((await send("ollama", MODEL_FOR.ollama, { key })).status).toBe(200);
    const refused = await send("ollama", MODEL_FOR.ollama, { key });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: string }).error).toContain("2 requests per minute");
  });

  it("refuses an expired key with 401 and a key used from an address it does not allow with 403", async () => {
    const expired = await newKey({ expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect((await send("anthropic", MODEL_FOR.anthropic, { key: expired.key })).status).toBe(401);
    const elsewhere = await newKey({ ipAllowlist: ["10.0.0.0/8"] });
    expect((await send("gemini", MODEL_FOR.gemini, { key: elsewhere.key })).status).toBe(403);
    const here = await newKey({ ipAllowlist: ["127.0.0.0/8", "::1"] });
    expect((await send("gemini", MODEL_FOR.gemini, { key: here.key })).status).toBe(200);
  });

  it("applies a change to a key's limits at its next request (PATCH and PUT)", async () => {
    const { id, key } = await newKey();
    const patched = await setup.server.call(`/api/keys/${id}`, {
      method: "PATCH",
      cookie: setup.cookie,
      json: { allowedModels: ["nothing/*"] },
    });
    expect(patched.status).toBe(200);
    expect((await send("openai-chat", MODEL_FOR["openai-chat"], { key })).status).toBe(403);
    const put = await setup.server.call(`/api/keys/${id}`, {
      method: "PUT",
      cookie: setup.cookie,
      json: { allowedModels: null },
    });
    expect(((await put.json()) as { allowedModels: unknown }).allowedModels).toBeNull();
    expect((await send("openai-chat", MODEL_FOR["openai-chat"], { key })).status).toBe(200);
    const invalid = await setup.server.call(`/api/keys/${id}`, {
      method: "PATCH",
      cookie: setup.cookie,
      json: { ipAllowlist: ["not-an-address"], requestsPerMinute: 0 },
    });
    expect(invalid.status).toBe(400);
    const missing = await setup.server.call("/api/keys/no-such-key", {
      method: "PATCH",
      cookie: setup.cookie,
      json: { noLog: true },
    });
    expect(missing.status).toBe(404);
  });

  it("refuses the request after the one that spent the daily budget, with 429 until the reset", async () => {
    const { id, key } = await newKey();
    const budget = await setup.server.call("/api/usage/budget", {
      method: "POST",
      cookie: setup.cookie,
      json: { apiKeyId: id, dailyUsd: 0.000001 },
    });
    expect(budget.status).toBe(200);
    // gpt-mock is priced by the earlier test; one call spends more than the budget.
    expect((await send("openai-chat", MODEL_FOR["openai-chat"], { key })).status).toBe(200);
    const refused = await send("anthropic", MODEL_FOR["openai-chat"], { key });
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as { error: { message: string } };
    expect(body.error.message).toContain("daily budget");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
