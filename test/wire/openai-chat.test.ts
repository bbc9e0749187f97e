import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { WireError } from "../../src/wire/errors.ts";
import type { IRRequest } from "../../src/wire/ir.ts";
import { openaiChatCodec } from "../../src/wire/openai-chat/index.ts";

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`fixtures/openai-chat/${name}`, import.meta.url), "utf8"));

const decode = (name: string): IRRequest => openaiChatCodec.decodeRequest(fixture(name));

function rejects(body: unknown, param: string): void {
  try {
    openaiChatCodec.decodeRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(WireError);
    const wire = error as WireError;
    expect(wire.error.status).toBe(400);
    expect(wire.error.param).toBe(param);
    return;
  }
  throw new Error(`expected a WireError naming ${param}`);
}

const minimal = (extra: Record<string, unknown> = {}): IRRequest => ({
  model: "m",
  system: [],
  messages: [{ role: "user", parts: [{ type: "text", text: "hi" }] }],
  sampling: {},
  stream: false,
  ...extra,
});

describe("openai-chat decodeRequest", () => {
  it("decodes a plain text request with its sampling settings", () => {
    const ir = decode("request-text.json");
    expect(ir.model).toBe("gpt-4.1-mini");
    expect(ir.system).toEqual([]);
    expect(ir.messages).toEqual([{ role: "user", parts: [{ type: "text", text: "Say hello in French." }] }]);
    expect(ir.sampling).toEqual({ temperature: 0.2, maxTokens: 64 });
    expect(ir.stream).toBe(false);
  });

  it("keeps turns, names, user and metadata of a multi-turn conversation", () => {
    const ir = decode("request-multi-turn.json");
    expect(ir.messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    expect(ir.messages[1]?.parts).toEqual([{ type: "text", text: "The capital of France is Paris." }]);
    expect(ir.messages[2]?.name).toBe("alice");
    expect(ir.user).toBe("user-1234");
    expect(ir.metadata).toEqual({ session: "s-42" });
  });

  it("puts leading system and developer messages in system and later ones in the conversation", () => {
    const ir = decode("request-system.json");
    expect(ir.system).toEqual([
      { text: "You are a terse assistant. Answer in one sentence.", kind: "developer" },
      { text: "Today is 2026-11-30.", kind: "system" },
    ]);
    expect(ir.messages.map((message) => message.role)).toEqual(["user", "assistant", "system", "user"]);
    expect(ir.messages[2]?.parts).toEqual([{ type: "text", text: "From now on, answer in German." }]);
  });

  it("decodes image URLs, data-URL images with detail and inline files", () => {
    const ir = decode("request-image.json");
    const parts = ir.messages[0]?.parts ?? [];
    expect(parts[0]).toEqual({ type: "text", text: "What is in these images?" });
    expect(parts[1]).toMatchObject({ type: "image", source: { kind: "url" }, detail: "high" });
    expect(parts[2]).toEqual({
      type: "image",
      source: {
        kind: "base64",
        mediaType: "image/png",
        data: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
      },
    });
    expect(parts[3]).toMatchObject({
      type: "file",
      filename: "invoice.pdf",
      source: { kind: "base64", mediaType: "application/pdf" },
    });
    expect(ir.sampling.maxTokens).toBe(300);
  });

  it("decodes function tools, a tool without parameters, tool choice and parallel calls", () => {
    const ir = decode("request-tools.json");
    expect(ir.tools?.map((tool) => tool.name)).toEqual(["get_current_weather", "get_time"]);
    expect(ir.tools?.[0]).toMatchObject({
      description: "Get the current weather in a given location",
      strict: false,
      parameters: { type: "object", required: ["location"] },
    });
    expect(ir.tools?.[1]?.parameters).toEqual({ type: "object", properties: {} });
    expect(ir.toolChoice).toEqual({ type: "auto" });
    expect(ir.parallelToolCalls).toBe(true);
  });

  it("turns consecutive tool messages into one user message of tool results named after their calls", () => {
    const ir = decode("request-tool-results.json");
    expect(ir.messages.map((message) => message.role)).toEqual(["user", "assistant", "user", "user"]);
    expect(ir.messages[1]?.parts).toEqual([
      {
        type: "tool_call",
        id: "call_boston",
        name: "get_current_weather",
        arguments: '{"location":"Boston, MA"}',
      },
      {
        type: "tool_call",
        id: "call_paris",
        name: "get_current_weather",
        arguments: '{"location":"Paris, France"}',
      },
    ]);
    expect(ir.messages[2]?.parts).toEqual([
      {
        type: "tool_result",
        toolCallId: "call_boston",
        name: "get_current_weather",
        content: [{ type: "text", text: '{"temperature":22,"unit":"celsius"}' }],
      },
      {
        type: "tool_result",
        toolCallId: "call_paris",
        name: "get_current_weather",
        content: [{ type: "text", text: '{"temperature":18,"unit":"celsius"}' }],
      },
    ]);
    expect(ir.toolChoice).toEqual({ type: "tool", name: "get_current_weather" });
    expect(ir.parallelToolCalls).toBe(false);
  });

  it("decodes reasoning effort, DeepSeek reasoning_content and stream usage options", () => {
    const ir = decode("request-reasoning.json");
    expect(ir.reasoning).toEqual({ enabled: true, effort: "high" });
    expect(ir.messages[1]?.parts).toEqual([
      { type: "reasoning", text: "Compare the decimals: 0.8 > 0.11." },
      { type: "text", text: "9.8 is greater." },
    ]);
    expect(ir.stream).toBe(true);
    expect(ir.streamUsage).toBe(true);
  });

  it("decodes a JSON schema response format", () => {
    const ir = decode("request-structured.json");
    expect(ir.responseFormat).toMatchObject({ type: "json_schema", name: "calendar_event", strict: true });
    expect(ir.responseFormat?.type === "json_schema" && ir.responseFormat.schema.required).toEqual([
      "name",
      "date",
      "participants",
    ]);
    expect(ir.system).toEqual([{ text: "Extract the event information.", kind: "system" }]);
  });

  it("turns a single stop string into a list and keeps the penalties and seed", () => {
    const ir = decode("request-stop.json");
    expect(ir.sampling).toEqual({
      stop: ["\n5"],
      seed: 42,
      n: 1,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      topP: 0.9,
    });
  });

  it("pairs legacy function calls with their function results", () => {
    const ir = decode("request-legacy-functions.json");
    const call = ir.messages[1]?.parts[0];
    const result = ir.messages[2]?.parts[0];
    expect(call).toMatchObject({
      type: "tool_call",
      name: "get_current_weather",
      arguments: '{"location":"Boston, MA"}',
    });
    expect(result).toMatchObject({ type: "tool_result", name: "get_current_weather" });
    expect(
      call?.type === "tool_call" && result?.type === "tool_result" && result.toolCallId === call.id,
    ).toBe(true);
    expect(ir.tools?.[0]?.name).toBe("get_current_weather");
    expect(ir.toolChoice).toEqual({ type: "auto" });
  });

  it("prefers max_completion_tokens over max_tokens and maps reasoning effort max to xhigh", () => {
    const ir = openaiChatCodec.decodeRequest({
      model: "o3",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 10,
      max_completion_tokens: 20,
      reasoning_effort: "max",
    });
    expect(ir.sampling.maxTokens).toBe(20);
    expect(ir.reasoning).toEqual({ enabled: true, effort: "xhigh" });
  });

  it("keeps input audio as a file part and prompt-cache breakpoints as cache hints", () => {
    const ir = openaiChatCodec.decodeRequest({
      model: "gpt-4o-audio-preview",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Transcribe", prompt_cache_breakpoint: { mode: "explicit" } },
            { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
          ],
        },
      ],
    });
    expect(ir.messages[0]?.parts).toEqual([
      { type: "text", text: "Transcribe", cache: { type: "ephemeral" } },
      { type: "file", source: { kind: "base64", mediaType: "audio/wav", data: "UklGRg==" } },
    ]);
  });

  it("narrows the tools to the allowed ones of an allowed_tools choice", () => {
    const ir = openaiChatCodec.decodeRequest({
      ...(fixture("request-tools.json") as object),
      tool_choice: {
        type: "allowed_tools",
        allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "get_time" } }] },
      },
    });
    expect(ir.tools?.map((tool) => tool.name)).toEqual(["get_time"]);
    expect(ir.toolChoice).toEqual({ type: "required" });
  });

  it("takes the model from the request context when the body has none", () => {
    const ir = openaiChatCodec.decodeRequest(
      { messages: [{ role: "user", content: "hi" }] },
      { model: "from-url" },
    );
    expect(ir.model).toBe("from-url");
  });

  it("rejects bad requests naming the offending field", () => {
    rejects({ model: "m" }, "messages");
    rejects({ model: "m", messages: [] }, "messages");
    rejects({ messages: [{ role: "user", content: "x" }] }, "model");
    rejects({ model: "m", messages: [{ role: "robot", content: "x" }] }, "messages[0].role");
    rejects({ model: "m", messages: [{ role: "user", content: 5 }] }, "messages[0].content");
    rejects(
      { model: "m", messages: [{ role: "user", content: [{ type: "video", url: "x" }] }] },
      "messages[0].content[0].type",
    );
    rejects({ model: "m", messages: [{ role: "tool", content: "x" }] }, "messages[0].tool_call_id");
    rejects({ model: "m", messages: [{ role: "user", content: "x" }], temperature: "hot" }, "temperature");
    rejects(
      { model: "m", messages: [{ role: "user", content: "x" }], tools: [{ type: "custom", custom: {} }] },
      "tools[0].type",
    );
    rejects(
      { model: "m", messages: [{ role: "user", content: "x" }], reasoning_effort: "huge" },
      "reasoning_effort",
    );
    rejects({ model: "m", messages: [{ role: "user", content: "x" }], stop: [1] }, "stop[0]");
    rejects(
      {
        model: "m",
        messages: [{ role: "assistant", tool_calls: [{ id: "c", type: "function", function: {} }] }],
      },
      "messages[0].tool_calls[0].function.name",
    );
    rejects("not an object", "body");
  });
});

