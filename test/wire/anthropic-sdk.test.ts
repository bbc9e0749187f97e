/**
 * Acceptance: the official `@anthropic-ai/sdk` parses what the anthropic codec encodes, answers
 * and streams alike, and the requests it sends decode, against a loopback server replaying our bytes.
 */
import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import Anthropic from "@anthropic-ai/sdk";
import { anthropicCodec } from "../../src/wire/anthropic/index.ts";
import type { IRResponse, IRStreamEvent } from "../../src/wire/ir.ts";
import { openaiChatCodec } from "../../src/wire/openai-chat/index.ts";
import { JSON_TYPE, SSE, serveCanned } from "./sdk-server.ts";

const client = (url: string) => new Anthropic({ apiKey: "test-key", baseURL: url, maxRetries: 0 });

function encodeStream(events: IRStreamEvent[]): string {
  const encoder = anthropicCodec.encodeStream({ model: "claude-test" });
  return events.map((event) => encoder.push(event)).join("") + encoder.end();
}

const params = {
  model: "claude-test",
  max_tokens: 2048,
  messages: [{ role: "user" as const, content: "What is the weather in Paris?" }],
};

/** What an OpenAI-style upstream gives: no usage until the very end. */
const mixedStream: IRStreamEvent[] = [
  { type: "start", id: "chatcmpl-up", model: "upstream", created: 1700000000 },
  { type: "reasoning_delta", index: 0, text: "The user wants " },
  { type: "reasoning_delta", index: 0, text: "the weather." },
  { type: "reasoning_signature", index: 0, signature: "sig-abc" },
  { type: "part_end", index: 0 },
  { type: "text_delta", index: 1, text: "Let me look " },
  { type: "text_delta", index: 1, text: "that up." },
  { type: "part_end", index: 1 },
  { type: "tool_call_start", index: 2, id: "call_weather", name: "get_weather" },
  { type: "tool_call_delta", index: 2, argumentsDelta: '{"city":' },
  { type: "tool_call_delta", index: 2, argumentsDelta: '"Paris","unit":"celsius"}' },
  { type: "part_end", index: 2 },
  {
    type: "finish",
    stopReason: "tool_use",
    usage: { inputTokens: 1200, outputTokens: 85, cachedInputTokens: 1000, cacheWriteTokens: 50 },
  },
];

