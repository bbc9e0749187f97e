import { describe, expect, it } from "bun:test";
import { WireError } from "../../src/wire/errors.ts";
import type { IRRequest, IRResponse, IRStreamEvent } from "../../src/wire/ir.ts";
import { ollamaCodec } from "../../src/wire/ollama/index.ts";
import { decodeChunks, encodeEvents, fixtureFiles, jsonFixture, readFixture } from "./fixture-files.ts";

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

const decodeFixture = (file: string) => ollamaCodec.decodeRequest(jsonFixture("ollama", file));

function wireError(run: () => unknown): WireError {
  try {
    run();
  } catch (error) {
    if (error instanceof WireError) return error;
    throw error;
  }
  throw new Error("expected a WireError");
}

function baseRequest(overrides: Partial<IRRequest> = {}): IRRequest {
  return {
    model: "llama3.2",
    system: [],
    messages: [{ role: "user", parts: [{ type: "text", text: "hi" }] }],
    sampling: {},
    stream: false,
    ...overrides,
  };
}

function decodeStreamText(text: string): IRStreamEvent[] {
  return decodeChunks(ollamaCodec.decodeStream(), [text]);
}

describe("ollama decodeRequest", () => {
  it("reads a plain user message and an explicit stream:false", () => {
    const request = decodeFixture("request-text.json");
    expect(request.model).toBe("llama3.2");
    expect(request.system).toEqual([]);
    expect(request.messages).toEqual([
      { role: "user", parts: [{ type: "text", text: "Why is the sky blue?" }] },
    ]);
    expect(request.stream).toBe(false);
    expect(request.streamUsage).toBeUndefined();
  });

  it("streams when stream is absent, as Ollama's default, and asks for usage", () => {
    const request = decodeFixture("request-multi-turn.json");
    expect(request.stream).toBe(true);
    expect(request.streamUsage).toBe(true);
    expect(request.messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    expect(request.messages[1]?.parts).toEqual([{ type: "text", text: "due to rayleigh scattering." }]);
  });

  it("lets the body's stream flag win over the route's", () => {
    expect(ollamaCodec.decodeRequest({ model: "m", messages: [] }, { stream: false }).stream).toBe(false);
    expect(
      ollamaCodec.decodeRequest({ model: "m", messages: [], stream: true }, { stream: false }).stream,
    ).toBe(true);
  });

  it("lifts leading system messages and maps the sampling options", () => {
    const request = decodeFixture("request-system.json");
    expect(request.system).toEqual([{ text: "You are a terse assistant. Answer in one sentence." }]);
    expect(request.messages).toHaveLength(1);
    expect(request.sampling).toEqual({ temperature: 0.2, topP: 0.9, topK: 40, maxTokens: 128, seed: 42 });
  });

  it("keeps a system message in the middle of the conversation where it is", () => {
    const request = ollamaCodec.decodeRequest({
      model: "m",
      messages: [
        { role: "user", content: "a" },
        { role: "system", content: "now be brief" },
      ],
    });
    expect(request.system).toEqual([]);
    expect(request.messages[1]).toEqual({ role: "system", parts: [{ type: "text", text: "now be brief" }] });
  });

  it("turns base64 images into image parts with a sniffed media type", () => {
    const request = decodeFixture("request-image.json");
    expect(request.messages[0]?.parts).toEqual([
      { type: "text", text: "what is in this image?" },
      { type: "image", source: { kind: "base64", mediaType: "image/png", data: PNG } },
    ]);
  });

  it("accepts data URLs in images and keeps their media type", () => {
    const request = ollamaCodec.decodeRequest({
      model: "m",
      messages: [{ role: "user", content: "", images: ["data:image/webp;base64,UklGRiIAAABXRUJQ"] }],
    });
    expect(request.messages[0]?.parts).toEqual([
      { type: "image", source: { kind: "base64", mediaType: "image/webp", data: "UklGRiIAAABXRUJQ" } },
    ]);
  });

  it("reads OpenAI-style function tools", () => {
    const request = decodeFixture("request-tools.json");
    expect(request.stream).toBe(true);
    expect(request.tools).toHaveLength(1);
    expect(request.tools?.[0]?.name).toBe("get_current_weather");
    expect(request.tools?.[0]?.description).toBe("Get the current weather for a location");
    expect(request.tools?.[0]?.parameters.required).toEqual(["location", "format"]);
  });

  it("gives tool calls generated ids, JSON-text arguments, and links tool results to them in order", () => {
    const request = decodeFixture("request-tool-results.json");
    const [, assistant, results] = request.messages;
    const calls = assistant?.parts.filter((part) => part.type === "tool_call") ?? [];
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.id).toMatch(/^call_[0-9A-Za-z]{24}$/);
      expect(call.name).toBe("get_current_weather");
    }
    expect(calls.map((call) => JSON.parse(call.arguments))).toEqual([
      { location: "Toronto", format: "celsius" },
      { location: "Paris", format: "celsius" },
    ]);
    expect(results?.role).toBe("user");
    expect(results?.parts).toEqual([
      {
        type: "tool_result",
        toolCallId: calls[0]!.id,
        name: "get_current_weather",
        content: [{ type: "text", text: "11 degrees celsius, cloudy" }],
      },
      {
        type: "tool_result",
        toolCallId: calls[1]!.id,
        name: "get_current_weather",
        content: [{ type: "text", text: "17 degrees celsius, sunny" }],
      },
    ]);
  });

  it("links a tool result to the call of the tool it names, not just the oldest", () => {
    const request = ollamaCodec.decodeRequest({
      model: "m",
      messages: [
        {
          role: "assistant",
          content: "",
          tool_calls: [
            { function: { name: "a", arguments: {} } },
            { function: { name: "b", arguments: {} } },
          ],
        },
        { role: "tool", tool_name: "b", content: "B" },
        { role: "tool", content: "A" },
      ],
    });
    const calls = request.messages[0]!.parts;
    const results = request.messages[1]!.parts;
    expect(results.map((part) => part.type === "tool_result" && part.toolCallId)).toEqual([
      calls[1]!.type === "tool_call" && calls[1]!.id,
      calls[0]!.type === "tool_call" && calls[0]!.id,
    ]);
    expect(results[1]).toMatchObject({ name: "a" });
  });

  it("reads the thinking of earlier assistant turns and the think flag", () => {
    const request = decodeFixture("request-reasoning.json");
    expect(request.reasoning).toEqual({ enabled: true });
    expect(request.messages[1]?.parts).toEqual([
      { type: "reasoning", text: "Count the letters: s-t-r-a-w-b-e-r-r-y. Three." },
      { type: "text", text: "There are 3 r's." },
    ]);
  });

  it("reads think levels as reasoning efforts and think:false as reasoning off", () => {
    const decodeThink = (think: unknown) =>
      ollamaCodec.decodeRequest({ model: "m", messages: [], think }).reasoning;
    expect(decodeThink("high")).toEqual({ enabled: true, effort: "high" });
    expect(decodeThink("low")).toEqual({ enabled: true, effort: "low" });
    expect(decodeThink(false)).toEqual({ enabled: false });
  });

  it("reads a JSON schema format as a structured-output request", () => {
    const request = decodeFixture("request-structured.json");
    expect(request.responseFormat).toEqual({
      type: "json_schema",
      name: "response",
      schema: {
        type: "object",
        properties: { age: { type: "integer" }, available: { type: "boolean" } },
        required: ["age", "available"],
      },
    });
    expect(request.sampling.temperature).toBe(0);
  });

  it('reads format "json", stop sequences and penalties', () => {
    const request = decodeFixture("request-stop.json");
    expect(request.responseFormat).toEqual({ type: "json_object" });
    expect(request.sampling).toEqual({
      stop: ["\n5", "user:"],
      maxTokens: 64,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
    });
  });

  it("ignores num_predict values that mean no limit", () => {
    const request = ollamaCodec.decodeRequest({ model: "m", messages: [], options: { num_predict: -1 } });
    expect(request.sampling.maxTokens).toBeUndefined();
  });

  it.each([
    [{ messages: [] }, "model"],
    [{ model: "m" }, "messages"],
    [{ model: "m", messages: ["hi"] }, "messages[0]"],
    [{ model: "m", messages: [{ role: "robot", content: "x" }] }, "messages[0].role"],
    [{ model: "m", messages: [{ role: "user", content: 3 }] }, "messages[0].content"],
    [{ model: "m", messages: [{ role: "user", content: "", images: [7] }] }, "messages[0].images[0]"],
    [
      {
        model: "m",
        messages: [{ role: "assistant", content: "", tool_calls: [{ function: { arguments: {} } }] }],
      },
      "messages[0].tool_calls[0].function.name",
    ],
    [
      {
        model: "m",
        messages: [
          { role: "assistant", content: "", tool_calls: [{ function: { name: "f", arguments: "[1]" } }] },
        ],
      },
      "messages[0].tool_calls[0].function.arguments",
    ],
    [{ model: "m", messages: [], tools: [{ type: "function", function: {} }] }, "tools[0].function.name"],
    [{ model: "m", messages: [], format: "yaml" }, "format"],
    [{ model: "m", messages: [], think: "max" }, "think"],
    [{ model: "m", messages: [], stream: "yes" }, "stream"],
    [{ model: "m", messages: [], options: { temperature: "hot" } }, "options.temperature"],
    [{ model: "m", messages: [], options: { stop: [1] } }, "options.stop[0]"],
  ])("rejects %j naming %s", (body, param) => {
    const error = wireError(() => ollamaCodec.decodeRequest(body));
    expect(error.error.status).toBe(400);
    expect(error.error.type).toBe("invalid_request");
    expect(error.error.param).toBe(param);
  });

  it("rejects a body that is not an object", () => {
    expect(wireError(() => ollamaCodec.decodeRequest([1, 2])).error.status).toBe(400);
  });
});

