import { describe, expect, it } from "bun:test";
import { anthropicCodec } from "../../src/wire/anthropic/index.ts";
import { WireError } from "../../src/wire/errors.ts";
import { geminiCodec as codec } from "../../src/wire/gemini/index.ts";
import { SKIP_THOUGHT_SIGNATURE } from "../../src/wire/gemini/request.ts";
import type { IRRequest, IRResponse } from "../../src/wire/ir.ts";
import { ollamaCodec } from "../../src/wire/ollama/index.ts";
import { openaiChatCodec } from "../../src/wire/openai-chat/index.ts";
import { openaiResponsesCodec } from "../../src/wire/openai-responses/index.ts";
import { fixtureFiles, jsonFixture } from "./fixture-files.ts";

const decodeFixture = (file: string, stream = false) =>
  codec.decodeRequest(jsonFixture("gemini", file), { model: "gemini-2.5-flash", stream });

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
    model: "gemini-2.5-flash",
    system: [],
    messages: [{ role: "user", parts: [{ type: "text", text: "hi" }] }],
    sampling: {},
    stream: false,
    ...overrides,
  };
}

function baseResponse(overrides: Partial<IRResponse> = {}): IRResponse {
  return {
    id: "resp_1",
    model: "upstream",
    created: 1,
    parts: [{ type: "text", text: "Hello!" }],
    stopReason: "end_turn",
    usage: { inputTokens: 10, outputTokens: 25, cachedInputTokens: 4, reasoningTokens: 20 },
    ...overrides,
  };
}

