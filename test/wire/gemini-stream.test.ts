import { describe, expect, it } from "bun:test";
import { geminiCodec as codec } from "../../src/wire/gemini/index.ts";
import { JsonArraySplitter } from "../../src/wire/gemini/json-array.ts";
import type { IRStreamEvent } from "../../src/wire/ir.ts";
import { decodeChunks, encodeEvents, fixtureFiles, readFixture } from "./fixture-files.ts";

const decodeText = (text: string) => decodeChunks(codec.decodeStream(), [text]);

/** Gemini has no creation time and older models no call ids: those are made up, so tests compare without them. */
function normalize(events: IRStreamEvent[]): IRStreamEvent[] {
  return events.map((event) => {
    if (event.type === "start") return { ...event, created: 0 };
    if (event.type === "tool_call_start" && /^call_[0-9A-Za-z]{24}$/.test(event.id))
      return { ...event, id: "call_*" };
    return event;
  });
}

const decodeFixture = (file: string) => normalize(decodeText(readFixture("gemini", file)));

const EVENTS: IRStreamEvent[] = [
  { type: "start", id: "msg_01", model: "claude", created: 1 },
  { type: "reasoning_delta", index: 0, text: "Thinking" },
  { type: "part_end", index: 0 },
  { type: "text_delta", index: 1, text: "Hel" },
  { type: "text_delta", index: 1, text: "lo" },
  { type: "thought_signature", index: 1, signature: "sig-text" },
  { type: "part_end", index: 1 },
  { type: "tool_call_start", index: 2, id: "call_1", name: "f" },
  { type: "tool_call_delta", index: 2, argumentsDelta: '{"a":' },
  { type: "tool_call_delta", index: 2, argumentsDelta: "1}" },
  { type: "thought_signature", index: 2, signature: "sig-call" },
  { type: "part_end", index: 2 },
  { type: "usage", usage: { inputTokens: 5, outputTokens: 9, reasoningTokens: 4 } },
  { type: "finish", stopReason: "tool_use" },
];

function sseChunks(text: string): unknown[] {
  return text
    .split("\r\n\r\n")
    .filter((frame) => frame !== "")
    .map((frame) => {
      expect(frame.startsWith("data: ")).toBe(true);
      return JSON.parse(frame.slice(6));
    });
}

