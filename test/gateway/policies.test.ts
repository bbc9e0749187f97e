/**
 * Routing policies, evaluated before routing: deny (in the client's dialect), route to a combo,
 * allow; matched on key, model pattern and UTC time window; first match wins.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type GatewaySetup, MODEL_FOR, startGateway } from "../helpers/gateway-setup.ts";

let setup: GatewaySetup;
let keyId: string;
beforeAll(async () => {
  setup = await startGateway();
  const keys = (await (await setup.server.call("/api/keys", { cookie: setup.cookie })).json()) as {
    keys: Array<{ id: string }>;
  };
  keyId = keys.keys[0]!.id;
  const combo = await setup.server.call("/api/combos", {
    method: "POST",
    cookie: setup.cookie,
    json: { name: "night-shift", strategy: "priority", models: [MODEL_FOR.gemini] },
  });
  expect(combo.status).toBe(201);
});
afterAll(async () => {
  await setup[Symbol.asyncDispose]();
});

async function addPolicy(json: Record<string, unknown>) {
  return setup.server.call("/api/policies", { method: "POST", cookie: setup.cookie, json });
}

async function anthropicCall(model: string) {
  const before = setup.upstream.received.length;
  const response = await fetch(`${setup.server.url}/v1/messages`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-api-key": setup.key,
      "anthropic-version": "2023-06-01",
    },
    body: JSON.stringify({ model, max_tokens: 20, messages: [{ role: "user", content: "hi" }] }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  const upstream = setup.upstream.received.slice(before);
  return { status: response.status, body, upstream };
}

function allDay(): { from: string; to: string } {
  return { from: "00:00", to: "00:00" };
}

describe("routing policies", () => {
  it("deny a model for a key, in the client's dialect, before any upstream call", async () => {
    const created = await addPolicy({
      name: "no openai",
      apiKeyIds: [keyId],
      models: ["openai/*"],
      action: "deny",
      message: "OpenAI is off limits",
    });
    expect(created.status).toBe(201);
    const denied = await anthropicCall(MODEL_FOR["openai-chat"]);
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({
      type: "error",
      error: { type: "permission_error", message: "OpenAI is off limits" },
    });
    expect(denied.upstream).toEqual([]);
    expect((await anthropicCall(MODEL_FOR.anthropic)).status).toBe(200);
  });

  it("route a model to a combo, and let an earlier allow rule win", async () => {
    const route = await addPolicy({
      name: "cheap",
      models: ["anthropic/*"],
      hours: allDay(),
      action: "route",
      combo: "night-shift",
    });
    expect(route.status).toBe(201);
    const routed = await anthropicCall(MODEL_FOR.anthropic);
    expect(routed.status).toBe(200);
    expect(routed.upstream.map((received) => received.dialect)).toEqual(["gemini"]);
    await addPolicy({
      name: "vip",
      apiKeyIds: [keyId],
      models: ["anthropic/*"],
      action: "allow",
      position: 0,
    });
    const allowed = await anthropicCall(MODEL_FOR.anthropic);
    expect(allowed.upstream.map((received) => received.dialect)).toEqual(["anthropic"]);
  });

  it("are listed, deleted by id, and validated", async () => {
    const { policies } = (await (
      await setup.server.call("/api/policies", { cookie: setup.cookie })
    ).json()) as {
      policies: Array<{ id: string; name: string }>;
    };
    expect(policies.map((policy) => policy.name)).toEqual(["vip", "no openai", "cheap"]);
    for (const policy of policies) {
      const deleted = await setup.server.call(`/api/policies?id=${policy.id}`, {
        method: "DELETE",
        cookie: setup.cookie,
      });
      expect(deleted.status).toBe(200);
    }
    expect((await anthropicCall(MODEL_FOR["openai-chat"])).status).toBe(200);
    expect(
      (await setup.server.call("/api/policies?id=nope", { method: "DELETE", cookie: setup.cookie })).status,
    ).toBe(404);
    for (const invalid of [
      { name: "x", action: "route" },
      { name: "x", action: "route", combo: "no-such-combo" },
      { name: "x", action: "deny", hours: { from: "25:00", to: "01:00" } },
      { name: "x", action: "sometimes" },
    ])
      expect((await addPolicy(invalid)).status).toBe(400);
    expect((await setup.server.call("/api/policies")).status).toBe(401);
  });
});
