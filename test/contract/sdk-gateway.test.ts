/**
 * The official SDKs as real clients of the running gateway, for every client dialect × upstream
 * dialect, streaming and not: what the SDK reports must be what the upstream said.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { codecFor, DIALECTS, type Dialect, type IRPart } from "../../src/wire/index.ts";
import { type GatewaySetup, MODEL_FOR, startGateway } from "../helpers/gateway-setup.ts";
import { readFixture } from "../wire/fixture-files.ts";

let setup: GatewaySetup;
beforeAll(async () => {
  setup = await startGateway();
});
afterAll(async () => {
  await setup[Symbol.asyncDispose]();
});

/** The text the upstream's fixture answer carries, read with our decoder. */
function upstreamText(dialect: Dialect, stream: boolean): string {
  const codec = codecFor(dialect);
  if (!stream) {
    const response = codec.decodeResponse(JSON.parse(readFixture(dialect, "response-text.json")));
    return response.parts.map((part: IRPart) => (part.type === "text" ? part.text : "")).join("");
  }
  const decoder = codec.decodeStream();
  const events = [...decoder.push(readFixture(dialect, "stream-text.txt")), ...decoder.end()];
  return events.map((event) => (event.type === "text_delta" ? event.text : "")).join("");
}

const PROMPT = "Say hello in French";

/** One chat turn through each client SDK; returns the answer text the SDK assembled. */
const CLIENTS: Record<Dialect, (model: string, stream: boolean) => Promise<string>> = {
  async "openai-chat"(model, stream) {
    const client = new OpenAI({ apiKey: setup.key, baseURL: `${setup.server.url}/v1`, maxRetries: 0 });
    const messages = [{ role: "user" as const, content: PROMPT }];
    if (!stream)
      return (await client.chat.completions.create({ model, messages })).choices[0]?.message.content ?? "";
    let text = "";
    for await (const chunk of await client.chat.completions.create({ model, messages, stream: true })) {
      text += chunk.choices[0]?.delta.content ?? "";
    }
    return text;
  },
  async "openai-responses"(model, stream) {
    const client = new OpenAI({ apiKey: setup.key, baseURL: `${setup.server.url}/v1`, maxRetries: 0 });
    if (!stream) return (await client.responses.create({ model, input: PROMPT })).output_text;
    return (await client.responses.stream({ model, input: PROMPT }).finalResponse()).output_text;
  },
  async anthropic(model, stream) {
    const client = new Anthropic({ apiKey: setup.key, baseURL: setup.server.url, maxRetries: 0 });
    const request = { model, max_tokens: 256, messages: [{ role: "user" as const, content: PROMPT }] };
    const message = stream
      ? await client.messages.stream(request).finalMessage()
      : await client.messages.create(request);
    return message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  },
  async gemini(model, stream) {
    const client = new GoogleGenAI({ apiKey: setup.key, httpOptions: { baseUrl: setup.server.url } });
    if (!stream) return (await client.models.generateContent({ model, contents: PROMPT })).text ?? "";
    let text = "";
    for await (const chunk of await client.models.generateContentStream({ model, contents: PROMPT }))
      text += chunk.text ?? "";
    return text;
  },
  async ollama(model, stream) {
    const client = new Ollama({ host: setup.server.url, headers: { Authorization: `Bearer ${setup.key}` } });
    const messages = [{ role: "user", content: PROMPT }];
    if (!stream) return (await client.chat({ model, messages, stream: false })).message.content;
    let text = "";
    for await (const part of await client.chat({ model, messages, stream: true }))
      text += part.message.content;
    return text;
  },
};

describe("official SDKs through the gateway", () => {
  for (const client of DIALECTS) {
    for (const upstream of DIALECTS) {
      for (const stream of [false, true]) {
        it(`${client} client gets the ${upstream} upstream's answer ${stream ? "streamed" : "whole"}`, async () => {
          const text = await CLIENTS[client](MODEL_FOR[upstream], stream);
          expect(text).toBe(upstreamText(upstream, stream));
          expect(text.length).toBeGreaterThan(0);
        });
      }
    }
  }
});

describe("a Gemini client that streams without alt=sse", () => {
  for (const upstream of DIALECTS) {
    it(`gets one JSON array from the ${upstream} upstream`, async () => {
      const response = await fetch(
        `${setup.server.url}/v1beta/models/${MODEL_FOR[upstream]}:streamGenerateContent`,
        {
          method: "POST",
          headers: { "x-goog-api-key": setup.key, "content-type": "application/json" },
          body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: PROMPT }] }] }),
        },
      );
      expect(response.status).toBe(200);
      const chunks = JSON.parse(await response.text()) as Array<{
        candidates?: Array<{ content?: { parts?: Array<{ text?: string }> } }>;
      }>;
      const text = chunks
        .flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? [])
        .map((part) => part.text ?? "")
        .join("");
      expect(text).toBe(upstreamText(upstream, true));
    });
  }
});