describe("ollama encodeRequest", () => {
  it("gives back the client's own body for requests without Ollama-only extras", () => {
    for (const file of [
      "request-text.json",
      "request-image.json",
      "request-structured.json",
      "request-stop.json",
    ]) {
      expect(ollamaCodec.encodeRequest(decodeFixture(file))).toEqual(
        jsonFixture("ollama", file) as Record<string, unknown>,
      );
    }
  });

  it("always states stream, since absent would mean streaming", () => {
    expect(ollamaCodec.encodeRequest(baseRequest()).stream).toBe(false);
    expect(ollamaCodec.encodeRequest(baseRequest({ stream: true })).stream).toBe(true);
  });

  it("re-encodes tool calls with object arguments and tool results as tool messages", () => {
    const body = ollamaCodec.encodeRequest(decodeFixture("request-tool-results.json"));
    expect(body).toEqual(jsonFixture("ollama", "request-tool-results.json") as Record<string, unknown>);
  });

  it("writes system parts as system messages and thinking back onto assistant turns", () => {
    const body = ollamaCodec.encodeRequest(
      baseRequest({
        system: [{ text: "be kind" }, { text: "be brief", kind: "developer" }],
        messages: [
          { role: "user", parts: [{ type: "text", text: "q" }] },
          {
            role: "assistant",
            parts: [
              { type: "reasoning", text: "hmm", signature: "sig" },
              { type: "text", text: "a" },
            ],
          },
        ],
      }),
    );
    expect(body.messages).toEqual([
      { role: "system", content: "be kind" },
      { role: "system", content: "be brief" },
      { role: "user", content: "q" },
      { role: "assistant", content: "a", thinking: "hmm" },
    ]);
  });

  it("splits a user turn with tool results and text into tool messages followed by a user message", () => {
    const body = ollamaCodec.encodeRequest(
      baseRequest({
        messages: [
          {
            role: "user",
            parts: [
              {
                type: "tool_result",
                toolCallId: "toolu_1",
                name: "lookup",
                content: [{ type: "text", text: "42" }],
              },
              { type: "text", text: "thanks, and now?" },
            ],
          },
        ],
      }),
    );
    expect(body.messages).toEqual([
      { role: "tool", content: "42", tool_name: "lookup" },
      { role: "user", content: "thanks, and now?" },
    ]);
  });

  it("names the tool of a result that carries only a call id, from the call it answers", () => {
    const body = ollamaCodec.encodeRequest(
      baseRequest({
        messages: [
          { role: "user", parts: [{ type: "text", text: "weather?" }] },
          {
            role: "assistant",
            parts: [{ type: "tool_call", id: "call_9", name: "get_weather", arguments: "{}" }],
          },
          {
            role: "user",
            parts: [
              { type: "tool_result", toolCallId: "call_9", content: [{ type: "text", text: "sunny" }] },
            ],
          },
        ],
      }),
    );
    expect((body.messages as unknown[]).at(-1)).toEqual({
      role: "tool",
      content: "sunny",
      tool_name: "get_weather",
    });
  });

  it("carries data-URL images as base64 but refuses remote image URLs, naming the part", () => {
    const withImage = (url: string) =>
      baseRequest({
        messages: [
          {
            role: "user",
            parts: [
              { type: "text", text: "look" },
              { type: "image", source: { kind: "url", url } },
            ],
          },
        ],
      });
    expect(ollamaCodec.encodeRequest(withImage(`data:image/png;base64,${PNG}`)).messages).toEqual([
      { role: "user", content: "look", images: [PNG] },
    ]);
    const error = wireError(() => ollamaCodec.encodeRequest(withImage("https://example.com/cat.png")));
    expect(error.error.status).toBe(400);
    expect(error.error.param).toBe("messages[0].parts[1]");
  });

  it("refuses documents and tool-call arguments that are not a JSON object", () => {
    const file = baseRequest({
      messages: [
        {
          role: "user",
          parts: [{ type: "file", source: { kind: "file_id", fileId: "file-1", store: "openai" } }],
        },
      ],
    });
    expect(wireError(() => ollamaCodec.encodeRequest(file)).error.param).toBe("messages[0].parts[0]");
    const badArguments = baseRequest({
      messages: [
        { role: "assistant", parts: [{ type: "tool_call", id: "c", name: "f", arguments: "[1,2]" }] },
      ],
    });
    expect(wireError(() => ollamaCodec.encodeRequest(badArguments)).error.param).toBe(
      "messages[0].parts[0].arguments",
    );
  });

  it("maps sampling to options and refuses several choices", () => {
    const body = ollamaCodec.encodeRequest(
      baseRequest({
        sampling: { temperature: 0.5, topP: 0.8, topK: 3, maxTokens: 10, stop: ["x"], seed: 1 },
      }),
    );
    expect(body.options).toEqual({
      temperature: 0.5,
      top_p: 0.8,
      top_k: 3,
      num_predict: 10,
      stop: ["x"],
      seed: 1,
    });
    expect(ollamaCodec.encodeRequest(baseRequest()).options).toBeUndefined();
    expect(wireError(() => ollamaCodec.encodeRequest(baseRequest({ sampling: { n: 2 } }))).error.param).toBe(
      "sampling.n",
    );
  });

  it("maps reasoning settings onto think", () => {
    const think = (reasoning: IRRequest["reasoning"]) =>
      ollamaCodec.encodeRequest(baseRequest({ reasoning })).think;
    expect(think({ enabled: true })).toBe(true);
    expect(think({ enabled: false })).toBe(false);
    expect(think({ effort: "none" })).toBe(false);
    expect(think({ effort: "minimal" })).toBe("low");
    expect(think({ effort: "xhigh" })).toBe("high");
    expect(think({ enabled: true, budgetTokens: 8000 })).toBe("medium");
    expect(think(undefined)).toBeUndefined();
  });

  it("honours tool choice none by not offering the tools", () => {
    const tools = [{ name: "f", parameters: { type: "object" } }];
    expect(ollamaCodec.encodeRequest(baseRequest({ tools })).tools).toEqual([
      { type: "function", function: { name: "f", parameters: { type: "object" } } },
    ]);
    expect(
      ollamaCodec.encodeRequest(baseRequest({ tools, toolChoice: { type: "none" } })).tools,
    ).toBeUndefined();
  });
});