describe("openai-chat encodeRequest", () => {
  it("writes system parts, conversation, tools and settings in OpenAI's shape", () => {
    const body = openaiChatCodec.encodeRequest({
      model: "gpt-4.1",
      system: [{ text: "Be brief." }, { text: "Use metric units." }],
      messages: [
        { role: "user", parts: [{ type: "text", text: "Weather in Paris?" }] },
        {
          role: "assistant",
          parts: [
            { type: "reasoning", text: "I should call the tool.", signature: "sig" },
            { type: "tool_call", id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' },
          ],
        },
        {
          role: "user",
          parts: [
            { type: "text", text: "Here you go:" },
            { type: "tool_result", toolCallId: "toolu_1", content: [{ type: "text", text: "18°C" }] },
          ],
        },
      ],
      tools: [
        { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
      ],
      toolChoice: { type: "tool", name: "get_weather" },
      parallelToolCalls: false,
      sampling: { maxTokens: 100, temperature: 0.5, topK: 40, stop: ["END"] },
      reasoning: { enabled: true, budgetTokens: 16000 },
      stream: true,
      user: "u-1",
    });
    expect(body).toEqual({
      model: "gpt-4.1",
      messages: [
        { role: "system", content: "Be brief.\n\nUse metric units." },
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "toolu_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "toolu_1", content: "18°C" },
        { role: "user", content: "Here you go:" },
      ],
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            parameters: { type: "object", properties: { city: { type: "string" } } },
          },
        },
      ],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      parallel_tool_calls: false,
      reasoning_effort: "high",
      max_completion_tokens: 100,
      temperature: 0.5,
      stop: ["END"],
      stream: true,
      stream_options: { include_usage: true },
      user: "u-1",
    });
  });

  it("writes media as image_url data URLs, files with a filename and audio as input_audio", () => {
    const body = openaiChatCodec.encodeRequest(
      minimal({
        messages: [
          {
            role: "user",
            parts: [
              {
                type: "image",
                source: { kind: "base64", mediaType: "image/jpeg", data: "/9j/" },
                detail: "low",
              },
              {
                type: "file",
                source: { kind: "base64", mediaType: "application/pdf", data: "JVBE" },
                title: "Report",
              },
              { type: "file", source: { kind: "base64", mediaType: "audio/mpeg", data: "SUQz" } },
              { type: "file", source: { kind: "file_id", fileId: "file-abc", store: "openai" } },
            ],
          },
        ],
      }),
    );
    expect(body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/", detail: "low" } },
          { type: "file", file: { filename: "Report", file_data: "data:application/pdf;base64,JVBE" } },
          { type: "input_audio", input_audio: { data: "SUQz", format: "mp3" } },
          { type: "file", file: { file_id: "file-abc" } },
        ],
      },
    ]);
  });

  it("moves images of a tool result into the user message that follows the tool message", () => {
    const body = openaiChatCodec.encodeRequest(
      minimal({
        messages: [
          {
            role: "user",
            parts: [
              {
                type: "tool_result",
                toolCallId: "c1",
                content: [
                  { type: "text", text: "screenshot taken" },
                  { type: "image", source: { kind: "url", url: "https://example.com/s.png" } },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(body.messages).toEqual([
      { role: "tool", tool_call_id: "c1", content: "screenshot taken" },
      { role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/s.png" } }] },
    ]);
  });

  it("leaves tool_choice and parallel_tool_calls out when there are no tools", () => {
    const body = openaiChatCodec.encodeRequest(
      minimal({ toolChoice: { type: "auto" }, parallelToolCalls: true }),
    );
    expect(body).toEqual({ model: "m", messages: [{ role: "user", content: "hi" }] });
  });

  it("refuses files it can only reach by URL", () => {
    const request = minimal({
      messages: [
        {
          role: "user",
          parts: [{ type: "file", source: { kind: "url", url: "https://example.com/a.pdf" } }],
        },
      ],
    });
    expect(() => openaiChatCodec.encodeRequest(request)).toThrow(WireError);
  });

  it("round-trips every fixture request through the IR without losing what OpenAI can say", () => {
    for (const name of [
      "request-multi-turn.json",
      "request-tool-results.json",
      "request-structured.json",
      "request-stop.json",
    ]) {
      const ir = decode(name);
      const again = openaiChatCodec.decodeRequest(openaiChatCodec.encodeRequest(ir));
      expect(again).toEqual(ir);
    }
  });
});

describe("openai-chat responses", () => {
  it("decodes text, cached-token usage and the stop finish reason", () => {
    const ir = openaiChatCodec.decodeResponse(fixture("response-text.json"));
    expect(ir).toEqual({
      id: "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
      model: "gpt-4.1-2025-04-14",
      created: 1741569952,
      parts: [{ type: "text", text: "Bonjour !" }],
      stopReason: "end_turn",
      usage: { inputTokens: 1117, outputTokens: 4, cachedInputTokens: 1024 },
    });
  });

  it("decodes parallel tool calls as tool_use", () => {
    const ir = openaiChatCodec.decodeResponse(fixture("response-parallel-tools.json"));
    expect(ir.stopReason).toBe("tool_use");
    expect(ir.parts).toEqual([
      {
        type: "tool_call",
        id: "call_DdmO9pD3xa9XTPNJ32zg2hcA",
        name: "get_current_weather",
        arguments: '{"location":"Boston, MA"}',
      },
      {
        type: "tool_call",
        id: "call_ABiShJ3QzDt9hlR2dk7Gvhnd",
        name: "get_current_weather",
        arguments: '{"location":"Paris, France"}',
      },
    ]);
  });

  it("decodes DeepSeek reasoning_content before the answer, with reasoning tokens", () => {
    const ir = openaiChatCodec.decodeResponse(fixture("response-reasoning.json"));
    expect(ir.parts.map((part) => part.type)).toEqual(["reasoning", "text"]);
    expect(ir.usage).toEqual({ inputTokens: 17, outputTokens: 120, reasoningTokens: 98 });
  });

  it("decodes length as max_tokens", () => {
    expect(openaiChatCodec.decodeResponse(fixture("response-length.json")).stopReason).toBe("max_tokens");
  });

  it("encodes a chat.completion with reasoning_content, tool calls and detailed usage", () => {
    const body = openaiChatCodec.encodeResponse(
      {
        id: "msg_01",
        model: "claude-sonnet-5",
        created: 1700000000,
        parts: [
          { type: "reasoning", text: "Thinking.", signature: "sig" },
          { type: "text", text: "Calling." },
          { type: "tool_call", id: "toolu_1", name: "f", arguments: "{}" },
        ],
        stopReason: "tool_use",
        usage: { inputTokens: 120, outputTokens: 30, cachedInputTokens: 100, reasoningTokens: 10 },
      },
      { model: "my-alias" },
    );
    expect(body).toEqual({
      id: "msg_01",
      object: "chat.completion",
      created: 1700000000,
      model: "my-alias",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Calling.",
            refusal: null,
            reasoning_content: "Thinking.",
            tool_calls: [{ id: "toolu_1", type: "function", function: { name: "f", arguments: "{}" } }],
          },
          logprobs: null,
          finish_reason: "tool_calls",
        },
      ],
      usage: {
        prompt_tokens: 120,
        completion_tokens: 30,
        total_tokens: 150,
        prompt_tokens_details: { cached_tokens: 100 },
        completion_tokens_details: { reasoning_tokens: 10 },
      },
    });
  });

  it("rejects an upstream body that is not a chat completion with a 502", () => {
    try {
      openaiChatCodec.decodeResponse({ object: "list" });
      throw new Error("expected a WireError");
    } catch (error) {
      expect(error).toBeInstanceOf(WireError);
      expect((error as WireError).error.status).toBe(502);
    }
  });
});

describe("openai-chat errors", () => {
  it("encodes OpenAI's error envelope with param and code", () => {
    expect(
      openaiChatCodec.encodeError({
        type: "invalid_request",
        message: "messages: is required",
        status: 400,
        param: "messages",
      }),
    ).toEqual({
      status: 400,
      body: {
        error: {
          message: "messages: is required",
          type: "invalid_request_error",
          param: "messages",
          code: null,
        },
      },
    });
    expect(openaiChatCodec.encodeError({ type: "overloaded", message: "busy", status: 503 }).body).toEqual({
      error: { message: "busy", type: "server_error", param: null, code: null },
    });
  });

  it("decodes upstream error bodies, trusting a specific status over the body's type", () => {
    expect(
      openaiChatCodec.decodeError(429, {
        error: { message: "Rate limit reached", type: "requests", param: null, code: "rate_limit_exceeded" },
      }),
    ).toEqual({
      type: "rate_limit",
      message: "Rate limit reached",
      status: 429,
      code: "rate_limit_exceeded",
    });
    expect(
      openaiChatCodec.decodeError(400, {
        error: { message: "bad", type: "invalid_request_error", param: "n" },
      }),
    ).toEqual({
      type: "invalid_request",
      message: "bad",
      status: 400,
      param: "n",
    });
    expect(openaiChatCodec.decodeError(500, { error: "model crashed" })).toMatchObject({
      type: "api_error",
      message: "model crashed",
    });
    expect(openaiChatCodec.decodeError(502, "<html>Bad gateway</html>")).toMatchObject({
      type: "api_error",
      status: 502,
    });
  });
});