describe("gemini decodeStream", () => {
  it("joins text chunks into one part and finishes with the last chunk's usage", () => {
    expect(decodeFixture("stream-text.txt")).toEqual([
      { type: "start", id: "wbNTaOTzB5GRqtsP4qzRsAw", model: "gemini-2.5-flash", created: 0 },
      { type: "text_delta", index: 0, text: "AI learns" },
      { type: "text_delta", index: 0, text: " patterns from data" },
      { type: "text_delta", index: 0, text: " to make predictions. 🤖" },
      { type: "part_end", index: 0 },
      {
        type: "finish",
        stopReason: "end_turn",
        usage: { inputTokens: 8, outputTokens: 12, cachedInputTokens: 4 },
      },
    ]);
  });

  it("reads a JSON-array stream exactly like the same answer over SSE", () => {
    expect(decodeFixture("stream-json-array.txt")).toEqual(decodeFixture("stream-text.txt"));
  });

  it("emits each function call whole, with its signature, and finishes STOP after calls as a tool use", () => {
    expect(decodeFixture("stream-tools.txt")).toEqual([
      { type: "start", id: "xbNTaOTzB5GRqtsP4qzRsAw", model: "gemini-2.5-flash", created: 0 },
      { type: "text_delta", index: 0, text: "I'll check both cities." },
      { type: "part_end", index: 0 },
      { type: "tool_call_start", index: 1, id: "call_*", name: "get_current_temperature" },
      { type: "tool_call_delta", index: 1, argumentsDelta: '{"location":"London"}' },
      { type: "thought_signature", index: 1, signature: "CiQBVKhc7oDwZ9Q" },
      { type: "part_end", index: 1 },
      { type: "tool_call_start", index: 2, id: "call_*", name: "get_current_temperature" },
      { type: "tool_call_delta", index: 2, argumentsDelta: '{"location":"Paris"}' },
      { type: "part_end", index: 2 },
      {
        type: "finish",
        stopReason: "tool_use",
        usage: { inputTokens: 70, outputTokens: 75, reasoningTokens: 45 },
      },
    ]);
  });

  it("gives thoughts their own part and puts a trailing signature on the text before it", () => {
    expect(decodeFixture("stream-reasoning.txt")).toEqual([
      { type: "start", id: "ybNTaOTzB5GRqtsP4qzRsAw", model: "gemini-2.5-flash", created: 0 },
      { type: "reasoning_delta", index: 0, text: "**Listing primes**\n\nI list the first 50 primes." },
      { type: "reasoning_delta", index: 0, text: " Then I add them up." },
      { type: "part_end", index: 0 },
      { type: "text_delta", index: 1, text: "The sum of the first 50 primes is " },
      { type: "text_delta", index: 1, text: "5117." },
      { type: "thought_signature", index: 1, signature: "EpMGCpAGAdHtim9" },
      { type: "part_end", index: 1 },
      {
        type: "finish",
        stopReason: "end_turn",
        usage: { inputTokens: 20, outputTokens: 492, reasoningTokens: 480 },
      },
    ]);
  });

  it("finishes MAX_TOKENS with max_tokens", () => {
    expect(decodeFixture("stream-length.txt").at(-1)).toMatchObject({
      type: "finish",
      stopReason: "max_tokens",
    });
  });

  it("turns an error chunk into an error event and nothing after it", () => {
    const events = decodeFixture("stream-error.txt");
    expect(events.at(-1)).toEqual({
      type: "error",
      error: { type: "overloaded", message: "The model is overloaded. Please try again later.", status: 503 },
    });
    expect(events.some((event) => event.type === "finish")).toBe(false);
  });

  it("reports a stream that ends before a finishReason as truncated, in both framings", () => {
    const sse = readFixture("gemini", "stream-text.txt");
    const cutSse = sse.slice(0, sse.lastIndexOf("data: "));
    const array = readFixture("gemini", "stream-json-array.txt");
    const cutArray = array.slice(0, array.lastIndexOf(",\r\n"));
    for (const cut of [cutSse, cutArray, ""]) {
      const events = decodeText(cut);
      expect(events.at(-1)).toMatchObject({ type: "error", error: { code: "stream_truncated" } });
      expect(events.some((event) => event.type === "finish")).toBe(false);
    }
  });

  it("reports a body that is neither SSE of JSON nor a JSON array as malformed", () => {
    expect(decodeText("data: {oops\r\n\r\n")[0]).toMatchObject({
      type: "error",
      error: { code: "stream_malformed" },
    });
    expect(decodeText('[{"candidates":[]} x').at(-1)).toMatchObject({
      type: "error",
      error: { code: "stream_malformed" },
    });
  });

  it("finishes a prompt blocked before any candidate as a content filter", () => {
    const events = decodeText(
      'data: {"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":3}}\r\n\r\n',
    );
    expect(events.at(-1)).toEqual({
      type: "finish",
      stopReason: "content_filter",
      usage: { inputTokens: 3, outputTokens: 0 },
    });
  });
});

describe("gemini JSON array splitting", () => {
  it("yields each element once its closing brace arrives, whatever the strings contain", () => {
    const splitter = new JsonArraySplitter();
    expect(splitter.push('[{"a":"}{\\"],')).toEqual([]);
    expect(splitter.push('x","b":[1,{}]}\n,\r\n{"c"')).toEqual(['{"a":"}{\\"],x","b":[1,{}]}']);
    expect(splitter.push(":2}\n]")).toEqual(['{"c":2}']);
    expect(splitter.closed).toBe(true);
    expect(splitter.malformed).toBeUndefined();
  });
});