describe("ollama decodeResponse", () => {
  it("reads text, counts and the end of the turn", () => {
    const response = ollamaCodec.decodeResponse(jsonFixture("ollama", "response-text.json"));
    expect(response.model).toBe("llama3.2");
    expect(response.created).toBe(Math.floor(Date.parse("2023-12-12T14:13:43.416799Z") / 1000));
    expect(response.parts).toEqual([{ type: "text", text: "Hello! How are you today?" }]);
    expect(response.stopReason).toBe("end_turn");
    expect(response.usage).toEqual({ inputTokens: 26, outputTokens: 298 });
  });

  it("reads tool calls with generated ids and calls the stop a tool use", () => {
    const response = ollamaCodec.decodeResponse(jsonFixture("ollama", "response-parallel-tools.json"));
    expect(response.stopReason).toBe("tool_use");
    expect(response.parts).toHaveLength(2);
    const [first, second] = response.parts;
    expect(first).toMatchObject({ type: "tool_call", name: "get_current_weather" });
    if (first?.type !== "tool_call" || second?.type !== "tool_call") throw new Error("expected tool calls");
    expect(first.id).not.toBe(second.id);
    expect(JSON.parse(second.arguments)).toEqual({ format: "celsius", location: "Paris" });
  });

  it("puts thinking before the answer", () => {
    const response = ollamaCodec.decodeResponse(jsonFixture("ollama", "response-reasoning.json"));
    expect(response.parts.map((part) => part.type)).toEqual(["reasoning", "text"]);
  });

  it("reads done_reason length as the token limit", () => {
    expect(ollamaCodec.decodeResponse(jsonFixture("ollama", "response-length.json")).stopReason).toBe(
      "max_tokens",
    );
  });
});

