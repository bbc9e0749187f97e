/**
 * Acceptance: the official `openai` SDK parses what the openai-chat codec encodes, answers and
 * streams alike, against a loopback server that replays our bytes.
 */
import { describe, expect, it } from "bun:test";
import OpenAI from "openai";
import type { IRResponse, IRStreamEvent } from "../../src/wire/ir.ts";
import { openaiChatCodec } from "../../src/wire/openai-chat/index.ts";
import { JSON_TYPE, SSE, serveCanned } from "./sdk-server.ts";

const client = (url: string) => new OpenAI({ apiKey: "test-key", baseURL: `${url}/v1`, maxRetries: 0 });

function encodeStream(events: IRStreamEvent[], includeUsage: boolean): string {
  const encoder = openaiChatCodec.encodeStream({ model: "gpt-test", includeUsage });
  return events.map((event) => encoder.push(event)).join("") + encoder.end();
}

const toolStream: IRStreamEvent[] = [
  { type: "start", id: "chatcmpl-sdk", model: "upstream", created: 1700000000 },
  { type: "reasoning_delta", index: 0, text: "The user wants weather." },
  { type: "part_end", index: 0 },
  { type: "text_delta", index: 1, text: "Let me " },
  { type: "text_delta", index: 1, text: "check." },
  { type: "part_end", index: 1 },
  { type: "tool_call_start", index: 2, id: "call_boston", name: "get_weather" },
  { type: "tool_call_delta", index: 2, argumentsDelta: '{"city":' },
  { type: "tool_call_delta", index: 2, argumentsDelta: '"Boston"}' },
  { type: "part_end", index: 2 },
  { type: "tool_call_start", index: 3, id: "call_paris", name: "get_weather" },
  { type: "tool_call_delta", index: 3, argumentsDelta: '{"city":"Paris"}' },
  { type: "part_end", index: 3 },
  {
    type: "finish",
    stopReason: "tool_use",
    usage: { inputTokens: 120, outputTokens: 40, cachedInputTokens: 100, reasoningTokens: 12 },
  },
];

describe("openai SDK against the openai-chat codec", () => {
  it("reads a non-streaming completion with tool calls and usage", async () => {
    const response: IRResponse = {
      id: "chatcmpl-1",
      model: "upstream",
      created: 1700000000,
      parts: [
        { type: "text", text: "Checking the weather." },
        { type: "tool_call", id: "call_1", name: "get_weather", arguments: '{"city":"Boston"}' },
      ],
      stopReason: "tool_use",
      usage: { inputTokens: 30, outputTokens: 12, cachedInputTokens: 10 },
    };
    await using server = serveCanned({
      body: JSON.stringify(openaiChatCodec.encodeResponse(response, { model: "gpt-test" })),
      contentType: JSON_TYPE,
    });
    const completion = await client(server.url).chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "Weather in Boston?" }],
    });
    expect(completion.model).toBe("gpt-test");
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content).toBe("Checking the weather.");
    expect(choice?.message.tool_calls).toEqual([
      { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Boston"}' } },
    ]);
    expect(completion.usage?.prompt_tokens).toBe(30);
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(10);
    expect(completion.usage?.total_tokens).toBe(42);
  });

  it("iterates a streamed completion: reasoning, text, parallel tool calls, finish and usage", async () => {
    await using server = serveCanned({ body: encodeStream(toolStream, true), contentType: SSE });
    const stream = await client(server.url).chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "Weather in Boston and Paris?" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = "";
    let reasoning = "";
    const args = new Map<number, string>();
    const names = new Map<number, string>();
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (choice === undefined) continue;
      content += choice.delta.content ?? "";
      reasoning += (choice.delta as { reasoning_content?: string }).reasoning_content ?? "";
      for (const call of choice.delta.tool_calls ?? []) {
        if (call.function?.name) names.set(call.index, call.function.name);
        args.set(call.index, (args.get(call.index) ?? "") + (call.function?.arguments ?? ""));
      }
      finish = choice.finish_reason ?? finish;
    }
    expect(content).toBe("Let me check.");
    expect(reasoning).toBe("The user wants weather.");
    expect([...names.values()]).toEqual(["get_weather", "get_weather"]);
    expect(args.get(0)).toBe('{"city":"Boston"}');
    expect(args.get(1)).toBe('{"city":"Paris"}');
    expect(finish).toBe("tool_calls");
    const sent = openaiChatCodec.decodeRequest(JSON.parse(server.requests[0]?.body ?? "{}"));
    expect(sent).toMatchObject({ model: "gpt-test", stream: true, streamUsage: true });
    expect(usage).toMatchObject({
      prompt_tokens: 120,
      completion_tokens: 40,
      total_tokens: 160,
      prompt_tokens_details: { cached_tokens: 100 },
      completion_tokens_details: { reasoning_tokens: 12 },
    });
  });

  it("assembles the final completion with the stream helper", async () => {
    await using server = serveCanned({ body: encodeStream(toolStream, true), contentType: SSE });
    const runner = client(server.url).chat.completions.stream({
      model: "gpt-test",
      messages: [{ role: "user", content: "Weather in Boston and Paris?" }],
      stream_options: { include_usage: true },
    });
    const final = await runner.finalChatCompletion();
    const message = final.choices[0]?.message;
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
    expect(message?.content).toBe("Let me check.");
    expect(
      message?.tool_calls?.map((call) => (call.type === "function" ? call.function : undefined)),
    ).toEqual([
      { name: "get_weather", arguments: '{"city":"Boston"}' },
      { name: "get_weather", arguments: '{"city":"Paris"}' },
    ]);
    expect(final.usage?.completion_tokens).toBe(40);
  });

  it("gets the final text of a plain streamed answer", async () => {
    const events: IRStreamEvent[] = [
      { type: "start", id: "chatcmpl-2", model: "upstream", created: 1700000001 },
      { type: "text_delta", index: 0, text: "Bonjour" },
      { type: "text_delta", index: 0, text: " ! 👋" },
      { type: "finish", stopReason: "end_turn" },
    ];
    await using server = serveCanned({ body: encodeStream(events, false), contentType: SSE });
    const runner = client(server.url).chat.completions.stream({
      model: "gpt-test",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(await runner.finalContent()).toBe("Bonjour ! 👋");
    expect((await runner.finalChatCompletion()).choices[0]?.finish_reason).toBe("stop");
  });

  it("raises the SDK's APIError for an in-stream error chunk", async () => {
    const events: IRStreamEvent[] = [
      { type: "start", id: "chatcmpl-3", model: "upstream", created: 1700000002 },
      { type: "text_delta", index: 0, text: "Par" },
      { type: "error", error: { type: "overloaded", message: "Upstream is overloaded", status: 529 } },
    ];
    await using server = serveCanned({ body: encodeStream(events, false), contentType: SSE });
    const stream = await client(server.url).chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    const consume = async () => {
      for await (const _chunk of stream) {
        // drain
      }
    };
    await expect(consume()).rejects.toThrow("Upstream is overloaded");
  });

  it("maps our error envelope to the SDK's typed errors", async () => {
    const { status, body } = openaiChatCodec.encodeError({
      type: "invalid_request",
      message: "messages: is required",
      status: 400,
      param: "messages",
    });
    await using server = serveCanned({ body: JSON.stringify(body), contentType: JSON_TYPE, status });
    const error = await client(server.url)
      .chat.completions.create({ model: "gpt-test", messages: [] })
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: "messages", type: "invalid_request_error" });
  });
});
