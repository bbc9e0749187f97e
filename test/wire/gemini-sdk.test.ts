import { describe, expect, it } from "bun:test";
import { ApiError, FinishReason, GoogleGenAI } from "@google/genai";
import { geminiCodec as codec } from "../../src/wire/gemini/index.ts";
import type { IRResponse, IRStreamEvent } from "../../src/wire/ir.ts";
import { encodeEvents } from "./fixture-files.ts";
import { JSON_TYPE, SSE, serveCanned } from "./sdk-server.ts";

const genai = (url: string) => new GoogleGenAI({ apiKey: "test-key", httpOptions: { baseUrl: url } });

const EVENTS: IRStreamEvent[] = [
  { type: "start", id: "chatcmpl-1", model: "gpt-4.1", created: 1 },
  { type: "reasoning_delta", index: 0, text: "Thinking about lights." },
  { type: "part_end", index: 0 },
  { type: "text_delta", index: 1, text: "Setting " },
  { type: "text_delta", index: 1, text: "the lights." },
  { type: "part_end", index: 1 },
  { type: "tool_call_start", index: 2, id: "call_1", name: "set_light_values" },
  { type: "tool_call_delta", index: 2, argumentsDelta: '{"brightness":' },
  { type: "tool_call_delta", index: 2, argumentsDelta: "25}" },
  { type: "part_end", index: 2 },
  {
    type: "finish",
    stopReason: "tool_use",
    usage: { inputTokens: 30, outputTokens: 18, cachedInputTokens: 6, reasoningTokens: 8 },
  },
];

