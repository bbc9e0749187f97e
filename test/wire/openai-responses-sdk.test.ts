import { describe, expect, it } from "bun:test";
import OpenAI from "openai";
import type { IRResponse, IRStreamEvent } from "../../src/wire/ir.ts";
import { openaiResponsesCodec as codec } from "../../src/wire/openai-responses/index.ts";
import { encodeEvents } from "./fixture-files.ts";
import { JSON_TYPE, SSE, serveCanned } from "./sdk-server.ts";

const client = (url: string) => new OpenAI({ apiKey: "test-key", baseURL: `${url}/v1`, maxRetries: 0 });

const TEXT_AND_TOOL: IRStreamEvent[] = [
  { type: "start", id: "msg_01", model: "claude-sonnet-4", created: 1741290958 },
  { type: "reasoning_delta", index: 0, text: "The user wants weather." },
  { type: "part_end", index: 0 },
  { type: "text_delta", index: 1, text: "Let me " },
  { type: "text_delta", index: 1, text: "check." },
  { type: "part_end", index: 1 },
  { type: "tool_call_start", index: 2, id: "call_abc", name: "get_weather" },
  { type: "tool_call_delta", index: 2, argumentsDelta: '{"location":' },
  { type: "tool_call_delta", index: 2, argumentsDelta: '"Paris"}' },
  { type: "part_end", index: 2 },
  {
    type: "finish",
    stopReason: "tool_use",
    usage: { inputTokens: 50, outputTokens: 12, cachedInputTokens: 10, reasoningTokens: 4 },
  },
];

const streamBody = (events: IRStreamEvent[]) =>
  encodeEvents(codec.encodeStream({ model: "gpt-4.1" }), events);

