import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import {
  anthropicCodec,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  encodeAnthropicRequest,
} from "../../src/wire/anthropic/index.ts";
import { WireError } from "../../src/wire/errors.ts";
import type { IRReasoningEffort, IRRequest } from "../../src/wire/ir.ts";
import { openaiChatCodec } from "../../src/wire/openai-chat/index.ts";
import { budgetForEffort, effortForBudget } from "../../src/wire/reasoning.ts";

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`fixtures/anthropic/${name}`, import.meta.url), "utf8"));

const decode = (name: string): IRRequest => anthropicCodec.decodeRequest(fixture(name));

function rejects(body: unknown, param: string): void {
  try {
    anthropicCodec.decodeRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(WireError);
    expect((error as WireError).error).toMatchObject({ status: 400, param });
    return;
  }
  throw new Error(`expected a WireError naming ${param}`);
}

const request = (extra: Partial<IRRequest> = {}): IRRequest => ({
  model: "claude-sonnet-5",
  system: [],
  messages: [{ role: "user", parts: [{ type: "text", text: "hi" }] }],
  sampling: {},
  stream: false,
  ...extra,
});

const valid = { model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }] };

describe("anthropic decodeRequest", () => {
  it("decodes a plain text request", () => {
    expect(decode("request-text.json")).toEqual({
      model: "claude-sonnet-5",
      system: [],
      messages: [{ role: "user", parts: [{ type: "text", text: "Hello, Claude" }] }],
      sampling: { maxTokens: 1024 },
      stream: false,
    });
  });

  it("decodes alternating turns, a prefilled assistant turn, metadata.user_id and stream", () => {
    const ir = decode("request-multi-turn.json");
    expect(ir.messages.map((message) => message.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(ir.messages[3]?.parts).toEqual([{ type: "text", text: "Sure! A large language model" }]);
    expect(ir.user).toBe("13803d75-b4b5-4c3e-b2a2-6f21399b021b");
    expect(ir.stream).toBe(true);
  });

  it("decodes system blocks with cache hints and keeps a mid-conversation system message in place", () => {
    const ir = decode("request-system.json");
    expect(ir.system).toEqual([
      { text: "You are an AI assistant tasked with analyzing literary works." },
      { text: "<the entire contents of Pride and Prejudice>", cache: { type: "ephemeral", ttl: "1h" } },
    ]);
    expect(ir.messages.map((message) => message.role)).toEqual(["user", "assistant", "system", "user"]);
  });

  it("decodes base64 and URL images, PDF and plain-text documents", () => {
    const parts = decode("request-image.json").messages[0]?.parts ?? [];
    expect(parts[0]).toMatchObject({ type: "image", source: { kind: "base64", mediaType: "image/png" } });
    expect(parts[1]).toEqual({
      type: "image",
      source: {
        kind: "url",
        url: "https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg",
      },
    });
    expect(parts[2]).toMatchObject({
      type: "file",
      title: "Invoice",
      cache: { type: "ephemeral" },
      source: { kind: "base64", mediaType: "application/pdf" },
    });
    expect(parts[3]).toEqual({
      type: "file",
      title: "Facts",
      source: {
        kind: "base64",
        mediaType: "text/plain",
        data: Buffer.from("The grass is green. The sky is blue.").toString("base64"),
      },
    });
    expect(parts[4]).toEqual({ type: "text", text: "Describe the images and summarise the documents." });
  });

  it("decodes tools with cache hints and tool_choice any without parallel calls", () => {
    const ir = decode("request-tools.json");
    expect(ir.tools?.map((tool) => tool.name)).toEqual(["get_weather", "get_time"]);
    expect(ir.tools?.[0]?.parameters).toMatchObject({ type: "object", required: ["location"] });
    expect(ir.tools?.[1]?.cache).toEqual({ type: "ephemeral" });
    expect(ir.toolChoice).toEqual({ type: "required" });
    expect(ir.parallelToolCalls).toBe(false);
  });

  it("decodes thinking with its signature, tool uses as JSON text and tool results with errors", () => {
    const ir = decode("request-tool-results.json");
    expect(ir.reasoning).toEqual({ enabled: true, budgetTokens: 1024 });
    expect(ir.messages[1]?.parts).toEqual([
      {
        type: "reasoning",
        text: "I need the weather for two cities.",
        signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds",
      },
      { type: "text", text: "I'll check both cities." },
      {
        type: "tool_call",
        id: "toolu_01A09q90qw90lq917835lq9",
        name: "get_weather",
        arguments: '{"location":"San Francisco, CA"}',
      },
      {
        type: "tool_call",
        id: "toolu_01B19r01rx01mr028946mr0",
        name: "get_weather",
        arguments: '{"location":"New York, NY"}',
      },
    ]);
    expect(ir.messages[2]?.parts).toEqual([
      {
        type: "tool_result",
        toolCallId: "toolu_01A09q90qw90lq917835lq9",
        name: "get_weather",
        content: [{ type: "text", text: "15 degrees, foggy" }],
      },
      {
        type: "tool_result",
        toolCallId: "toolu_01B19r01rx01mr028946mr0",
        name: "get_weather",
        content: [{ type: "text", text: "Service unavailable" }],
        isError: true,
      },
      { type: "text", text: "Summarise, please." },
    ]);
  });

  it("decodes a thinking budget, adaptive thinking with effort, and structured output", () => {
    expect(decode("request-reasoning.json").reasoning).toEqual({ enabled: true, budgetTokens: 10000 });
    expect(decode("request-adaptive.json").reasoning).toEqual({
      enabled: true,
      effort: "high",
      includeThoughts: false,
    });
    expect(decode("request-structured.json").responseFormat).toMatchObject({
      type: "json_schema",
      schema: { type: "object", required: ["name", "email", "plan_interest", "demo_requested"] },
    });
  });

  it("decodes stop sequences and the sampling parameters of API version 2023-06-01", () => {
    expect(decode("request-stop.json").sampling).toEqual({
      maxTokens: 256,
      stop: ["\n\nHuman:", "END"],
      temperature: 0.7,
      topP: 0.95,
      topK: 40,
    });
  });

  it("turns top-level cache_control into a cache hint on the last block", () => {
    const ir = anthropicCodec.decodeRequest({ ...valid, cache_control: { type: "ephemeral" } });
    expect(ir.messages[0]?.parts).toEqual([{ type: "text", text: "x", cache: { type: "ephemeral" } }]);
  });

  it("rejects bad requests naming the offending field", () => {
    rejects({ model: "m", messages: [{ role: "user", content: "x" }] }, "max_tokens");
    rejects({ model: "m", max_tokens: 10 }, "messages");
    rejects({ model: "m", max_tokens: 10, messages: [] }, "messages");
    rejects({ max_tokens: 10, messages: [{ role: "user", content: "x" }] }, "model");
    rejects({ ...valid, max_tokens: "many" }, "max_tokens");
    rejects({ ...valid, messages: [{ role: "tool", content: "x" }] }, "messages[0].role");
    rejects(
      { ...valid, messages: [{ role: "user", content: [{ type: "audio" }] }] },
      "messages[0].content[0].type",
    );
    rejects(
      {
        ...valid,
        messages: [{ role: "user", content: [{ type: "image", source: { type: "file", file_id: "f" } }] }],
      },
      "messages[0].content[0].source.type",
    );
    rejects(
      { ...valid, messages: [{ role: "user", content: [{ type: "tool_result" }] }] },
      "messages[0].content[0].tool_use_id",
    );
    rejects({ ...valid, thinking: { type: "enabled" } }, "thinking.budget_tokens");
    rejects({ ...valid, thinking: { type: "sometimes" } }, "thinking.type");
    rejects({ ...valid, tool_choice: { type: "tool" } }, "tool_choice.name");
    rejects({ ...valid, tools: [{ type: "web_search_20250305", name: "web_search" }] }, "tools[0].type");
    rejects({ ...valid, stop_sequences: "END" }, "stop_sequences");
    rejects({ ...valid, output_config: { effort: "extreme" } }, "output_config.effort");
  });
});

describe("anthropic encodeRequest", () => {
  it("defaults max_tokens, or takes the caller's, when the IR has none", () => {
    expect(anthropicCodec.encodeRequest(request()).max_tokens).toBe(DEFAULT_ANTHROPIC_MAX_TOKENS);
    expect(encodeAnthropicRequest(request(), { maxTokens: 64000 }).max_tokens).toBe(64000);
    expect(
      encodeAnthropicRequest(request({ sampling: { maxTokens: 50 } }), { maxTokens: 64000 }).max_tokens,
    ).toBe(50);
  });

  it("folds system messages into the system prompt, merges same-role turns and puts tool results first", () => {
    const ir = openaiChatCodec.decodeRequest({
      model: "gpt-x",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather in Boston and Paris?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [
            { id: "call_a", type: "function", function: { name: "weather", arguments: '{"city":"Boston"}' } },
            { id: "call_b", type: "function", function: { name: "weather", arguments: "" } },
          ],
        },
        { role: "system", content: "Use Celsius." },
        { role: "tool", tool_call_id: "call_a", content: "20" },
        { role: "tool", tool_call_id: "call_b", content: "18" },
        { role: "user", content: "Which is warmer?" },
      ],
    });
    const body = anthropicCodec.encodeRequest(ir);
    expect(body.system).toEqual([
      { type: "text", text: "Be brief." },
      { type: "text", text: "Use Celsius." },
    ]);
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Boston and Paris?" }] },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "call_a", name: "weather", input: { city: "Boston" } },
          { type: "tool_use", id: "call_b", name: "weather", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_a", content: "20" },
          { type: "tool_result", tool_use_id: "call_b", content: "18" },
          { type: "text", text: "Which is warmer?" },
        ],
      },
    ]);
  });

  it("writes a single uncached system part as a string and cached ones as blocks", () => {
    expect(anthropicCodec.encodeRequest(request({ system: [{ text: "Be kind." }] })).system).toBe("Be kind.");
    expect(
      anthropicCodec.encodeRequest(request({ system: [{ text: "Long", cache: { type: "ephemeral" } }] }))
        .system,
    ).toEqual([{ type: "text", text: "Long", cache_control: { type: "ephemeral" } }]);
  });

  it("writes media, documents, signed thinking and tool results in Anthropic's block shapes", () => {
    const body = anthropicCodec.encodeRequest(
      request({
        messages: [
          {
            role: "user",
            parts: [
              { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBO" } },
              {
                type: "file",
                source: { kind: "base64", mediaType: "application/pdf", data: "JVBE" },
                filename: "a.pdf",
              },
              {
                type: "file",
                source: {
                  kind: "base64",
                  mediaType: "text/plain",
                  data: Buffer.from("notes").toString("base64"),
                },
              },
              {
                type: "file",
                source: { kind: "file_id", fileId: "file_011", store: "anthropic" },
                cache: { type: "ephemeral" },
              },
            ],
          },
          {
            role: "assistant",
            parts: [
              { type: "reasoning", text: "unsigned, from another provider" },
              { type: "reasoning", text: "signed", signature: "sig" },
              { type: "reasoning", text: "", redactedData: "opaque" },
              { type: "tool_call", id: "toolu_1", name: "shot", arguments: "{}" },
            ],
          },
          {
            role: "user",
            parts: [
              {
                type: "tool_result",
                toolCallId: "toolu_1",
                isError: false,
                content: [
                  { type: "text", text: "taken" },
                  { type: "image", source: { kind: "url", url: "https://example.com/s.png" } },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBO" } },
          {
            type: "document",
            source: { type: "base64", media_type: "application/pdf", data: "JVBE" },
            title: "a.pdf",
          },
          { type: "document", source: { type: "text", media_type: "text/plain", data: "notes" } },
          {
            type: "document",
            source: { type: "file", file_id: "file_011" },
            cache_control: { type: "ephemeral" },
          },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "signed", signature: "sig" },
          { type: "redacted_thinking", data: "opaque" },
          { type: "tool_use", id: "toolu_1", name: "shot", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "toolu_1",
            content: [
              { type: "text", text: "taken" },
              { type: "image", source: { type: "url", url: "https://example.com/s.png" } },
            ],
            is_error: false,
          },
        ],
      },
    ]);
  });

  it("writes tools with an object input_schema and maps tool choices", () => {
    const tools = [
      { name: "now", parameters: {} },
      { name: "add", description: "Adds", parameters: { type: "object", properties: {} }, strict: true },
    ];
    const body = anthropicCodec.encodeRequest(
      request({ tools, toolChoice: { type: "required" }, parallelToolCalls: false }),
    );
    expect(body.tools).toEqual([
      { name: "now", input_schema: { type: "object" } },
      { name: "add", input_schema: { type: "object", properties: {} }, description: "Adds", strict: true },
    ]);
    expect(body.tool_choice).toEqual({ type: "any", disable_parallel_tool_use: true });
    expect(
      anthropicCodec.encodeRequest(request({ tools, toolChoice: { type: "tool", name: "add" } })).tool_choice,
    ).toEqual({
      type: "tool",
      name: "add",
    });
    expect(anthropicCodec.encodeRequest(request({ tools, parallelToolCalls: false })).tool_choice).toEqual({
      type: "auto",
      disable_parallel_tool_use: true,
    });
    expect(
      anthropicCodec.encodeRequest(request({ tools, toolChoice: { type: "none" } })).tool_choice,
    ).toEqual({ type: "none" });
    expect(
      anthropicCodec.encodeRequest(request({ toolChoice: { type: "auto" } })).tool_choice,
    ).toBeUndefined();
  });

  it("keeps a client's thinking budget, below max_tokens", () => {
    const body = anthropicCodec.encodeRequest(decode("request-reasoning.json"));
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 10000 });
    const tight = anthropicCodec.encodeRequest(
      request({ reasoning: { enabled: true, budgetTokens: 8000 }, sampling: { maxTokens: 4000 } }),
    );
    expect(tight.thinking).toEqual({ type: "enabled", budget_tokens: 3999 });
    const tooTight = anthropicCodec.encodeRequest(
      request({ reasoning: { enabled: true, budgetTokens: 8000 }, sampling: { maxTokens: 500 } }),
    );
    expect(tooTight.thinking).toBeUndefined();
  });

  it("asks for adaptive thinking at the client's effort, or a budget when told to", () => {
    const ir = openaiChatCodec.decodeRequest({
      model: "o3",
      messages: [{ role: "user", content: "x" }],
      reasoning_effort: "minimal",
    });
    const adaptive = anthropicCodec.encodeRequest(ir);
    expect(adaptive.thinking).toEqual({ type: "adaptive" });
    expect(adaptive.output_config).toEqual({ effort: "low" });
    const budget = encodeAnthropicRequest(request({ reasoning: { enabled: true, effort: "high" } }), {
      thinking: "budget",
      maxTokens: 32000,
    });
    expect(budget.thinking).toEqual({ type: "enabled", budget_tokens: 16384 });
    expect(budget.output_config).toBeUndefined();
    expect(anthropicCodec.encodeRequest(decode("request-adaptive.json"))).toMatchObject({
      thinking: { type: "adaptive", display: "omitted" },
      output_config: { effort: "high" },
    });
    expect(anthropicCodec.encodeRequest(request({ reasoning: { enabled: false } })).thinking).toEqual({
      type: "disabled",
    });
  });

  it("writes a JSON schema response format as output_config.format", () => {
    const ir = openaiChatCodec.decodeRequest(
      JSON.parse(
        readFileSync(new URL("fixtures/openai-chat/request-structured.json", import.meta.url), "utf8"),
      ),
    );
    const body = anthropicCodec.encodeRequest(ir);
    expect(body.output_config).toMatchObject({
      format: { type: "json_schema", schema: { required: ["name", "date", "participants"] } },
    });
  });

  it("sends sampling parameters only for API version 2023-06-01", () => {
    const ir = decode("request-stop.json");
    expect(anthropicCodec.encodeRequest(ir)).toEqual({
      model: "claude-haiku-4-5",
      max_tokens: 256,
      messages: [
        { role: "user", content: [{ type: "text", text: "Write a haiku about the sea, then write END." }] },
      ],
      stop_sequences: ["\n\nHuman:", "END"],
    });
    expect(encodeAnthropicRequest(ir, { apiVersion: "2023-06-01" })).toMatchObject({
      temperature: 0.7,
      top_p: 0.95,
      top_k: 40,
    });
  });

  it("writes the end user as metadata.user_id and stream only when streaming", () => {
    const body = anthropicCodec.encodeRequest(request({ user: "u-9", stream: true, metadata: { a: "b" } }));
    expect(body.metadata).toEqual({ user_id: "u-9" });
    expect(body.stream).toBe(true);
    expect("stream" in anthropicCodec.encodeRequest(request())).toBe(false);
  });

  it("refuses what Anthropic cannot carry: several answers, audio files, non-JSON tool arguments", () => {
    expect(() => anthropicCodec.encodeRequest(request({ sampling: { n: 2 } }))).toThrow(WireError);
    const audio = request({
      messages: [
        {
          role: "user",
          parts: [{ type: "file", source: { kind: "base64", mediaType: "audio/wav", data: "UklG" } }],
        },
      ],
    });
    expect(() => anthropicCodec.encodeRequest(audio)).toThrow(WireError);
    const badArgs = request({
      messages: [
        { role: "assistant", parts: [{ type: "tool_call", id: "c", name: "f", arguments: "{oops" }] },
      ],
    });
    expect(() => anthropicCodec.encodeRequest(badArgs)).toThrow(WireError);
  });

  it("round-trips fixture requests through the IR", () => {
    for (const name of [
      "request-tool-results.json",
      "request-image.json",
      "request-tools.json",
      "request-multi-turn.json",
    ]) {
      const ir = decode(name);
      expect(anthropicCodec.decodeRequest(anthropicCodec.encodeRequest(ir))).toEqual(ir);
    }
  });
});