describe("@google/genai against our Gemini encoding", () => {
  it("reads a generateContent answer: text, function calls and usage", async () => {
    const response: IRResponse = {
      id: "resp_1",
      model: "upstream",
      created: 1,
      parts: [
        { type: "text", text: "Dimming now." },
        {
          type: "tool_call",
          id: "call_9",
          name: "set_light_values",
          arguments: '{"brightness":20}',
          thoughtSignature: "sig",
        },
      ],
      stopReason: "tool_use",
      usage: { inputTokens: 12, outputTokens: 9, reasoningTokens: 3 },
    };
    const body = JSON.stringify(codec.encodeResponse(response, { model: "gemini-2.5-flash" }));
    await using server = serveCanned({ body, contentType: JSON_TYPE });
    const result = await genai(server.url).models.generateContent({
      model: "gemini-2.5-flash",
      contents: "Dim the lights",
    });
    expect(result.text).toBe("Dimming now.");
    expect(result.functionCalls).toEqual([
      { id: "call_9", name: "set_light_values", args: { brightness: 20 } },
    ]);
    expect(result.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
    expect(result.usageMetadata).toMatchObject({
      promptTokenCount: 12,
      candidatesTokenCount: 6,
      thoughtsTokenCount: 3,
      totalTokenCount: 21,
    });
    expect(result.responseId).toBe("resp_1");
    expect(result.modelVersion).toBe("gemini-2.5-flash");
    // What the SDK sent is a request we can read, with the model from its URL.
    const sent = server.requests[0];
    expect(sent?.path).toContain("models/gemini-2.5-flash:generateContent");
    const request = codec.decodeRequest(JSON.parse(sent?.body ?? "{}"), { model: "gemini-2.5-flash" });
    expect(request.messages).toEqual([{ role: "user", parts: [{ type: "text", text: "Dim the lights" }] }]);
  });

  it("iterates generateContentStream over our alt=sse stream: text, thoughts, function calls, usage", async () => {
    const body = encodeEvents(codec.encodeStream({ model: "gemini-2.5-flash" }), EVENTS);
    await using server = serveCanned({ body, contentType: SSE });
    const stream = await genai(server.url).models.generateContentStream({
      model: "gemini-2.5-flash",
      contents: "Dim the lights",
      config: { thinkingConfig: { includeThoughts: true } },
    });
    let text = "";
    let thoughts = "";
    const calls: unknown[] = [];
    let last: Awaited<ReturnType<typeof stream.next>>["value"];
    for await (const chunk of stream) {
      last = chunk;
      // `text` warns about function-call chunks; those carry no text anyway.
      if (!chunk.functionCalls) text += chunk.text ?? "";
      for (const part of chunk.candidates?.[0]?.content?.parts ?? [])
        if (part.thought) thoughts += part.text ?? "";
      calls.push(...(chunk.functionCalls ?? []));
    }
    expect(server.requests[0]?.path).toContain(":streamGenerateContent?alt=sse");
    expect(text).toBe("Setting the lights.");
    expect(thoughts).toBe("Thinking about lights.");
    expect(calls).toEqual([{ id: "call_1", name: "set_light_values", args: { brightness: 25 } }]);
    expect(last?.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
    expect(last?.usageMetadata).toMatchObject({
      promptTokenCount: 30,
      candidatesTokenCount: 10,
      thoughtsTokenCount: 8,
      cachedContentTokenCount: 6,
      totalTokenCount: 48,
    });
  });

  it("stops a stream with the SDK's ApiError on our in-stream error chunk", async () => {
    const body = encodeEvents(codec.encodeStream({ model: "gemini-2.5-flash" }), [
      { type: "start", id: "x", model: "m", created: 1 },
      { type: "text_delta", index: 0, text: "Partial" },
      { type: "error", error: { type: "overloaded", message: "try later", status: 503 } },
    ]);
    await using server = serveCanned({ body, contentType: SSE });
    const stream = await genai(server.url).models.generateContentStream({
      model: "gemini-2.5-flash",
      contents: "x",
    });
    let caught: unknown;
    try {
      for await (const _chunk of stream) {
        // drain
      }
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).status).toBe(503);
    expect((caught as Error).message).toContain("try later");
  });

  it("throws the SDK's ApiError with our status for our error envelope", async () => {
    const { status, body } = codec.encodeError({
      type: "invalid_request",
      message: "contents: must not be empty",
      status: 400,
    });
    await using server = serveCanned({ body: JSON.stringify(body), contentType: JSON_TYPE, status });
    let caught: unknown;
    try {
      await genai(server.url).models.generateContent({ model: "gemini-2.5-flash", contents: "x" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).status).toBe(400);
    expect((caught as Error).message).toContain("contents: must not be empty");
  });

  it("sends requests, tools included, that our decoder reads back", async () => {
    const body = JSON.stringify(
      codec.encodeResponse(
        { id: "r", model: "m", created: 1, parts: [{ type: "text", text: "ok" }], stopReason: "end_turn" },
        { model: "m" },
      ),
    );
    await using server = serveCanned({ body, contentType: JSON_TYPE });
    await genai(server.url).models.generateContent({
      model: "gemini-2.5-flash",
      contents: [{ role: "user", parts: [{ text: "Dim the lights" }] }],
      config: {
        systemInstruction: "You control a smart home.",
        temperature: 0.3,
        maxOutputTokens: 200,
        tools: [
          {
            functionDeclarations: [
              {
                name: "set_light_values",
                description: "Set the lights",
                parametersJsonSchema: {
                  type: "object",
                  properties: { brightness: { type: "integer" } },
                  required: ["brightness"],
                },
              },
            ],
          },
        ],
      },
    });
    const request = codec.decodeRequest(JSON.parse(server.requests[0]?.body ?? "{}"), {
      model: "gemini-2.5-flash",
    });
    expect(request.system).toEqual([{ text: "You control a smart home." }]);
    expect(request.sampling).toEqual({ temperature: 0.3, maxTokens: 200 });
    expect(request.tools).toEqual([
      {
        name: "set_light_values",
        description: "Set the lights",
        parameters: {
          type: "object",
          properties: { brightness: { type: "integer" } },
          required: ["brightness"],
        },
      },
    ]);
  });
});
