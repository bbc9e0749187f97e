import { afterAll, beforeAll, beforeEach, describe, expect, it } from "bun:test";
import { type GatewaySetup, MODEL_FOR, startGateway } from "../helpers/gateway-setup.ts";

let setup: GatewaySetup;
beforeAll(async () => {
  setup = await startGateway();
});
afterAll(async () => {
  await setup[Symbol.asyncDispose]();
});
beforeEach(async () => {
  await setup.server.call("/api/resilience/reset", { method: "POST", cookie: setup.cookie });
});

type Json = Record<string, unknown>;
const admin = async (method: string, path: string, json?: unknown) => {
  const response = await setup.server.call(path, {
    method,
    cookie: setup.cookie,
    ...(json === undefined ? {} : { json }),
  });
  return { status: response.status, body: (await response.json()) as Json };
};
const chat = (model: string) =>
  fetch(`${setup.server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${setup.key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });

describe("combos", () => {
  it("is usable as a model: the first step answers, and the next when it fails", async () => {
    const created = await admin("POST", "/api/combos", {
      name: "smart",
      models: [MODEL_FOR.anthropic, MODEL_FOR.gemini],
    });
    expect(created.status).toBe(201);
    expect(created.body.combo).toMatchObject({
      name: "smart",
      strategy: "priority",
      models: [MODEL_FOR.anthropic, MODEL_FOR.gemini],
    });
    const first = await chat("smart");
    expect(first.status).toBe(200);
    expect(first.headers.get("x-switchyard-provider")).toBe("anthropic");
    setup.upstream.failNext("anthropic", 529, {
      type: "error",
      error: { type: "overloaded_error", message: "overloaded" },
    });
    const fallback = await chat("smart");
    expect(fallback.status).toBe(200);
    expect(fallback.headers.get("x-switchyard-provider")).toBe("gemini");
    expect(fallback.headers.get("x-switchyard-attempts")).toBe("2");
    const metrics = await admin("GET", "/api/combos/metrics");
    const smart = (metrics.body.combos as Json[]).find((combo) => combo.name === "smart") as {
      requests: number;
      fallbacks: number;
      steps: Json[];
    };
    expect(smart.requests).toBe(2);
    expect(smart.fallbacks).toBe(1);
    expect(smart.steps[1]).toMatchObject({ requests: 1 });
    const listed = (await (
      await fetch(`${setup.server.url}/v1/models`, { headers: { authorization: `Bearer ${setup.key}` } })
    ).json()) as {
      data: Array<{ id: string }>;
    };
    expect(listed.data.map((model) => model.id)).toContain("smart");
  });

  it("accepts the spec's nodes form: connections, each serving the combo's model", async () => {
    const created = await admin("POST", "/api/combos", {
      name: "pinned",
      model: "gpt-mock",
      nodes: [{ connectionId: setup.connectionIds["openai-chat"], weight: 1, priority: 0 }],
    });
    expect(created.status).toBe(201);
    const answer = await chat("pinned");
    expect(answer.headers.get("x-switchyard-connection")).toBe(setup.connectionIds["openai-chat"]);
    expect(answer.headers.get("x-switchyard-model")).toBe("gpt-mock");
  });

  it("rotates steps round-robin", async () => {
    await admin("POST", "/api/combos", {
      name: "rr",
      strategy: "round-robin",
      models: [MODEL_FOR.anthropic, MODEL_FOR.ollama],
    });
    const providers = [];
    for (let i = 0; i < 4; i++) providers.push((await chat("rr")).headers.get("x-switchyard-provider"));
    expect(providers).toEqual(["anthropic", "ollama", "anthropic", "ollama"]);
  });

  it("nests combos and refuses cycles, unknown strategies and connections with 400", async () => {
    await admin("POST", "/api/combos", { name: "inner", models: [MODEL_FOR.ollama] });
    const outer = await admin("POST", "/api/combos", { name: "outer", models: ["inner"] });
    expect(outer.status).toBe(201);
    expect((await chat("outer")).headers.get("x-switchyard-provider")).toBe("ollama");
    const inner = ((await admin("GET", "/api/combos")).body.combos as Json[]).find(
      (combo) => combo.name === "inner",
    )!;
    const cycle = await admin("PATCH", `/api/combos/${inner.id}`, { models: ["outer"] });
    expect(cycle.status).toBe(400);
    expect(JSON.stringify(cycle.body)).toContain("contain itself");
    expect(
      (await admin("POST", "/api/combos", { name: "bad", strategy: "fastest", models: ["x"] })).status,
    ).toBe(400);
    expect(
      (await admin("POST", "/api/combos", { name: "bad2", nodes: [{ connectionId: "nope" }], model: "m" }))
        .status,
    ).toBe(400);
    expect((await admin("POST", "/api/combos", { name: "empty" })).status).toBe(400);
  });

  it("refuses nesting deeper than three", async () => {
    await admin("POST", "/api/combos", { name: "d1", models: [MODEL_FOR.ollama] });
    await admin("POST", "/api/combos", { name: "d2", models: ["d1"] });
    await admin("POST", "/api/combos", { name: "d3", models: ["d2"] });
    const tooDeep = await admin("POST", "/api/combos", { name: "d4", models: ["d3"] });
    expect(tooDeep.status).toBe(400);
    expect(JSON.stringify(tooDeep.body)).toContain("at most 3");
  });

  it("updates with PUT, dry-runs every step, and deletes", async () => {
    const { body } = await admin("POST", "/api/combos", {
      name: "testable",
      models: [MODEL_FOR.gemini, "nobody/serves-this"],
    });
    const id = (body.combo as Json).id as string;
    expect((await admin("PUT", `/api/combos/${id}`, { strategy: "random" })).body.combo).toMatchObject({
      strategy: "random",
    });
    const test = await admin("POST", "/api/combos/test", { id });
    expect(test.body).toMatchObject({ combo: "testable", ok: false });
    expect((test.body.steps as Json[]).map((step) => step.ok)).toEqual([true, false]);
    expect((await admin("DELETE", `/api/combos/${id}`)).status).toBe(200);
    expect((await admin("DELETE", `/api/combos/${id}`)).status).toBe(404);
  });
});

describe("fallback chains", () => {
  it("order the providers of a bare model id", async () => {
    await admin("PATCH", `/api/providers/${setup.connectionIds["openai-chat"]}`, {
      defaultModel: "shared-model",
    });
    await admin("PATCH", `/api/providers/${setup.connectionIds.anthropic}`, { defaultModel: "shared-model" });
    expect((await chat("shared-model")).headers.get("x-switchyard-provider")).toBe("openai");
    await admin("POST", "/api/fallback/chains", {
      model: "shared-model",
      chain: [{ provider: "anthropic" }, { provider: "openai" }],
    });
    expect((await chat("shared-model")).headers.get("x-switchyard-provider")).toBe("anthropic");
    expect(((await admin("GET", "/api/fallback/chains")).body.chains as Json[])[0]).toMatchObject({
      model: "shared-model",
    });
    expect((await admin("DELETE", "/api/fallback/chains", { model: "shared-model" })).status).toBe(200);
    expect((await chat("shared-model")).headers.get("x-switchyard-provider")).toBe("openai");
  });
});

describe("accounts and sessions", () => {
  it("keeps a session on the connection that served it", async () => {
    const second = await admin("POST", "/api/providers", {
      provider: "ollama",
      name: "second ollama",
      url: setup.upstream.url,
      priority: -1,
    });
    const secondId = (second.body.connection as Json).id as string;
    const send = (session: string) =>
      fetch(`${setup.server.url}/v1/chat/completions`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${setup.key}`,
          "content-type": "application/json",
          "x-session-id": session,
        },
        body: JSON.stringify({ model: MODEL_FOR.ollama, messages: [{ role: "user", content: "hi" }] }),
      });
    expect((await send("s1")).headers.get("x-switchyard-connection")).toBe(secondId);
    await admin("PATCH", `/api/providers/${secondId}`, { priority: 10 });
    expect((await send("s1")).headers.get("x-switchyard-connection")).toBe(secondId);
    expect((await send("s2")).headers.get("x-switchyard-connection")).toBe(setup.connectionIds.ollama);
    const sessions = await admin("GET", "/api/sessions");
    expect((sessions.body.sessions as Json[]).map((session) => session.sessionId)).toEqual(["s2", "s1"]);
    await admin("DELETE", `/api/providers/${secondId}`);
  });

  it("skips a connection at its per-minute request limit", async () => {
    const limits = await admin("POST", "/api/rate-limit", {
      connections: { [setup.connectionIds.gemini]: { requestsPerMinute: 1 } },
    });
    expect(limits.status).toBe(200);
    await admin("POST", "/api/combos", { name: "limited", models: [MODEL_FOR.gemini, MODEL_FOR.anthropic] });
    expect((await chat("limited")).headers.get("x-switchyard-provider")).toBe("gemini");
    expect((await chat("limited")).headers.get("x-switchyard-provider")).toBe("anthropic");
    const state = await admin("GET", "/api/rate-limits");
    const gemini = (state.body.connections as Json[]).find(
      (entry) => entry.connectionId === setup.connectionIds.gemini,
    )!;
    expect(gemini).toMatchObject({ limits: { requestsPerMinute: 1 }, requestsLastMinute: 1 });
  });
});
