import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type GatewaySetup, MODEL_FOR, startGateway } from "../helpers/gateway-setup.ts";

let setup: GatewaySetup;
/** A loopback HTTP forward proxy: it records the absolute URLs it is asked for and fetches them. */
const proxied: string[] = [];
const proxy = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    proxied.push(request.url);
    const upstream = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.method === "POST" ? { body: await request.text() } : {}),
    });
    return new Response(await upstream.arrayBuffer(), { status: upstream.status, headers: upstream.headers });
  },
});
const proxyUrl = `http://127.0.0.1:${proxy.port}`;

beforeAll(async () => {
  setup = await startGateway();
});
afterAll(async () => {
  await setup[Symbol.asyncDispose]();
  proxy.stop(true);
});

const settings = (method: string, json?: unknown) =>
  setup.server.call("/api/settings/proxy", {
    method,
    cookie: setup.cookie,
    ...(json === undefined ? {} : { json }),
  });
const chat = () =>
  fetch(`${setup.server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${setup.key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL_FOR["openai-chat"], messages: [{ role: "user", content: "hi" }] }),
  });

describe("the outbound proxy", () => {
  it("is off by default, and local addresses bypass it", async () => {
    expect(await (await settings("GET")).json()).toEqual({
      enabled: false,
      url: null,
      noProxy: ["localhost", "127.0.0.1", "::1"],
    });
    await settings("PATCH", { enabled: true, url: proxyUrl });
    proxied.length = 0;
    expect((await chat()).status).toBe(200);
    expect(proxied).toEqual([]);
  });

  it("carries upstream calls once enabled for their host", async () => {
    expect((await settings("PUT", { enabled: true, url: proxyUrl, noProxy: [] })).status).toBe(200);
    proxied.length = 0;
    expect((await chat()).status).toBe(200);
    expect(proxied).toHaveLength(1);
    expect(proxied[0]).toEndWith("/v1/chat/completions");
  });

  it("is bypassed by a connection whose proxy is 'none'", async () => {
    const id = setup.connectionIds["openai-chat"];
    await setup.server.call(`/api/providers/${id}`, {
      method: "PATCH",
      cookie: setup.cookie,
      json: { providerSpecificData: { proxy: "none" } },
    });
    proxied.length = 0;
    expect((await chat()).status).toBe(200);
    expect(proxied).toEqual([]);
    await setup.server.call(`/api/providers/${id}`, {
      method: "PATCH",
      cookie: setup.cookie,
      json: { providerSpecificData: {} },
    });
  });

  it("refuses a SOCKS proxy with a clear 400, globally and per connection", async () => {
    const global = await settings("PATCH", { url: "socks5://127.0.0.1:1080" });
    expect(global.status).toBe(400);
    expect(((await global.json()) as { error: { message: string } }).error.message).toContain("SOCKS");
    const perConnection = await setup.server.call(`/api/providers/${setup.connectionIds["openai-chat"]}`, {
      method: "PATCH",
      cookie: setup.cookie,
      json: { providerSpecificData: { proxy: "socks5://127.0.0.1:1080" } },
    });
    expect(perConnection.status).toBe(400);
  });

  it("tests a proxy against a target", async () => {
    const result = await setup.server.call("/api/settings/proxy/test", {
      method: "POST",
      cookie: setup.cookie,
      json: { url: proxyUrl, targetUrl: `${setup.upstream.url}/api/tags` },
    });
    expect(await result.json()).toMatchObject({ ok: true, statusCode: 200, error: null });
  });
});

describe("/api/settings", () => {
  it("is one document of timeouts, body limit and proxy, validated whole before anything is saved", async () => {
    const call = (method: string, json?: unknown) =>
      setup.server.call("/api/settings", {
        method,
        cookie: setup.cookie,
        ...(json === undefined ? {} : { json }),
      });
    const before = (await (await call("GET")).json()) as {
      timeouts: Record<string, number>;
      maxBodyBytes: number;
    };
    expect(before.timeouts).toMatchObject({
      connectMs: 15_000,
      firstByteMs: 120_000,
      idleMs: 60_000,
      totalMs: 600_000,
    });
    expect(before.maxBodyBytes).toBe(10 * 1024 * 1024);
    const refused = await call("PATCH", {
      timeouts: { totalMs: 1000, firstByteMs: 5000 },
      proxy: { url: "socks5://x:1" },
    });
    expect(refused.status).toBe(400);
    const fields = (
      (await refused.json()) as { error: { details: Array<{ field: string }> } }
    ).error.details.map((d) => d.field);
    expect(fields).toEqual(["timeouts.totalMs", "proxy.url"]);
    expect(await (await call("GET")).json()).toMatchObject({ timeouts: before.timeouts });
    const saved = await call("PUT", { maxBodyBytes: 2048 });
    expect(((await saved.json()) as { maxBodyBytes: number }).maxBodyBytes).toBe(2048);
    const tooBig = await fetch(`${setup.server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${setup.key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: MODEL_FOR["openai-chat"],
        messages: [{ role: "user", content: "x".repeat(4096) }],
      }),
    });
    expect(tooBig.status).toBe(413);
    await call("PATCH", { maxBodyBytes: before.maxBodyBytes });
  });
});
