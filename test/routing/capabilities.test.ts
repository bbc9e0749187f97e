/**
 * Targets that cannot carry a request are skipped, not tried: a model the catalogue marks as
 * text-only for a request with an image, one whose context window is smaller than the prompt.
 * gpt-oss at Groq is text-only with a 131,072-token window; here it is the first step of a combo.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { type GatewaySetup, MODEL_FOR, startGateway } from "../helpers/gateway-setup.ts";
import { MOCK_KEY } from "../helpers/mock-upstream.ts";

const TEXT_ONLY = "groq/openai/gpt-oss-120b";
/** Claude Sonnet 4.6 holds 1M tokens; the mock serves it as any other model. */
const LARGE_WINDOW = "anthropic/claude-sonnet-4-6";
const IMAGE = {
  type: "image_url",
  image_url: {
    url: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGAAAAAFAAEnAfYdAAAAAElFTkSuQmCC",
  },
};

let setup: GatewaySetup;
beforeAll(async () => {
  setup = await startGateway();
  const { server, cookie, upstream } = setup;
  const post = (path: string, json: unknown) => server.call(path, { method: "POST", cookie, json });
  expect(
    (await post("/api/providers", { provider: "groq", apiKey: MOCK_KEY, url: `${upstream.url}/v1` })).status,
  ).toBe(201);
  expect(
    (await post("/api/combos", { name: "mixed", models: [TEXT_ONLY, MODEL_FOR.anthropic] })).status,
  ).toBe(201);
  expect(
    (await post("/api/combos", { name: "growing", models: [TEXT_ONLY, MODEL_FOR.ollama, LARGE_WINDOW] }))
      .status,
  ).toBe(201);
});
afterAll(async () => {
  await setup[Symbol.asyncDispose]();
});

const chat = (model: string, content: unknown) =>
  fetch(`${setup.server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${setup.key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content }] }),
  });

/** Which upstream paths the request reached. */
async function reached(send: () => Promise<Response>) {
  const before = setup.upstream.received.length;
  const response = await send();
  const body = await response.text();
  return { response, body, paths: setup.upstream.received.slice(before).map((entry) => entry.path) };
}

describe("skipping targets that cannot carry the request", () => {
  it("tries the text-only model first for a text request", async () => {
    const { response, paths } = await reached(() => chat("mixed", "hi"));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchyard-provider")).toBe("groq");
    expect(paths).toEqual(["/v1/chat/completions"]);
  });

  it("skips the text-only model for a request with an image, without an attempt", async () => {
    const { response, paths } = await reached(() =>
      chat("mixed", [{ type: "text", text: "What is this?" }, IMAGE]),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchyard-provider")).toBe("anthropic");
    expect(response.headers.get("x-switchyard-attempts")).toBe("1");
    expect(paths).toEqual(["/v1/messages"]);
  });

  it("skips a model whose context window is smaller than the prompt", async () => {
    const prompt = "lorem ipsum dolor sit amet ".repeat(30_000);
    const { response, paths } = await reached(() => chat("mixed", prompt));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchyard-provider")).toBe("anthropic");
    expect(paths).toEqual(["/v1/messages"]);
  });

  it("counts the tokens of a prompt with fewer characters than the window but more tokens", async () => {
    // Runic letters: 3 bytes and 3 tokens each, so 60,000 of them are ~180,000 tokens.
    const { response, paths } = await reached(() => chat("mixed", "ᚠ".repeat(60_000)));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchyard-provider")).toBe("anthropic");
    expect(paths).toEqual(["/v1/messages"]);
  });

  it("after a context-length refusal, tries only targets with a larger known window", async () => {
    setup.upstream.failNext("openai-chat", 400, {
      error: {
        message: "This model's maximum context length is 131072 tokens",
        type: "invalid_request_error",
        code: "context_length_exceeded",
      },
    });
    const { response, paths } = await reached(() => chat("growing", "hi"));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchyard-model")).toBe("claude-sonnet-4-6");
    // The Ollama model's window is unknown: it is passed over, not tried.
    expect(paths).toEqual(["/v1/chat/completions", "/v1/messages"]);
  });

  it("answers 400 in the client's format, naming why, when no target can carry it", async () => {
    const { response, body, paths } = await reached(() =>
      chat(TEXT_ONLY, [{ type: "text", text: "What is this?" }, IMAGE]),
    );
    expect(response.status).toBe(400);
    expect(JSON.parse(body).error).toMatchObject({ type: "invalid_request_error", param: "model" });
    expect(JSON.parse(body).error.message).toContain("does not take images");
    expect(paths).toEqual([]);
  });

  it("says so in Anthropic's format to an Anthropic client", async () => {
    const client = new Anthropic({ apiKey: setup.key, baseURL: setup.server.url, maxRetries: 0 });
    const before = setup.upstream.received.length;
    const error = await client.messages
      .create({
        model: TEXT_ONLY,
        max_tokens: 50,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              {
                type: "image",
                source: {
                  type: "base64",
                  media_type: "image/png",
                  data: IMAGE.image_url.url.split(",")[1] ?? "",
                },
              },
            ],
          },
        ],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).message).toContain(
      "does not take images",
    );
    expect(setup.upstream.received.length).toBe(before);
  });
});
