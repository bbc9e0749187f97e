import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import type { StreamDecoder } from "../../src/wire/codec.ts";
import type { IRStreamEvent } from "../../src/wire/ir.ts";
import { openaiChatCodec } from "../../src/wire/openai-chat/index.ts";

const stream = (name: string): string =>
  readFileSync(new URL(`fixtures/openai-chat/${name}`, import.meta.url), "utf8");

/** Decodes the body cut into the given byte pieces. */
function decodePieces(decoder: StreamDecoder, pieces: Uint8Array[]): IRStreamEvent[] {
  const events: IRStreamEvent[] = [];
  for (const piece of pieces) events.push(...decoder.push(piece));
  events.push(...decoder.end());
  return events;
}

function decodeWhole(text: string): IRStreamEvent[] {
  return decodePieces(openaiChatCodec.decodeStream(), [new TextEncoder().encode(text)]);
}

function expectSameEventsAtEverySplit(text: string): void {
  const bytes = new TextEncoder().encode(text);
  const whole = decodeWhole(text);
  for (let at = 1; at < bytes.length; at++) {
    const split = decodePieces(openaiChatCodec.decodeStream(), [bytes.subarray(0, at), bytes.subarray(at)]);
    if (!Bun.deepEquals(split, whole)) expect({ at, split }).toEqual({ at, split: whole });
  }
}

/** Parses our encoded SSE text back into the JSON payloads (and the [DONE] marker). */
function payloads(text: string): unknown[] {
  return text
    .split("\n\n")
    .filter((frame) => frame !== "")
    .map((frame) => {
      expect(frame.startsWith("data: ")).toBe(true);
      const data = frame.slice(6);
      return data === "[DONE]" ? data : JSON.parse(data);
    });
}

function encodeAll(events: IRStreamEvent[], includeUsage: boolean): string {
  const encoder = openaiChatCodec.encodeStream({ model: "alias", includeUsage });
  let text = "";
  for (const event of events) text += encoder.push(event);
  return text + encoder.end();
}