describe("gemini decodeRequest", () => {
  it("takes model and streaming from the URL and reads a role-less content as the user's", () => {
    const request = decodeFixture("request-text.json", true);
    expect(request.model).toBe("gemini-2.5-flash");
    expect(request.stream).toBe(true);
    expect(request.messages).toEqual([
      { role: "user", parts: [{ type: "text", text: "Explain how AI works in a few words" }] },
    ]);
    expect(
      codec.decodeRequest(jsonFixture("gemini", "request-text.json"), { model: "models/gemini-pro" }).model,
    ).toBe("gemini-pro");
    expect(codec.decodeRequest(jsonFixture("gemini", "request-text.json"), { model: "m" }).stream).toBe(
      false,
    );
  });

  it("reads model turns as the assistant's and the generation config as sampling", () => {
    const request = decodeFixture("request-multi-turn.json");
    expect(request.messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    expect(request.messages[1]?.parts).toEqual([
      { type: "text", text: "Great to meet you. What would you like to know?" },
    ]);
    expect(request.sampling).toEqual({ temperature: 1, topP: 0.8, topK: 10, maxTokens: 800, n: 1 });
  });

  it("reads systemInstruction parts as the system prompt and the penalties and seed", () => {
    const request = decodeFixture("request-system.json");
    expect(request.system).toEqual([{ text: "You are a cat." }, { text: "Your name is Neko." }]);
    expect(request.sampling).toEqual({ seed: 42, presencePenalty: 0.5, frequencyPenalty: 0.25 });
  });

  it("reads inline data and file URIs as images or files by their media type, Files API URIs as Gemini's file ids", () => {
    expect(decodeFixture("request-image.json").messages[0]?.parts).toEqual([
      { type: "image", source: { kind: "base64", mediaType: "image/jpeg", data: "/9j/4AAQSkZJRgABAQ==" } },
      {
        type: "file",
        source: {
          kind: "file_id",
          fileId: "https://generativelanguage.googleapis.com/v1beta/files/abc123",
          store: "gemini",
          mediaType: "application/pdf",
        },
      },
      { type: "image", source: { kind: "url", url: "https://example.com/cat.png" } },
      { type: "text", text: "Caption this image and summarize the document." },
    ]);
    const uploadedImage = codec.decodeRequest(
      {
        contents: [
          {
            parts: [
              {
                file_data: {
                  mime_type: "image/png",
                  file_uri: "https://generativelanguage.googleapis.com/v1/files/img-7",
                },
              },
            ],
          },
        ],
      },
      { model: "gemini-2.5-flash" },
    );
    expect(uploadedImage.messages[0]?.parts).toEqual([
      {
        type: "image",
        source: {
          kind: "file_id",
          fileId: "https://generativelanguage.googleapis.com/v1/files/img-7",
          store: "gemini",
          mediaType: "image/png",
        },
      },
    ]);
  });

  it("refuses to hand a Files API file to any other dialect, naming the client's part", () => {
    const request = decodeFixture("request-image.json");
    for (const target of [anthropicCodec, openaiChatCodec, openaiResponsesCodec, ollamaCodec]) {
      const error = wireError(() => target.encodeRequest(request)).error;
      expect(error).toMatchObject({ type: "invalid_request", status: 400, param: "contents[0].parts[1]" });
    }
    expect(wireError(() => anthropicCodec.encodeRequest(request)).error.message).toBe(
      "contents[0].parts[1]: refers to a file stored at Gemini, which Anthropic cannot read",
    );
  });

  it("reads OpenAPI parameters as JSON Schema, keeps parametersJsonSchema, and reads ANY with one name as that tool", () => {
    const request = decodeFixture("request-tools.json");
    expect(request.tools).toEqual([
      {
        name: "set_light_values",
        description: "Sets the brightness and color temperature of a light.",
        parameters: {
          type: "object",
          properties: {
            brightness: { type: "integer", description: "Light level from 0 to 100." },
            color_temp: { type: "string", enum: ["daylight", "cool", "warm"] },
            room: { type: ["string", "null"] },
            tags: { type: "array", items: { type: "string" }, maxItems: 3 },
          },
          required: ["brightness", "color_temp"],
        },
      },
      {
        name: "get_time",
        parameters: {
          type: "object",
          properties: { timezone: { type: ["string", "null"] } },
          additionalProperties: false,
        },
      },
    ]);
    expect(request.toolChoice).toEqual({ type: "tool", name: "set_light_values" });
  });

  it("gives id-less function calls ids and links each function response to the oldest call of its name", () => {
    const request = decodeFixture("request-tool-results.json");
    const calls = request.messages[1]?.parts ?? [];
    const results = request.messages[2]?.parts ?? [];
    expect(calls).toEqual([
      {
        type: "tool_call",
        id: expect.stringMatching(/^call_/),
        name: "get_current_temperature",
        arguments: '{"location":"London"}',
        thoughtSignature: "CiQBVKhc7oDwZ9Q",
      },
      {
        type: "tool_call",
        id: expect.stringMatching(/^call_/),
        name: "get_current_temperature",
        arguments: '{"location":"Paris"}',
      },
    ]);
    const [london = "", paris = ""] = calls.map((part) => (part.type === "tool_call" ? part.id : ""));
    expect(london).not.toBe(paris);
    expect(results).toEqual([
      {
        type: "tool_result",
        toolCallId: london,
        name: "get_current_temperature",
        content: [{ type: "text", text: "12°C" }],
      },
      {
        type: "tool_result",
        toolCallId: paris,
        name: "get_current_temperature",
        content: [{ type: "text", text: '{"temperature":15,"unit":"celsius"}' }],
      },
    ]);
  });

  it("keeps the ids of function calls and responses that have them, and reads an error response as an error", () => {
    const request = codec.decodeRequest(
      {
        contents: [
          {
            role: "model",
            parts: [
              { functionCall: { id: "a", name: "f", args: {} } },
              { functionCall: { id: "b", name: "f" } },
            ],
          },
          {
            role: "user",
            parts: [
              { functionResponse: { id: "b", name: "f", response: { error: "boom" } } },
              { functionResponse: { name: "f", response: { output: "ok" } } },
            ],
          },
        ],
      },
      { model: "m" },
    );
    expect(request.messages[1]?.parts).toEqual([
      {
        type: "tool_result",
        toolCallId: "b",
        name: "f",
        content: [{ type: "text", text: "boom" }],
        isError: true,
      },
      { type: "tool_result", toolCallId: "a", name: "f", content: [{ type: "text", text: "ok" }] },
    ]);
  });

  it("reads images in a function response and keeps a structured error through a round trip", () => {
    const body = {
      contents: [
        { role: "model", parts: [{ functionCall: { id: "a", name: "snap", args: {} } }] },
        {
          role: "user",
          parts: [
            {
              functionResponse: {
                id: "a",
                name: "snap",
                response: { error: { code: 7, reason: "lens cap" } },
                parts: [{ inlineData: { mimeType: "image/png", data: "AAA" } }],
              },
            },
          ],
        },
      ],
    };
    const request = codec.decodeRequest(body, { model: "m" });
    expect(request.messages[1]?.parts).toEqual([
      {
        type: "tool_result",
        toolCallId: "a",
        name: "snap",
        content: [
          { type: "text", text: '{"error":{"code":7,"reason":"lens cap"}}' },
          { type: "image", source: { kind: "base64", mediaType: "image/png", data: "AAA" } },
        ],
        isError: true,
      },
    ]);
    const contents = codec.encodeRequest(request).contents as Array<{ parts: unknown[] }>;
    expect(contents[1]?.parts).toEqual(body.contents[1]?.parts);
  });

  it("reads a thinking budget and includeThoughts (off unless asked), 0 as off, -1 as dynamic and levels as efforts", () => {
    expect(decodeFixture("request-reasoning.json").reasoning).toEqual({
      enabled: true,
      budgetTokens: 1024,
      includeThoughts: true,
    });
    const thinking = (thinkingConfig: unknown) =>
      codec.decodeRequest(
        { contents: [{ parts: [{ text: "x" }] }], generationConfig: { thinkingConfig } },
        { model: "m" },
      ).reasoning;
    expect(thinking({ thinkingBudget: 0 })).toEqual({ enabled: false, includeThoughts: false });
    expect(thinking({ thinkingBudget: -1 })).toEqual({ enabled: true, includeThoughts: false });
    expect(thinking({ thinkingLevel: "LOW" })).toEqual({ effort: "low", includeThoughts: false });
  });

  it("reads a JSON mime type with a schema as structured output", () => {
    expect(decodeFixture("request-structured.json").responseFormat).toEqual({
      type: "json_schema",
      name: "response",
      schema: {
        type: "array",
        items: {
          type: "object",
          properties: {
            recipeName: { type: "string" },
            ingredients: { type: "array", items: { type: "string" } },
          },
        },
      },
    });
    const plain = codec.decodeRequest(
      { contents: [{ parts: [{ text: "x" }] }], generationConfig: { responseMimeType: "application/json" } },
      { model: "m" },
    );
    expect(plain.responseFormat).toEqual({ type: "json_object" });
  });

  it("accepts the snake_case field names the REST API accepts", () => {
    const request = decodeFixture("request-stop.json");
    expect(request.system).toEqual([{ text: "Count slowly." }]);
    expect(request.sampling).toEqual({ stop: ["five", "\n\n"], maxTokens: 64, topP: 0.5 });
    expect(request.toolChoice).toEqual({ type: "none" });
    const inline = codec.decodeRequest(
      { contents: [{ parts: [{ inline_data: { mime_type: "image/png", data: "AAA" } }] }] },
      { model: "m" },
    );
    expect(inline.messages[0]?.parts).toEqual([
      { type: "image", source: { kind: "base64", mediaType: "image/png", data: "AAA" } },
    ]);
  });

  it("refuses built-in tools, cached content and non-text output, naming the field", () => {
    const cases: Array<[unknown, string]> = [
      [{ contents: [{ parts: [{ text: "x" }] }], tools: [{ googleSearch: {} }] }, "tools[0].googleSearch"],
      [{ contents: [{ parts: [{ text: "x" }] }], cachedContent: "cachedContents/1" }, "cachedContent"],
      [
        { contents: [{ parts: [{ text: "x" }] }], generationConfig: { responseModalities: ["IMAGE"] } },
        "generationConfig.responseModalities",
      ],
    ];
    for (const [body, param] of cases) {
      const error = wireError(() => codec.decodeRequest(body, { model: "m" }));
      expect(error.error.status).toBe(400);
      expect(error.error.param).toBe(param);
    }
  });

  it("names the field at fault in malformed requests", () => {
    const cases: Array<[unknown, string]> = [
      [[], "body"],
      [{}, "contents"],
      [{ contents: [] }, "contents"],
      [{ contents: [{ role: "assistant", parts: [{ text: "x" }] }] }, "contents[0].role"],
      [{ contents: [{ parts: [{ executableCode: { code: "1" } }] }] }, "contents[0].parts[0]"],
      [{ contents: [{ parts: [{ functionCall: { args: {} } }] }] }, "contents[0].parts[0].functionCall.name"],
      [{ contents: [{ parts: [{ text: 1 }] }] }, "contents[0].parts[0].text"],
      [
        { contents: [{ parts: [{ text: "x" }] }], generationConfig: { temperature: "warm" } },
        "generationConfig.temperature",
      ],
      [
        {
          contents: [{ parts: [{ text: "x" }] }],
          toolConfig: { functionCallingConfig: { mode: "SOMETIMES" } },
        },
        "toolConfig.functionCallingConfig.mode",
      ],
    ];
    for (const [body, param] of cases)
      expect(wireError(() => codec.decodeRequest(body, { model: "m" })).error.param).toBe(param);
    expect(wireError(() => codec.decodeRequest({ contents: [{ parts: [{ text: "x" }] }] })).error.param).toBe(
      "model",
    );
  });
});

describe("gemini encodeRequest", () => {
  it("writes contents, systemInstruction and generationConfig, with neither model nor stream in the body", () => {
    const body = codec.encodeRequest(
      baseRequest({
        system: [{ text: "Be terse." }],
        messages: [
          { role: "user", parts: [{ type: "text", text: "hi" }] },
          { role: "assistant", parts: [{ type: "text", text: "hello" }] },
          { role: "system", parts: [{ type: "text", text: "now in French" }] },
          { role: "user", parts: [{ type: "text", text: "again" }] },
        ],
        sampling: { temperature: 0.5, topP: 0.9, topK: 4, maxTokens: 99, stop: ["END"], seed: 7, n: 1 },
        stream: true,
      }),
    );
    expect(body).toEqual({
      contents: [
        { role: "user", parts: [{ text: "hi" }] },
        { role: "model", parts: [{ text: "hello" }] },
        { role: "user", parts: [{ text: "now in French" }, { text: "again" }] },
      ],
      systemInstruction: { parts: [{ text: "Be terse." }] },
      generationConfig: {
        temperature: 0.5,
        topP: 0.9,
        topK: 4,
        maxOutputTokens: 99,
        stopSequences: ["END"],
        seed: 7,
        candidateCount: 1,
      },
    });
  });

  it("writes tool calls with object args, and tool results with the called function's name", () => {
    const body = codec.encodeRequest(
      baseRequest({
        messages: [
          { role: "user", parts: [{ type: "text", text: "weather?" }] },
          {
            role: "assistant",
            parts: [
              {
                type: "tool_call",
                id: "call_1",
                name: "get_weather",
                arguments: '{"city":"Paris"}',
                thoughtSignature: "sig",
              },
              { type: "tool_call", id: "call_2", name: "get_time", arguments: "" },
            ],
          },
          {
            role: "user",
            parts: [
              { type: "tool_result", toolCallId: "call_1", content: [{ type: "text", text: '{"temp":14}' }] },
              { type: "tool_result", toolCallId: "call_2", content: [{ type: "text", text: "noon" }] },
              {
                type: "tool_result",
                toolCallId: "call_3",
                name: "x",
                content: [{ type: "text", text: "bad" }],
                isError: true,
              },
            ],
          },
        ],
      }),
    );
    expect(body.contents).toEqual([
      { role: "user", parts: [{ text: "weather?" }] },
      {
        role: "model",
        parts: [
          {
            functionCall: { id: "call_1", name: "get_weather", args: { city: "Paris" } },
            thoughtSignature: "sig",
          },
          { functionCall: { id: "call_2", name: "get_time", args: {} } },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { id: "call_1", name: "get_weather", response: { temp: 14 } } },
          { functionResponse: { id: "call_2", name: "get_time", response: { output: "noon" } } },
          { functionResponse: { id: "call_3", name: "x", response: { error: "bad" } } },
        ],
      },
    ]);
  });

  it("signs unsigned function calls of the current turn with Gemini's placeholder, and only those", () => {
    const call = (id: string) => ({ type: "tool_call" as const, id, name: "f", arguments: "{}" });
    const result = (id: string) => ({
      type: "tool_result" as const,
      toolCallId: id,
      content: [{ type: "text" as const, text: "ok" }],
    });
    const body = codec.encodeRequest(
      baseRequest({
        messages: [
          { role: "user", parts: [{ type: "text", text: "old question" }] },
          { role: "assistant", parts: [call("old")] },
          { role: "user", parts: [result("old")] },
          { role: "assistant", parts: [{ type: "text", text: "done" }] },
          { role: "user", parts: [{ type: "text", text: "new question" }] },
          { role: "assistant", parts: [call("a"), call("b")] },
          { role: "user", parts: [result("a"), result("b")] },
        ],
      }),
    );
    const contents = body.contents as Array<{ parts: Array<Record<string, unknown>> }>;
    expect(contents[1]?.parts[0]?.thoughtSignature).toBeUndefined();
    expect(contents[5]?.parts.map((part) => part.thoughtSignature)).toEqual([
      SKIP_THOUGHT_SIGNATURE,
      undefined,
    ]);
  });

  it("writes media inline when it is data and as file URIs when it is a URL", () => {
    const body = codec.encodeRequest(
      baseRequest({
        messages: [
          {
            role: "user",
            parts: [
              { type: "image", source: { kind: "base64", mediaType: "image/png", data: "AAA" } },
              { type: "image", source: { kind: "url", url: "data:image/gif;base64,R0l" } },
              { type: "image", source: { kind: "url", url: "https://x.test/cat.webp?size=2" } },
              { type: "file", source: { kind: "url", url: "https://x.test/report" } },
            ],
          },
        ],
      }),
    );
    expect(body.contents).toEqual([
      {
        role: "user",
        parts: [
          { inlineData: { mimeType: "image/png", data: "AAA" } },
          { inlineData: { mimeType: "image/gif", data: "R0l" } },
          { fileData: { mimeType: "image/webp", fileUri: "https://x.test/cat.webp?size=2" } },
          { fileData: { mimeType: "application/pdf", fileUri: "https://x.test/report" } },
        ],
      },
    ]);
  });

  it("sends signed Gemini thoughts back and drops other providers' reasoning", () => {
    const body = codec.encodeRequest(
      baseRequest({
        messages: [
          {
            role: "assistant",
            parts: [
              { type: "reasoning", text: "claude thinking", signature: "anthropic" },
              { type: "reasoning", text: "gemini thought", thoughtSignature: "g" },
              { type: "text", text: "answer", thoughtSignature: "t" },
            ],
          },
        ],
      }),
    );
    expect(body.contents).toEqual([
      {
        role: "model",
        parts: [
          { text: "gemini thought", thought: true, thoughtSignature: "g" },
          { text: "answer", thoughtSignature: "t" },
        ],
      },
    ]);
  });

  it("cleans tool schemas for Gemini and leaves out the parameters of a function without arguments", () => {
    const body = codec.encodeRequest(
      baseRequest({
        tools: [
          {
            name: "lookup",
            description: "Look up",
            parameters: {
              $schema: "http://json-schema.org/draft-07/schema#",
              type: "object",
              properties: { id: { type: ["string", "null"], format: "uuid" } },
              required: ["id"],
              additionalProperties: false,
            },
          },
          { name: "now", parameters: { type: "object", properties: {} } },
        ],
        toolChoice: { type: "required" },
      }),
    );
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: "lookup",
            description: "Look up",
            parameters: {
              type: "OBJECT",
              properties: { id: { type: "STRING", nullable: true } },
              required: ["id"],
            },
          },
          { name: "now" },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(
      codec.encodeRequest(baseRequest({ toolChoice: { type: "tool", name: "lookup" } })).toolConfig,
    ).toEqual({
      functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["lookup"] },
    });
  });

  it("writes structured output as a JSON mime type with a cleaned schema", () => {
    const body = codec.encodeRequest(
      baseRequest({
        responseFormat: {
          type: "json_schema",
          name: "x",
          schema: { type: "object", properties: { n: { const: "a" } }, additionalProperties: false },
        },
      }),
    );
    expect(body.generationConfig).toEqual({
      responseMimeType: "application/json",
      responseSchema: { type: "OBJECT", properties: { n: { enum: ["a"] } } },
    });
  });

  it("maps reasoning to thinking budgets: off, explicit, from effort, dynamic", () => {
    const thinking = (reasoning: IRRequest["reasoning"]) =>
      (
        codec.encodeRequest(baseRequest({ reasoning })).generationConfig as
          | Record<string, unknown>
          | undefined
      )?.thinkingConfig;
    expect(thinking({ enabled: false, includeThoughts: true })).toEqual({ thinkingBudget: 0 });
    expect(thinking({ budgetTokens: 2000, includeThoughts: true })).toEqual({
      thinkingBudget: 2000,
      includeThoughts: true,
    });
    expect(thinking({ effort: "high", includeThoughts: false })).toEqual({
      thinkingBudget: 16384,
      includeThoughts: false,
    });
    // Unless the client said no, thoughts come back for its encoder to show or drop.
    expect(thinking({ enabled: true })).toEqual({ thinkingBudget: -1, includeThoughts: true });
  });

  it("round-trips every request fixture to an equivalent IR", () => {
    for (const file of fixtureFiles("gemini", "request")) {
      const request = decodeFixture(file);
      const again = codec.decodeRequest(codec.encodeRequest(request), { model: request.model });
      expect(again.messages).toEqual(request.messages);
      expect(again.system).toEqual(request.system);
      expect(again.sampling).toEqual(request.sampling);
      expect(again.tools?.map((tool) => tool.name)).toEqual(request.tools?.map((tool) => tool.name));
      expect(again.responseFormat?.type).toEqual(request.responseFormat?.type);
    }
  });

  it("sends a Files API file back as the fileData it came as, and a file without a media type by its kind", () => {
    const fileId = "https://generativelanguage.googleapis.com/v1beta/files/abc123";
    const body = codec.encodeRequest(
      baseRequest({
        messages: [
          {
            role: "user",
            parts: [
              { type: "file", source: { kind: "file_id", fileId, store: "gemini", mediaType: "text/plain" } },
              { type: "image", source: { kind: "file_id", fileId, store: "gemini" } },
            ],
          },
        ],
      }),
    );
    expect(body.contents).toEqual([
      {
        role: "user",
        parts: [
          { fileData: { mimeType: "text/plain", fileUri: fileId } },
          { fileData: { mimeType: "image/jpeg", fileUri: fileId } },
        ],
      },
    ]);
  });

  it("refuses what Gemini cannot carry, naming the part", () => {
    const foreignFile = baseRequest({
      messages: [
        {
          role: "user",
          parts: [{ type: "file", source: { kind: "file_id", fileId: "file-1", store: "openai" } }],
        },
      ],
    });
    expect(wireError(() => codec.encodeRequest(foreignFile)).error.param).toBe("messages[0].parts[0]");
    const unnamed = baseRequest({
      messages: [{ role: "user", parts: [{ type: "tool_result", toolCallId: "nowhere", content: [] }] }],
    });
    expect(wireError(() => codec.encodeRequest(unnamed)).error.param).toBe("messages[0].parts[0].name");
    const badArgs = baseRequest({
      messages: [{ role: "assistant", parts: [{ type: "tool_call", id: "c", name: "f", arguments: "[1]" }] }],
    });
    expect(wireError(() => codec.encodeRequest(badArgs)).error.param).toBe("messages[0].parts[0].arguments");
  });
});