describe("@anthropic-ai/sdk against the anthropic codec", () => {
  it("reads a non-streaming message with thinking, text, tool use and usage", async () => {
    const response: IRResponse = {
      id: "msg_01",
      model: "upstream",
      created: 1700000000,
      parts: [
        { type: "reasoning", text: "Need weather.", signature: "sig" },
        { type: "text", text: "Checking." },
        { type: "tool_call", id: "toolu_01", name: "get_weather", arguments: '{"city":"Paris"}' },
      ],
      stopReason: "tool_use",
      usage: { inputTokens: 500, outputTokens: 40, cachedInputTokens: 300 },
    };
    await using server = serveCanned({
      body: JSON.stringify(anthropicCodec.encodeResponse(response, { model: "claude-test" })),
      contentType: JSON_TYPE,
    });
    const message = await client(server.url).messages.create(params);
    expect(message.model).toBe("claude-test");
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content as unknown[]).toEqual([
      { type: "thinking", thinking: "Need weather.", signature: "sig" },
      { type: "text", text: "Checking." },
      { type: "tool_use", id: "toolu_01", name: "get_weather", input: { city: "Paris" } },
    ]);
    expect(message.usage).toMatchObject({
      input_tokens: 200,
      cache_read_input_tokens: 300,
      output_tokens: 40,
    });
  });

  it("assembles the final message of a stream with thinking, text and tool use, and the end-of-stream usage", async () => {
    await using server = serveCanned({ body: encodeStream(mixedStream), contentType: SSE });
    const stream = client(server.url).messages.stream(params);
    let text = "";
    stream.on("text", (delta) => {
      text += delta;
    });
    const message = await stream.finalMessage();
    expect(text).toBe("Let me look that up.");
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content as unknown[]).toEqual([
      { type: "thinking", thinking: "The user wants the weather.", signature: "sig-abc" },
      { type: "text", text: "Let me look that up." },
      {
        type: "tool_use",
        id: "call_weather",
        name: "get_weather",
        input: { city: "Paris", unit: "celsius" },
      },
    ]);
    expect(message.usage).toMatchObject({
      input_tokens: 150,
      cache_read_input_tokens: 1000,
      cache_creation_input_tokens: 50,
      output_tokens: 85,
    });
  });

  it("iterates the raw events of messages.create with stream: true", async () => {
    await using server = serveCanned({ body: encodeStream(mixedStream), contentType: SSE });
    const stream = await client(server.url).messages.create({ ...params, stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });

  it("shows a DeepSeek stream translated from OpenAI chat as thinking and text", async () => {
    const upstream = readFileSync(
      new URL("fixtures/openai-chat/stream-reasoning.txt", import.meta.url),
      "utf8",
    );
    const decoder = openaiChatCodec.decodeStream();
    const events = [...decoder.push(upstream), ...decoder.end()];
    await using server = serveCanned({ body: encodeStream(events), contentType: SSE });
    const message = await client(server.url).messages.stream(params).finalMessage();
    expect(message.content as unknown[]).toEqual([
      { type: "thinking", thinking: "Let me count: s-t-r-a-w-b-e-r-r-y. Three r's.", signature: "" },
      { type: "text", text: "There are 3 Rs." },
    ]);
    expect(message.usage).toMatchObject({ input_tokens: 17, output_tokens: 120 });
    expect(message.stop_reason).toBe("end_turn");
  });

  it("raises the SDK's APIError for an in-stream error event", async () => {
    const events: IRStreamEvent[] = [
      { type: "start", id: "msg_e", model: "upstream", created: 1 },
      { type: "text_delta", index: 0, text: "Par" },
      { type: "error", error: { type: "overloaded", message: "Overloaded", status: 529 } },
    ];
    await using server = serveCanned({ body: encodeStream(events), contentType: SSE });
    const failure = await client(server.url)
      .messages.stream(params)
      .finalMessage()
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect(failure).toMatchObject({ type: "overloaded_error" });
  });

  it("maps our error envelope to the SDK's typed errors", async () => {
    const { status, body } = anthropicCodec.encodeError({
      type: "rate_limit",
      message: "Slow down",
      status: 429,
    });
    await using server = serveCanned({ body: JSON.stringify(body), contentType: JSON_TYPE, status });
    const failure = await client(server.url)
      .messages.create(params)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(Anthropic.RateLimitError);
  });

  it("sends requests our decoder accepts: tools, thinking and tool results", async () => {
    await using server = serveCanned({ body: encodeStream(mixedStream), contentType: SSE });
    await client(server.url)
      .messages.stream({
        model: "claude-test",
        max_tokens: 4000,
        system: [{ type: "text", text: "Be precise.", cache_control: { type: "ephemeral" } }],
        thinking: { type: "enabled", budget_tokens: 2000 },
        tools: [
          { name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } },
        ],
        messages: [
          { role: "user", content: "Weather in Paris?" },
          {
            role: "assistant",
            content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }],
          },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "18°C" }] },
        ],
      })
      .finalMessage();
    const sent = server.requests[0];
    expect(sent?.path).toBe("/v1/messages");
    const ir = anthropicCodec.decodeRequest(JSON.parse(sent?.body ?? "{}"));
    expect(ir.stream).toBe(true);
    expect(ir.reasoning).toEqual({ enabled: true, budgetTokens: 2000 });
    expect(ir.system).toEqual([{ text: "Be precise.", cache: { type: "ephemeral" } }]);
    expect(ir.messages[2]?.parts[0]).toMatchObject({
      type: "tool_result",
      toolCallId: "toolu_1",
      name: "get_weather",
    });
  });
});