describe("openai-chat stream decoding", () => {
  it("decodes text deltas and the usage chunk into one text part and a finish with usage", () => {
    expect(decodeWhole(stream("stream-text.txt"))).toEqual([
      {
        type: "start",
        id: "chatcmpl-BPpQZ2Ms8mWyWb1T3Xr0lT2aqM9Gk",
        model: "gpt-4.1-mini-2025-04-14",
        created: 1745500000,
      },
      { type: "text_delta", index: 0, text: "Bon" },
      { type: "text_delta", index: 0, text: "jour" },
      { type: "text_delta", index: 0, text: " ! Ça" },
      { type: "text_delta", index: 0, text: " va ? 👋" },
      { type: "part_end", index: 0 },
      {
        type: "finish",
        stopReason: "end_turn",
        usage: { inputTokens: 1117, outputTokens: 9, cachedInputTokens: 1024 },
      },
    ]);
  });

  it("decodes parallel tool-call deltas into one part per call", () => {
    const events = decodeWhole(stream("stream-parallel-tools.txt"));
    expect(events.slice(1)).toEqual([
      { type: "tool_call_start", index: 0, id: "call_DdmO9pD3xa9XTPNJ32zg2hcA", name: "get_current_weather" },
      { type: "tool_call_delta", index: 0, argumentsDelta: '{"lo' },
      { type: "tool_call_delta", index: 0, argumentsDelta: 'cation": "Bos' },
      { type: "tool_call_delta", index: 0, argumentsDelta: 'ton, MA"}' },
      { type: "part_end", index: 0 },
      { type: "tool_call_start", index: 1, id: "call_ABiShJ3QzDt9hlR2dk7Gvhnd", name: "get_current_weather" },
      { type: "tool_call_delta", index: 1, argumentsDelta: '{"location": ' },
      { type: "tool_call_delta", index: 1, argumentsDelta: '"Paris, France"}' },
      { type: "part_end", index: 1 },
      { type: "finish", stopReason: "tool_use", usage: { inputTokens: 82, outputTokens: 51 } },
    ]);
  });

  it("decodes DeepSeek reasoning_content as a reasoning part and takes usage from the last choice chunk", () => {
    const events = decodeWhole(stream("stream-reasoning.txt"));
    expect(events.slice(1)).toEqual([
      { type: "reasoning_delta", index: 0, text: "Let me count" },
      { type: "reasoning_delta", index: 0, text: ": s-t-r-a-w-b-e-r-r-y." },
      { type: "reasoning_delta", index: 0, text: " Three r's." },
      { type: "part_end", index: 0 },
      { type: "text_delta", index: 1, text: "There are " },
      { type: "text_delta", index: 1, text: "3 Rs." },
      { type: "part_end", index: 1 },
      {
        type: "finish",
        stopReason: "end_turn",
        usage: { inputTokens: 17, outputTokens: 120, reasoningTokens: 98 },
      },
    ]);
  });

  it("takes Groq's usage from x_groq", () => {
    expect(decodeWhole(stream("stream-groq-usage.txt")).at(-1)).toEqual({
      type: "finish",
      stopReason: "end_turn",
      usage: { inputTokens: 40, outputTokens: 3 },
    });
  });

  it("turns an error chunk into an error event and ignores whatever follows", () => {
    const events = decodeWhole(`${stream("stream-error.txt")}data: [DONE]\n\n`);
    expect(events.slice(1)).toEqual([
      { type: "text_delta", index: 0, text: "Partial" },
      {
        type: "error",
        error: {
          type: "api_error",
          message: "The server had an error while processing your request. Sorry about that!",
          status: 500,
        },
      },
    ]);
  });

  it("reports a stream that ends without [DONE] as truncated, never as finished", () => {
    const text = stream("stream-text.txt");
    const events = decodeWhole(text.slice(0, text.indexOf("data: [DONE]")));
    expect(events.some((event) => event.type === "finish")).toBe(false);
    expect(events.at(-1)).toMatchObject({
      type: "error",
      error: { type: "api_error", code: "stream_truncated" },
    });
    expect(decodeWhole("")).toEqual([
      expect.objectContaining({ type: "start" }),
      expect.objectContaining({
        type: "error",
        error: expect.objectContaining({ code: "stream_truncated" }),
      }),
    ]);
  });

  it("does not take the empty id of Azure's opening content-filter chunk", () => {
    const opening = `data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[]}\n\n`;
    const [start] = decodeWhole(opening + stream("stream-text.txt"));
    expect(start).toMatchObject({ type: "start", id: expect.stringMatching(/^chatcmpl-./) });
    expect(start?.type === "start" && start.created > 0).toBe(true);
  });

  it("skips comments and keep-alive frames without data", () => {
    const text = stream("stream-groq-usage.txt");
    expect(decodeWhole(`: OPENROUTER PROCESSING\n\ndata:\n\n${text}`)).toEqual(decodeWhole(text));
  });

  it("reports a chunk that is not JSON as a malformed stream", () => {
    const events = decodeWhole("data: {not json\n\ndata: [DONE]\n\n");
    expect(events.at(-1)).toMatchObject({ type: "error", error: { code: "stream_malformed" } });
  });

  it("gives the same events for every split of every fixture stream", () => {
    for (const name of [
      "stream-text.txt",
      "stream-parallel-tools.txt",
      "stream-reasoning.txt",
      "stream-groq-usage.txt",
      "stream-error.txt",
    ]) {
      expectSameEventsAtEverySplit(stream(name));
    }
  });

  it("gives the same events when fed one byte at a time, with CRLF line endings", () => {
    const text = stream("stream-parallel-tools.txt").replaceAll("\n", "\r\n");
    const bytes = new TextEncoder().encode(text);
    const pieces = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    expect(decodePieces(openaiChatCodec.decodeStream(), pieces)).toEqual(
      decodeWhole(stream("stream-parallel-tools.txt")),
    );
  });
});