describe("gemini decodeResponse", () => {
  it("reads text, ids, and usage with cached prompt tokens", () => {
    const response = codec.decodeResponse(jsonFixture("gemini", "response-text.json"));
    expect(response).toMatchObject({
      id: "wbNTaOTzB5GRqtsP4qzRsAw",
      model: "gemini-2.5-flash",
      parts: [{ type: "text", text: "AI learns patterns from data to make predictions." }],
      stopReason: "end_turn",
      usage: { inputTokens: 8, outputTokens: 10, cachedInputTokens: 4 },
    });
  });

  it("reads parallel function calls, keeping ids that exist and signatures, and counts thoughts as output", () => {
    const response = codec.decodeResponse(jsonFixture("gemini", "response-parallel-tools.json"));
    expect(response.parts).toEqual([
      {
        type: "tool_call",
        id: "fc_1",
        name: "get_current_temperature",
        arguments: '{"location":"London"}',
        thoughtSignature: "CiQBVKhc7oDwZ9Q",
      },
      {
        type: "tool_call",
        id: expect.stringMatching(/^call_/),
        name: "get_current_temperature",
        arguments: '{"location":"Paris"}',
      },
    ]);
    expect(response.stopReason).toBe("tool_use");
    expect(response.usage).toEqual({ inputTokens: 70, outputTokens: 75, reasoningTokens: 45 });
  });

  it("reads thought parts as reasoning and keeps the signature on its part", () => {
    const response = codec.decodeResponse(jsonFixture("gemini", "response-reasoning.json"));
    expect(response.parts).toEqual([
      { type: "reasoning", text: "**Listing primes**\n\nI list the first 50 primes, then add them up." },
      { type: "text", text: "The sum of the first 50 primes is 5117.", thoughtSignature: "EpMGCpAGAdHtim9" },
    ]);
    expect(response.usage).toEqual({ inputTokens: 20, outputTokens: 492, reasoningTokens: 480 });
  });

  it("reads MAX_TOKENS as max_tokens and a blocked prompt as a content filter", () => {
    expect(codec.decodeResponse(jsonFixture("gemini", "response-length.json")).stopReason).toBe("max_tokens");
    const blocked = codec.decodeResponse(jsonFixture("gemini", "response-safety.json"));
    expect(blocked.stopReason).toBe("content_filter");
    expect(blocked.parts).toEqual([]);
  });

  it("answers a body that is no GenerateContentResponse with a 502", () => {
    expect(wireError(() => codec.decodeResponse({ choices: [] })).error.status).toBe(502);
  });
});