describe("ollama encodeResponse", () => {
  const response: IRResponse = {
    id: "msg_1",
    model: "upstream-model",
    created: 1_700_000_000,
    parts: [
      { type: "reasoning", text: "think", signature: "s" },
      { type: "text", text: "Hello" },
      { type: "tool_call", id: "toolu_1", name: "lookup", arguments: '{"q":"x"}' },
    ],
    stopReason: "tool_use",
    usage: { inputTokens: 12, outputTokens: 7, cachedInputTokens: 4 },
  };

  it("gives the documented single object with the client's model name and counts", () => {
    expect(ollamaCodec.encodeResponse(response, { model: "llama3.2" })).toEqual({
      model: "llama3.2",
      created_at: "2023-11-14T22:13:20.000Z",
      message: {
        role: "assistant",
        content: "Hello",
        thinking: "think",
        tool_calls: [{ function: { name: "lookup", arguments: { q: "x" } } }],
      },
      done_reason: "stop",
      done: true,
      total_duration: 0,
      load_duration: 0,
      prompt_eval_count: 12,
      prompt_eval_duration: 0,
      eval_count: 7,
      eval_duration: 0,
    });
  });

  it("says length when the token limit ended the answer", () => {
    const body = ollamaCodec.encodeResponse({ ...response, stopReason: "max_tokens" }, { model: "m" });
    expect((body as { done_reason: string }).done_reason).toBe("length");
  });

  it("survives a decode of every response fixture", () => {
    for (const file of fixtureFiles("ollama", "response")) {
      const original = jsonFixture("ollama", file) as Record<string, unknown>;
      const encoded = ollamaCodec.encodeResponse(ollamaCodec.decodeResponse(original), {
        model: original.model as string,
      }) as Record<string, unknown>;
      expect(encoded.message).toEqual(original.message);
      expect(encoded.done_reason).toBe(original.done_reason);
      expect(encoded.eval_count).toBe(original.eval_count);
    }
  });
});