describe("gemini encodeStream", () => {
  it("writes alt=sse chunks as data lines ending in CRLF CRLF, the last with finishReason and usage", () => {
    const text = encodeEvents(codec.encodeStream({ model: "gemini-2.5-flash" }), EVENTS);
    expect(text.endsWith("}\r\n\r\n")).toBe(true);
    expect(sseChunks(text)).toEqual([
      {
        candidates: [{ content: { parts: [{ text: "Thinking", thought: true }], role: "model" }, index: 0 }],
        modelVersion: "gemini-2.5-flash",
        responseId: "msg_01",
      },
      {
        candidates: [{ content: { parts: [{ text: "Hel" }], role: "model" }, index: 0 }],
        modelVersion: "gemini-2.5-flash",
        responseId: "msg_01",
      },
      {
        candidates: [{ content: { parts: [{ text: "lo" }], role: "model" }, index: 0 }],
        modelVersion: "gemini-2.5-flash",
        responseId: "msg_01",
      },
      {
        candidates: [
          { content: { parts: [{ text: "", thoughtSignature: "sig-text" }], role: "model" }, index: 0 },
        ],
        modelVersion: "gemini-2.5-flash",
        responseId: "msg_01",
      },
      {
        candidates: [
          {
            content: {
              parts: [
                { functionCall: { id: "call_1", name: "f", args: { a: 1 } }, thoughtSignature: "sig-call" },
              ],
              role: "model",
            },
            index: 0,
          },
        ],
        modelVersion: "gemini-2.5-flash",
        responseId: "msg_01",
      },
      {
        candidates: [{ content: { parts: [{ text: "" }], role: "model" }, finishReason: "STOP", index: 0 }],
        usageMetadata: {
          promptTokenCount: 5,
          candidatesTokenCount: 5,
          totalTokenCount: 14,
          thoughtsTokenCount: 4,
        },
        modelVersion: "gemini-2.5-flash",
        responseId: "msg_01",
      },
    ]);
  });

  it("writes one JSON array when asked for json-array framing", () => {
    const text = encodeEvents(codec.encodeStream({ model: "m", framing: "json-array" }), EVENTS);
    const chunks = JSON.parse(text) as unknown[];
    expect(chunks).toEqual(sseChunks(encodeEvents(codec.encodeStream({ model: "m" }), EVENTS)));
    expect(encodeEvents(codec.encodeStream({ model: "m", framing: "json-array" }), [])).toBe("[]");
  });

  it("writes an error as Gemini's error chunk and stops", () => {
    const text = encodeEvents(codec.encodeStream({ model: "m" }), [
      { type: "start", id: "x", model: "m", created: 1 },
      { type: "error", error: { type: "rate_limit", message: "quota", status: 429 } },
      { type: "text_delta", index: 0, text: "ignored" },
    ]);
    expect(sseChunks(text)).toEqual([
      { error: { code: 429, message: "quota", status: "RESOURCE_EXHAUSTED" } },
    ]);
  });

  it("sends tool arguments that are no JSON object as an error rather than a broken call", () => {
    const text = encodeEvents(codec.encodeStream({ model: "m" }), [
      { type: "tool_call_start", index: 0, id: "c", name: "f" },
      { type: "tool_call_delta", index: 0, argumentsDelta: "[1" },
      { type: "finish", stopReason: "tool_use" },
    ]);
    expect(sseChunks(text)).toEqual([
      { error: { code: 502, message: "tool call f: arguments are not a JSON object", status: "INTERNAL" } },
    ]);
  });

  it("survives decode → encode → decode for every stream fixture in both framings", () => {
    for (const file of fixtureFiles("gemini", "stream")) {
      const events = decodeFixture(file);
      const model = events[0]?.type === "start" ? events[0].model : "";
      for (const framing of ["sse", "json-array"] as const) {
        const again = normalize(decodeText(encodeEvents(codec.encodeStream({ model, framing }), events)));
        expect(again).toEqual(events);
      }
    }
  });
});