describe("gemini encodeResponse", () => {
  it("writes one candidate with finishReason, usage without thoughts in candidatesTokenCount, model and id", () => {
    expect(codec.encodeResponse(baseResponse(), { model: "gemini-2.5-flash" })).toEqual({
      candidates: [
        { content: { parts: [{ text: "Hello!" }], role: "model" }, finishReason: "STOP", index: 0 },
      ],
      usageMetadata: {
        promptTokenCount: 10,
        candidatesTokenCount: 5,
        totalTokenCount: 35,
        cachedContentTokenCount: 4,
        thoughtsTokenCount: 20,
      },
      modelVersion: "gemini-2.5-flash",
      responseId: "resp_1",
    });
  });

  it("writes reasoning as thought parts and tool calls as function calls with their ids", () => {
    const body = codec.encodeResponse(
      baseResponse({
        parts: [
          { type: "reasoning", text: "hmm" },
          { type: "tool_call", id: "call_1", name: "f", arguments: '{"a":1}', thoughtSignature: "s" },
        ],
        stopReason: "tool_use",
      }),
      { model: "m" },
    ) as { candidates: Array<{ content: unknown; finishReason: string }> };
    expect(body.candidates[0]?.content).toEqual({
      parts: [
        { text: "hmm", thought: true },
        { functionCall: { id: "call_1", name: "f", args: { a: 1 } }, thoughtSignature: "s" },
      ],
      role: "model",
    });
    expect(body.candidates[0]?.finishReason).toBe("STOP");
  });

  it("maps stop reasons to finish reasons", () => {
    const finish = (stopReason: IRResponse["stopReason"]) =>
      (
        codec.encodeResponse(baseResponse({ stopReason }), { model: "m" }) as {
          candidates: Array<{ finishReason: string }>;
        }
      ).candidates[0]?.finishReason;
    expect(finish("max_tokens")).toBe("MAX_TOKENS");
    expect(finish("content_filter")).toBe("SAFETY");
    expect(finish("stop_sequence")).toBe("STOP");
  });

  it("answers upstream tool arguments that are no JSON object with a 502", () => {
    const bad = baseResponse({ parts: [{ type: "tool_call", id: "c", name: "f", arguments: "not json" }] });
    expect(wireError(() => codec.encodeResponse(bad, { model: "m" })).error).toMatchObject({
      status: 502,
      code: "invalid_tool_arguments",
    });
  });

  it("keeps the parts and counts of every response fixture through encode and decode", () => {
    for (const file of fixtureFiles("gemini", "response")) {
      const response = codec.decodeResponse(jsonFixture("gemini", file));
      const again = codec.decodeResponse(codec.encodeResponse(response, { model: response.model }));
      expect(again.parts).toEqual(response.parts);
      expect(again.usage).toEqual(response.usage);
      expect(again.stopReason).toBe(response.stopReason);
    }
  });
});

describe("gemini errors", () => {
  it("uses Gemini's envelope with the google.rpc status name", () => {
    expect(codec.encodeError({ type: "rate_limit", message: "quota", status: 429 })).toEqual({
      status: 429,
      body: { error: { code: 429, message: "quota", status: "RESOURCE_EXHAUSTED" } },
    });
    expect(codec.encodeError({ type: "invalid_request", message: "bad", status: 400 }).body).toEqual({
      error: { code: 400, message: "bad", status: "INVALID_ARGUMENT" },
    });
  });

  it("reads Gemini error bodies, also wrapped in an array, and falls back on the HTTP status", () => {
    const body = { error: { code: 403, message: "API key not valid", status: "PERMISSION_DENIED" } };
    expect(codec.decodeError(403, body)).toEqual({
      type: "permission",
      message: "API key not valid",
      status: 403,
    });
    expect(codec.decodeError(403, [body]).type).toBe("permission");
    expect(codec.decodeError(503, "Service Unavailable")).toEqual({
      type: "overloaded",
      message: "Service Unavailable",
      status: 503,
    });
  });
});
