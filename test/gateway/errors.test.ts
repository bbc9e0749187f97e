import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { Dialect } from "../../src/wire/ir.ts";
import { CLIENT_DIALECTS, CLIENT_REQUESTS } from "../helpers/client-requests.ts";
import { type GatewaySetup, MODEL_FOR, startGateway } from "../helpers/gateway-setup.ts";

let setup: GatewaySetup;
beforeAll(async () => {
  setup = await startGateway();
});
afterAll(async () => {
  await setup[Symbol.asyncDispose]();
});

/** Where each dialect's error envelope keeps its message. */
const MESSAGE_OF: Record<Dialect, (body: Record<string, unknown>) => unknown> = {
  "openai-chat": (body) => (body.error as { message?: unknown })?.message,
  "openai-responses": (body) => (body.error as { message?: unknown })?.message,
  anthropic: (body) => (body.type === "error" ? (body.error as { message?: unknown }).message : undefined),
  gemini: (body) => (body.error as { message?: unknown; status?: unknown })?.message,
  ollama: (body) => (typeof body.error === "string" ? body.error : undefined),
};

async function send(
  path: string,
  init: { body?: string; key?: string | null; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
  if (init.key !== null) headers.authorization = `Bearer ${init.key ?? setup.key}`;
  const response = await fetch(`${setup.server.url}${path}`, {
    method: "POST",
    headers,
    body: init.body ?? "{}",
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe("client errors, in the client's own format", () => {
  for (const dialect of CLIENT_DIALECTS) {
    it(`${dialect}: a missing key is a 401`, async () => {
      const { path, body } = CLIENT_REQUESTS[dialect](MODEL_FOR["openai-chat"]);
      const answer = await send(path, { body: JSON.stringify(body), key: null });
      expect(answer.status).toBe(401);
      expect(MESSAGE_OF[dialect](answer.body)).toContain("Missing API key");
    });

    it(`${dialect}: an unknown key is a 401`, async () => {
      const { path, body } = CLIENT_REQUESTS[dialect](MODEL_FOR["openai-chat"]);
      const answer = await send(path, { body: JSON.stringify(body), key: "sk-sy-not-a-real-key" });
      expect(answer.status).toBe(401);
      expect(MESSAGE_OF[dialect](answer.body)).toContain("Invalid");
    });

    it(`${dialect}: malformed JSON is a 400`, async () => {
      const { path } = CLIENT_REQUESTS[dialect](MODEL_FOR["openai-chat"]);
      const answer = await send(path, { body: "{not json" });
      expect(answer.status).toBe(400);
      expect(MESSAGE_OF[dialect](answer.body)).toContain("not valid JSON");
    });

    it(`${dialect}: an unknown model is a 404 that says where to look`, async () => {
      const { path, body } = CLIENT_REQUESTS[dialect]("nobody/serves-this");
      const answer = await send(path, { body: JSON.stringify(body) });
      expect(answer.status).toBe(404);
      expect(MESSAGE_OF[dialect](answer.body)).toContain("/v1/models");
    });
  }

  it("refuses a body over the size limit with 413", async () => {
    const answer = await send("/v1/chat/completions", {
      body: JSON.stringify({ model: "x", pad: "x".repeat(11 * 1024 * 1024) }),
    });
    expect(answer.status).toBe(413);
    expect(MESSAGE_OF["openai-chat"](answer.body)).toContain("larger than");
  });

  it("answers an Anthropic client's request without max_tokens with a 400 naming the field", async () => {
    const answer = await send("/v1/messages", {
      body: JSON.stringify({ model: MODEL_FOR["openai-chat"], messages: [{ role: "user", content: "hi" }] }),
    });
    expect(answer.status).toBe(400);
    expect(String(MESSAGE_OF.anthropic(answer.body))).toContain("max_tokens");
  });
});

describe("upstream answers", () => {
  it("passes an upstream 400 through with its status and the upstream's message, translated", async () => {
    setup.upstream.failNext("anthropic", 400, {
      type: "error",
      error: { type: "invalid_request_error", message: "prompt is too long" },
    });
    const { path, body } = CLIENT_REQUESTS["openai-chat"](MODEL_FOR.anthropic);
    const answer = await send(path, { body: JSON.stringify(body) });
    expect(answer.status).toBe(400);
    expect(MESSAGE_OF["openai-chat"](answer.body)).toContain("prompt is too long");
    expect((answer.body.error as { type: string }).type).toBe("invalid_request_error");
  });

  it("says which target answered in x-switchyard headers", async () => {
    const { path, body } = CLIENT_REQUESTS.anthropic(MODEL_FOR.gemini);
    const answer = await send(path, { body: JSON.stringify(body) });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-switchyard-provider")).toBe("gemini");
    expect(answer.headers.get("x-switchyard-model")).toBe("gemini-mock");
    expect(answer.headers.get("x-switchyard-connection")).toBe(setup.connectionIds.gemini);
    expect(answer.headers.get("x-switchyard-attempts")).toBe("1");
    expect(Number(answer.headers.get("x-switchyard-overhead-ms"))).toBeGreaterThanOrEqual(0);
  });

  it("sends the upstream its own key, never the client's", async () => {
    const { path, body } = CLIENT_REQUESTS["openai-chat"](MODEL_FOR.anthropic);
    await send(path, { body: JSON.stringify(body) });
    const received = setup.upstream.received.at(-1)!;
    expect(received.headers["x-api-key"]).toBe("upstream-secret-key");
    expect(JSON.stringify(received.headers)).not.toContain(setup.key);
    expect(received.body.model).toBe("claude-mock");
  });
});