describe("ollama decodeStream", () => {
  it("turns message deltas into one text part and the done line into finish with counts", () => {
    const events = decodeStreamText(readFixture("ollama", "stream-text.txt"));
    expect(events[0]).toMatchObject({ type: "start", model: "llama3.2" });
    expect(events.slice(1)).toEqual([
      { type: "text_delta", index: 0, text: "The" },
      { type: "text_delta", index: 0, text: " sky" },
      { type: "text_delta", index: 0, text: " is blue — mostly." },
      { type: "part_end", index: 0 },
      { type: "finish", stopReason: "end_turn", usage: { inputTokens: 26, outputTokens: 282 } },
    ]);
  });

  it("emits each whole tool call as start, one delta and end, and finishes as a tool use", () => {
    const events = decodeStreamText(readFixture("ollama", "stream-tools.txt")).slice(1);
    const start = events[2];
    expect(start).toMatchObject({ type: "tool_call_start", index: 1, name: "get_current_weather" });
    expect(events).toEqual([
      { type: "text_delta", index: 0, text: "Let me check." },
      { type: "part_end", index: 0 },
      start!,
      { type: "tool_call_delta", index: 1, argumentsDelta: '{"format":"celsius","location":"Toronto"}' },
      { type: "part_end", index: 1 },
      { type: "finish", stopReason: "tool_use", usage: { inputTokens: 184, outputTokens: 28 } },
    ]);
  });

  it("numbers parallel tool calls as separate parts", () => {
    const events = decodeStreamText(readFixture("ollama", "stream-parallel-tools.txt"));
    const starts = events.filter((event) => event.type === "tool_call_start");
    expect(starts.map((event) => event.index)).toEqual([0, 1]);
  });

  it("gives thinking its own part before the answer", () => {
    const events = decodeStreamText(readFixture("ollama", "stream-reasoning.txt")).slice(1);
    expect(events.slice(0, 5)).toEqual([
      { type: "reasoning_delta", index: 0, text: "Spell it out:" },
      { type: "reasoning_delta", index: 0, text: " s-t-r-a-w-b-e-r-r-y, three r's." },
      { type: "part_end", index: 0 },
      { type: "text_delta", index: 1, text: "There are " },
      { type: "text_delta", index: 1, text: "**3** r's." },
    ]);
  });

  it("finishes with max_tokens on done_reason length", () => {
    const events = decodeStreamText(readFixture("ollama", "stream-length.txt"));
    expect(events.at(-1)).toMatchObject({ type: "finish", stopReason: "max_tokens" });
  });

  it("turns an error line into an error event and nothing after it", () => {
    const events = decodeStreamText(readFixture("ollama", "stream-error.txt"));
    expect(events.map((event) => event.type)).toEqual(["start", "text_delta", "error"]);
    expect(events.at(-1)).toMatchObject({ error: { message: expect.stringContaining("unexpected EOF") } });
  });

  it("reports a tool call it cannot read as a malformed stream, after what came before it", () => {
    const events = decodeStreamText(
      '{"model":"m","message":{"content":"a"},"done":false}\n' +
        '{"model":"m","message":{"content":"","tool_calls":[{"function":{"arguments":{}}}]},"done":false}\n',
    );
    expect(events.map((event) => event.type)).toEqual(["start", "text_delta", "error"]);
    expect(events.at(-1)).toMatchObject({
      error: {
        code: "stream_malformed",
        message: expect.stringContaining("message.tool_calls[0].function.name"),
      },
    });
  });

  it("reports a stream that ends before done:true as truncated", () => {
    const lines = readFixture("ollama", "stream-text.txt").trimEnd().split("\n");
    const events = decodeStreamText(lines.slice(0, -1).join("\n"));
    expect(events.at(-1)).toEqual({
      type: "error",
      error: expect.objectContaining({ type: "api_error", code: "stream_truncated" }),
    });
    expect(events.some((event) => event.type === "finish")).toBe(false);
  });

  it("reports a malformed line as an error event after the lines before it, even in the same chunk", () => {
    const events = decodeStreamText(
      '{"model":"m","message":{"content":"a"},"done":false}\n{not json\n{"message":{"content":"b"},"done":true}\n',
    );
    expect(events.map((event) => event.type)).toEqual(["start", "text_delta", "error"]);
    expect(events[1]).toEqual({ type: "text_delta", index: 0, text: "a" });
    expect(events.at(-1)).toMatchObject({
      type: "error",
      error: {
        code: "stream_malformed",
        message: "malformed upstream stream: a line is not JSON: {not json",
      },
    });
  });
});