describe("openai SDK against our Responses encoding", () => {
  it("reads a non-streaming response: output_text, function calls and usage", async () => {
    const response: IRResponse = {
      id: "resp_abc",
      model: "upstream",
      created: 1741290958,
      parts: [
        { type: "text", text: "Checking the weather." },
        { type: "tool_call", id: "call_1", name: "get_weather", arguments: '{"location":"Paris"}' },
      ],
      stopReason: "tool_use",
      usage: { inputTokens: 20, outputTokens: 7, cachedInputTokens: 3 },
    };
    await using server = serveCanned({
      body: JSON.stringify(codec.encodeResponse(response, { model: "gpt-4.1" })),
      contentType: JSON_TYPE,
    });
    const result = await client(server.url).responses.create({
      model: "gpt-4.1",
      input: "weather in Paris?",
    });
    expect(result.id).toBe("resp_abc");
    expect(result.status).toBe("completed");
    expect(result.output_text).toBe("Checking the weather.");
    const call = result.output.find((item) => item.type === "function_call");
    expect(call).toMatchObject({
      type: "function_call",
      call_id: "call_1",
      name: "get_weather",
      arguments: '{"location":"Paris"}',
    });
    expect(result.usage).toMatchObject({
      input_tokens: 20,
      output_tokens: 7,
      total_tokens: 27,
      input_tokens_details: { cached_tokens: 3 },
    });
    // What the SDK sent is a request we can read.
    const sent = codec.decodeRequest(JSON.parse(server.requests[0]?.body ?? "{}"));
    expect(sent.messages).toEqual([{ role: "user", parts: [{ type: "text", text: "weather in Paris?" }] }]);
  });

  it("iterates a raw stream from responses.create with stream:true", async () => {
    await using server = serveCanned({ body: streamBody(TEXT_AND_TOOL), contentType: SSE });
    const stream = await client(server.url).responses.create({ model: "gpt-4.1", input: "hi", stream: true });
    const types: string[] = [];
    let text = "";
    let sequence = -1;
    for await (const event of stream) {
      types.push(event.type);
      expect(event.sequence_number).toBe(sequence + 1);
      sequence = event.sequence_number;
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    expect(text).toBe("Let me check.");
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
  });

  it("gives the stream helper's finalResponse our text, reasoning, function call and usage", async () => {
    await using server = serveCanned({ body: streamBody(TEXT_AND_TOOL), contentType: SSE });
    const stream = client(server.url).responses.stream({ model: "gpt-4.1", input: "weather in Paris?" });
    const deltas: string[] = [];
    const argumentSnapshots: string[] = [];
    stream.on("response.output_text.delta", (event) => deltas.push(event.snapshot));
    stream.on("response.function_call_arguments.delta", (event) => argumentSnapshots.push(event.snapshot));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("Let me check.");
    expect(deltas).toEqual(["Let me ", "Let me check."]);
    expect(argumentSnapshots).toEqual(['{"location":', '{"location":"Paris"}']);
    expect(final.status).toBe("completed");
    expect(final.model).toBe("gpt-4.1");
    expect(final.output.map((item) => item.type)).toEqual(["reasoning", "message", "function_call"]);
    const reasoning = final.output[0];
    expect(reasoning?.type === "reasoning" && reasoning.summary).toEqual([
      { type: "summary_text", text: "The user wants weather." },
    ]);
    expect(final.output[2]).toMatchObject({
      call_id: "call_abc",
      name: "get_weather",
      arguments: '{"location":"Paris"}',
    });
    expect(final.usage).toMatchObject({
      input_tokens: 50,
      output_tokens: 12,
      total_tokens: 62,
      input_tokens_details: { cached_tokens: 10 },
      output_tokens_details: { reasoning_tokens: 4 },
    });
  });

  it("resolves an incomplete stream with its status and reason", async () => {
    await using server = serveCanned({
      body: streamBody([
        { type: "start", id: "x", model: "m", created: 1 },
        { type: "text_delta", index: 0, text: "Once upon a time" },
        { type: "finish", stopReason: "max_tokens", usage: { inputTokens: 3, outputTokens: 4 } },
      ]),
      contentType: SSE,
    });
    const final = await client(server.url)
      .responses.stream({ model: "gpt-4.1", input: "story" })
      .finalResponse();
    expect(final.status).toBe("incomplete");
    expect(final.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(final.output_text).toBe("Once upon a time");
  });

  it("hands a response.failed stream to the caller as a failed response with its error", async () => {
    await using server = serveCanned({
      body: streamBody([
        { type: "start", id: "x", model: "m", created: 1 },
        { type: "text_delta", index: 0, text: "partial" },
        { type: "error", error: { type: "overloaded", message: "upstream overloaded", status: 503 } },
      ]),
      contentType: SSE,
    });
    const stream = client(server.url).responses.stream({ model: "gpt-4.1", input: "x" });
    const doneItems: unknown[] = [];
    stream.on("response.output_item.done", (event) => doneItems.push(event.item));
    const final = await stream.finalResponse();
    expect(final.status).toBe("failed");
    expect(final.error).toMatchObject({ code: "server_error", message: "upstream overloaded" });
    // What streamed before the error is the failed response's output, its message marked incomplete.
    expect(final.output).toMatchObject([{ type: "message", status: "incomplete" }]);
    expect(final.output_text).toBe("partial");
    expect(doneItems).toMatchObject([{ type: "message", id: final.output[0]?.id, status: "incomplete" }]);
  });

  it("throws the SDK's APIError for an error event before the response started", async () => {
    await using server = serveCanned({
      body: streamBody([{ type: "error", error: { type: "rate_limit", message: "slow down", status: 429 } }]),
      contentType: SSE,
    });
    const stream = await client(server.url).responses.create({ model: "gpt-4.1", input: "x", stream: true });
    let caught: unknown;
    try {
      for await (const _event of stream) {
        // drain
      }
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OpenAI.APIError);
    expect(String((caught as Error).message)).toContain("slow down");
  });

  it("throws the SDK's typed error for our error envelope", async () => {
    const { status, body } = codec.encodeError({
      type: "invalid_request",
      message: "input: is required",
      status: 400,
      param: "input",
    });
    await using server = serveCanned({ body: JSON.stringify(body), contentType: JSON_TYPE, status });
    let caught: unknown;
    try {
      await client(server.url).responses.create({ model: "gpt-4.1", input: "x" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OpenAI.BadRequestError);
    expect((caught as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("input");
  });
});
