/**
 * Request shaping from settings: the global system prompt lands in each upstream dialect's own
 * place, the thinking policy becomes each dialect's reasoning controls, and with both off the
 * client's bytes pass through untouched.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "bun:test";
import type { Dialect } from "../../src/wire/ir.ts";
import { CLIENT_REQUESTS } from "../helpers/client-requests.ts";
import { type GatewaySetup, startGateway } from "../helpers/gateway-setup.ts";

let setup: GatewaySetup;
beforeAll(async () => {
  setup = await startGateway();
});
afterAll(async () => {
  await setup[Symbol.asyncDispose]();
});

const PROMPT = "Answer in French.";
/** Catalogued reasoning models at each upstream the gateway setup connects. */
const REASONING_MODEL = {
  "openai-chat": "openai/gpt-6.2-sol",
  anthropic: "anthropic/claude-opus-5-5",
  gemini: "gemini/gemini-4-carbon",
} as const;

async function put(path: string, json: unknown) {
  const response = await setup.server.call(path, { method: "PUT", cookie: setup.cookie, json });
  expect(response.status).toBe(200);
  return response.json();
}

/** Sends a client request and returns the body the mock upstream received. */
async function upstreamBodyFor(client: Dialect, model: string): Promise<Record<string, unknown>> {
  const { path, body } = CLIENT_REQUESTS[client](model);
  const before = setup.upstream.received.length;
  const response = await fetch(`${setup.server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${setup.key}` },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  await response.text();
  expect(setup.upstream.received.length).toBe(before + 1);
  return setup.upstream.received.at(-1)!.body;
}

beforeEach(async () => {
  await put("/api/settings/system-prompt", { enabled: false, prompt: "" });
  await put("/api/settings/thinking-budget", { mode: "passthrough" });
});

describe("the global system prompt", () => {
  it("is off by default: the client's bytes pass through", async () => {
    const received = await upstreamBodyFor("openai-chat", "openai/gpt-mock");
    expect(received).toEqual({
      model: "gpt-mock",
      stream: false,
      messages: [{ role: "user", content: "hi" }],
    });
  });

  it("goes where each upstream dialect keeps instructions, before the client's own", async () => {
    const saved = await put("/api/settings/system-prompt", { enabled: true, prompt: PROMPT });
    expect(saved).toEqual({ enabled: true, prompt: PROMPT });
    const chat = await upstreamBodyFor("anthropic", "openai/gpt-mock");
    expect((chat.messages as Array<{ role: string; content: unknown }>)[0]).toMatchObject({
      content: PROMPT,
    });
    const anthropic = await upstreamBodyFor("openai-chat", "anthropic/claude-mock");
    expect(JSON.stringify(anthropic.system)).toContain(PROMPT);
    const gemini = await upstreamBodyFor("ollama", "gemini/gemini-mock");
    expect(JSON.stringify(gemini.systemInstruction)).toContain(PROMPT);
    const ollama = await upstreamBodyFor("ollama", "ollama/llama-mock");
    expect((ollama.messages as Array<{ role: string; content: string }>)[0]).toEqual({
      role: "system",
      content: PROMPT,
    });
  });
});

describe("a combo's system prompt", () => {
  it("follows the global one, for the requests that combo serves only", async () => {
    const combo = await setup.server.call("/api/combos", {
      method: "POST",
      cookie: setup.cookie,
      json: {
        name: "french-desk",
        models: ["anthropic/claude-mock"],
        systemPrompt: "Sign as the French desk.",
      },
    });
    expect(combo.status).toBe(201);
    await put("/api/settings/system-prompt", { enabled: true, prompt: PROMPT });
    const viaCombo = await upstreamBodyFor("anthropic", "french-desk");
    const system = JSON.stringify(viaCombo.system);
    expect(system.indexOf(PROMPT)).toBeGreaterThanOrEqual(0);
    expect(system.indexOf("Sign as the French desk.")).toBeGreaterThan(system.indexOf(PROMPT));
    const direct = await upstreamBodyFor("anthropic", "anthropic/claude-mock");
    expect(JSON.stringify(direct.system)).not.toContain("French desk");
  });
});

describe("the thinking budget", () => {
  it("custom: Anthropic gets the budget with max_tokens raised to fit, OpenAI an effort, Gemini a thinking config", async () => {
    const saved = await put("/api/settings/thinking-budget", { mode: "manual", customBudget: 4096 });
    expect(saved).toMatchObject({ mode: "custom", customBudget: 4096 });
    const anthropic = await upstreamBodyFor("openai-chat", REASONING_MODEL.anthropic);
    expect(anthropic.thinking).toMatchObject({ type: "enabled", budget_tokens: 4096 });
    expect(anthropic.max_tokens as number).toBeGreaterThan(4096);
    const openai = await upstreamBodyFor("anthropic", REASONING_MODEL["openai-chat"]);
    expect(openai.reasoning_effort).toBe("low");
    const gemini = await upstreamBodyFor("openai-chat", REASONING_MODEL.gemini);
    expect(JSON.stringify(gemini.generationConfig)).toContain('"thinkingBudget":4096');
  });

  it("leaves models not known to reason alone, and disabled turns reasoning off where it was asked", async () => {
    await put("/api/settings/thinking-budget", { mode: "custom", customBudget: 4096 });
    const plain = await upstreamBodyFor("openai-chat", "anthropic/claude-mock");
    expect(plain.thinking).toBeUndefined();
    await put("/api/settings/thinking-budget", { mode: "disabled" });
    const off = await upstreamBodyFor("openai-chat", REASONING_MODEL.anthropic);
    expect(off.thinking).toEqual({ type: "disabled" });
  });

  it("refuses an unknown mode or a budget out of range with a 400", async () => {
    for (const json of [{ mode: "sometimes" }, { customBudget: -1 }, { effortLevel: "extreme" }]) {
      const response = await setup.server.call("/api/settings/thinking-budget", {
        method: "PUT",
        cookie: setup.cookie,
        json,
      });
      expect(response.status).toBe(400);
    }
  });
});