describe("reasoning effort and thinking budget", () => {
  it("maps every effort to a budget and back to the same effort", () => {
    const efforts: IRReasoningEffort[] = ["none", "minimal", "low", "medium", "high", "xhigh"];
    for (const effort of efforts) expect(effortForBudget(budgetForEffort(effort))).toBe(effort);
    expect(budgetForEffort("minimal")).toBe(1024);
  });

  it("maps a budget to the effort nearest on a log scale", () => {
    expect(effortForBudget(10000)).toBe("medium");
    expect(effortForBudget(20000)).toBe("high");
    expect(effortForBudget(128000)).toBe("xhigh");
    expect(effortForBudget(-1)).toBe("none");
  });
});

describe("anthropic responses", () => {
  it("counts cache reads and writes into the IR's input tokens", () => {
    const ir = anthropicCodec.decodeResponse(fixture("response-text.json"));
    expect(ir).toMatchObject({
      id: "msg_013Zva2CMHLNnXjNJJKqJ2EF",
      model: "claude-sonnet-5",
      parts: [{ type: "text", text: "Hi! My name is Claude." }],
      stopReason: "end_turn",
      usage: {
        inputTokens: 12 + 2051 + 4096,
        outputTokens: 9,
        cachedInputTokens: 4096,
        cacheWriteTokens: 2051,
      },
    });
  });

  it("decodes text and tool_use with its input as JSON text", () => {
    const ir = anthropicCodec.decodeResponse(fixture("response-tools.json"));
    expect(ir.stopReason).toBe("tool_use");
    expect(ir.parts[1]).toEqual({
      type: "tool_call",
      id: "toolu_01A09q90qw90lq917835lq9",
      name: "get_weather",
      arguments: '{"location":"San Francisco, CA","unit":"celsius"}',
    });
  });

  it("decodes thinking, redacted thinking and thinking tokens", () => {
    const ir = anthropicCodec.decodeResponse(fixture("response-thinking.json"));
    expect(ir.parts.map((part) => part.type)).toEqual(["reasoning", "reasoning", "text"]);
    expect(ir.parts[0]).toMatchObject({ signature: expect.stringMatching(/^WaUj/) });
    expect(ir.parts[1]).toMatchObject({ text: "", redactedData: expect.stringMatching(/^EmwK/) });
    expect(ir.usage?.reasoningTokens).toBe(1150);
  });

  it("decodes the stop sequence that ended the answer", () => {
    expect(anthropicCodec.decodeResponse(fixture("response-stop.json"))).toMatchObject({
      stopReason: "stop_sequence",
      stopSequence: "END",
    });
  });

  it("encodes a message with uncached input tokens and the cache counters", () => {
    const body = anthropicCodec.encodeResponse(
      {
        id: "chatcmpl-9",
        model: "gpt-x",
        created: 1,
        parts: [
          { type: "reasoning", text: "Let me think." },
          { type: "text", text: "Done." },
          { type: "tool_call", id: "call_1", name: "f", arguments: '{"a":1}' },
        ],
        stopReason: "tool_use",
        usage: { inputTokens: 1117, outputTokens: 40, cachedInputTokens: 1024, reasoningTokens: 7 },
      },
      { model: "claude-alias" },
    );
    expect(body).toEqual({
      id: "chatcmpl-9",
      type: "message",
      role: "assistant",
      model: "claude-alias",
      content: [
        { type: "thinking", thinking: "Let me think.", signature: "" },
        { type: "text", text: "Done." },
        { type: "tool_use", id: "call_1", name: "f", input: { a: 1 } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        input_tokens: 93,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 1024,
        output_tokens: 40,
        output_tokens_details: { thinking_tokens: 7 },
      },
    });
  });

  it("maps OpenAI's content filter to a refusal", () => {
    const body = anthropicCodec.encodeResponse(
      { id: "x", model: "m", created: 1, parts: [], stopReason: "content_filter" },
      { model: "m" },
    ) as { stop_reason: string };
    expect(body.stop_reason).toBe("refusal");
  });

  it("rejects an upstream body without content with a 502", () => {
    expect(() => anthropicCodec.decodeResponse({ type: "message" })).toThrow(WireError);
  });
});

describe("anthropic errors", () => {
  it("encodes Anthropic's error envelope", () => {
    expect(anthropicCodec.encodeError({ type: "rate_limit", message: "Slow down", status: 429 })).toEqual({
      status: 429,
      body: { type: "error", error: { type: "rate_limit_error", message: "Slow down" } },
    });
    expect(
      anthropicCodec.encodeError({ type: "request_too_large", message: "Too big", status: 413 }).body,
    ).toEqual({
      type: "error",
      error: { type: "request_too_large", message: "Too big" },
    });
  });

  it("decodes upstream error bodies by their type, or by status when there is none", () => {
    expect(
      anthropicCodec.decodeError(529, {
        type: "error",
        error: { type: "overloaded_error", message: "Overloaded" },
      }),
    ).toEqual({
      type: "overloaded",
      message: "Overloaded",
      status: 529,
    });
    expect(anthropicCodec.decodeError(404, "not here")).toEqual({
      type: "not_found",
      message: "not here",
      status: 404,
    });
  });
});