describe("openai-chat stream encoding", () => {
  const events: IRStreamEvent[] = [
    { type: "start", id: "msg_1", model: "claude", created: 1700000000 },
    { type: "reasoning_delta", index: 0, text: "Hmm." },
    { type: "reasoning_signature", index: 0, signature: "sig" },
    { type: "part_end", index: 0 },
    { type: "text_delta", index: 1, text: 'Say "hi"\n' },
    { type: "part_end", index: 1 },
    { type: "tool_call_start", index: 2, id: "toolu_a", name: "lookup" },
    { type: "tool_call_delta", index: 2, argumentsDelta: '{"q":' },
    { type: "tool_call_delta", index: 2, argumentsDelta: '"x"}' },
    { type: "part_end", index: 2 },
    { type: "tool_call_start", index: 3, id: "toolu_b", name: "lookup" },
    { type: "part_end", index: 3 },
    {
      type: "finish",
      stopReason: "tool_use",
      usage: { inputTokens: 50, outputTokens: 20, cachedInputTokens: 40 },
    },
  ];

  it("writes chat.completion.chunk frames, a usage chunk with empty choices and [DONE]", () => {
    const frames = payloads(encodeAll(events, true));
    const chunk = (delta: unknown, finish: string | null = null) => ({
      id: "msg_1",
      object: "chat.completion.chunk",
      created: 1700000000,
      model: "alias",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      usage: null,
    });
    expect(frames).toEqual([
      chunk({ role: "assistant", content: "" }),
      chunk({ reasoning_content: "Hmm." }),
      chunk({ content: 'Say "hi"\n' }),
      chunk({
        tool_calls: [
          { index: 0, id: "toolu_a", type: "function", function: { name: "lookup", arguments: "" } },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }),
      chunk({
        tool_calls: [
          { index: 1, id: "toolu_b", type: "function", function: { name: "lookup", arguments: "" } },
        ],
      }),
      chunk({}, "tool_calls"),
      {
        id: "msg_1",
        object: "chat.completion.chunk",
        created: 1700000000,
        model: "alias",
        choices: [],
        usage: {
          prompt_tokens: 50,
          completion_tokens: 20,
          total_tokens: 70,
          prompt_tokens_details: { cached_tokens: 40 },
          completion_tokens_details: { reasoning_tokens: 0 },
        },
      },
      "[DONE]",
    ]);
  });

  it("leaves the usage chunk and usage fields out when the client did not ask for usage", () => {
    const frames = payloads(encodeAll(events, false));
    expect(frames.at(-1)).toBe("[DONE]");
    expect(frames.at(-2)).toMatchObject({ choices: [{ finish_reason: "tool_calls" }] });
    expect(frames.some((frame) => typeof frame === "object" && frame !== null && "usage" in frame)).toBe(
      false,
    );
  });

  it("ends an error with the error chunk and no [DONE]", () => {
    const text = encodeAll(
      [
        { type: "start", id: "x", model: "m", created: 1 },
        { type: "text_delta", index: 0, text: "Par" },
        { type: "error", error: { type: "overloaded", message: "Overloaded", status: 529 } },
      ],
      true,
    );
    const frames = payloads(text);
    expect(frames.at(-1)).toEqual({
      error: { message: "Overloaded", type: "server_error", param: null, code: null },
    });
    expect(text.includes("[DONE]")).toBe(false);
  });

  it("answers events that stop without a finish with a truncation error chunk", () => {
    const frames = payloads(encodeAll([{ type: "start", id: "x", model: "m", created: 1 }], false));
    expect(frames.at(-1)).toMatchObject({ error: { type: "server_error", code: "stream_truncated" } });
  });

  it("decodes its own encoding back to the same parts", () => {
    const decoded = decodeWhole(encodeAll(events, true));
    expect(decoded.filter((event) => event.type !== "start")).toEqual([
      { type: "reasoning_delta", index: 0, text: "Hmm." },
      { type: "part_end", index: 0 },
      { type: "text_delta", index: 1, text: 'Say "hi"\n' },
      { type: "part_end", index: 1 },
      { type: "tool_call_start", index: 2, id: "toolu_a", name: "lookup" },
      { type: "tool_call_delta", index: 2, argumentsDelta: '{"q":' },
      { type: "tool_call_delta", index: 2, argumentsDelta: '"x"}' },
      { type: "part_end", index: 2 },
      { type: "tool_call_start", index: 3, id: "toolu_b", name: "lookup" },
      { type: "part_end", index: 3 },
      {
        type: "finish",
        stopReason: "tool_use",
        usage: { inputTokens: 50, outputTokens: 20, cachedInputTokens: 40 },
      },
    ]);
  });
});