describe("ollama encodeStream", () => {
  const events: IRStreamEvent[] = [
    { type: "start", id: "x", model: "upstream", created: 1_700_000_000 },
    { type: "reasoning_delta", index: 0, text: "hmm" },
    { type: "reasoning_signature", index: 0, signature: "sig" },
    { type: "part_end", index: 0 },
    { type: "text_delta", index: 1, text: 'Say "hi"\n' },
    { type: "part_end", index: 1 },
    { type: "tool_call_start", index: 2, id: "call_1", name: "lookup" },
    { type: "tool_call_delta", index: 2, argumentsDelta: '{"q":' },
    { type: "tool_call_delta", index: 2, argumentsDelta: '"x"}' },
    { type: "part_end", index: 2 },
    { type: "usage", usage: { inputTokens: 9, outputTokens: 4 } },
    { type: "finish", stopReason: "tool_use" },
  ];

  const lines = (text: string) =>
    text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it("writes NDJSON deltas, each tool call whole, and one final done line with the counts", () => {
    const text = encodeEvents(ollamaCodec.encodeStream({ model: "llama3.2" }), events);
    expect(text.endsWith("\n")).toBe(true);
    const common = { model: "llama3.2", created_at: "2023-11-14T22:13:20.000Z" };
    expect(lines(text)).toEqual([
      { ...common, message: { role: "assistant", content: "", thinking: "hmm" }, done: false },
      { ...common, message: { role: "assistant", content: 'Say "hi"\n' }, done: false },
      {
        ...common,
        message: {
          role: "assistant",
          content: "",
          tool_calls: [{ function: { name: "lookup", arguments: { q: "x" } } }],
        },
        done: false,
      },
      {
        ...common,
        message: { role: "assistant", content: "" },
        done_reason: "stop",
        done: true,
        total_duration: 0,
        load_duration: 0,
        prompt_eval_count: 9,
        prompt_eval_duration: 0,
        eval_count: 4,
        eval_duration: 0,
      },
    ]);
  });

  it("flushes a tool call whose part never ended before the done line", () => {
    const unended = events.filter((event) => !(event.type === "part_end" && event.index === 2));
    const parsed = lines(encodeEvents(ollamaCodec.encodeStream({ model: "m" }), unended));
    expect(parsed.at(-2)?.message).toMatchObject({ tool_calls: [{ function: { name: "lookup" } }] });
    expect(parsed.filter((line) => line.done === true)).toHaveLength(1);
  });

  it("writes an error as Ollama's error line and stops", () => {
    const encoder = ollamaCodec.encodeStream({ model: "m" });
    const text = encodeEvents(encoder, [
      { type: "start", id: "x", model: "m", created: 0 },
      { type: "text_delta", index: 0, text: "a" },
      { type: "error", error: { type: "overloaded", status: 503, message: "upstream overloaded" } },
      { type: "finish", stopReason: "end_turn" },
    ]);
    expect(lines(text).at(-1)).toEqual({ error: "upstream overloaded" });
    expect(text).not.toContain('"done":true');
  });

  it("survives decode → encode → decode for every stream fixture", () => {
    for (const file of fixtureFiles("ollama", "stream")) {
      const decoded = decodeStreamText(readFixture("ollama", file));
      const again = decodeStreamText(encodeEvents(ollamaCodec.encodeStream({ model: "m" }), decoded));
      // Ollama's error line carries a message and nothing else, so no error code survives the trip.
      const shape = (list: IRStreamEvent[]) =>
        list.map((event) => {
          if (event.type === "start" || event.type === "tool_call_start") return event.type;
          if (event.type !== "error") return event;
          const { code: _code, ...error } = event.error;
          return { ...event, error };
        });
      expect(shape(again)).toEqual(shape(decoded));
    }
  });
});

describe("ollama errors", () => {
  it("encodes errors as {error} with the status", () => {
    expect(
      ollamaCodec.encodeError({ type: "not_found", status: 404, message: "model 'x' not found" }),
    ).toEqual({
      status: 404,
      body: { error: "model 'x' not found" },
    });
  });

  it("decodes Ollama error bodies and guesses the type from the status", () => {
    expect(ollamaCodec.decodeError(404, { error: "model 'x' not found" })).toEqual({
      type: "not_found",
      status: 404,
      message: "model 'x' not found",
    });
    expect(ollamaCodec.decodeError(500, "boom").message).toBe("boom");
    expect(ollamaCodec.decodeError(502, null).type).toBe("api_error");
  });
});
