import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { anthropicCodec } from "../../src/wire/anthropic/index.ts";
import type { StreamDecoder } from "../../src/wire/codec.ts";
import type { IRStreamEvent } from "../../src/wire/ir.ts";
import { openaiChatCodec } from "../../src/wire/openai-chat/index.ts";

const stream = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8");

/** Decodes the body cut into the given byte pieces. */
function decodePieces(decoder: StreamDecoder, pieces: Uint8Array[]): IRStreamEvent[] {
  const events: IRStreamEvent[] = [];
  for (const piece of pieces) events.push(...decoder.push(piece));
  events.push(...decoder.end());
  return events;
}

function decodeWhole(text: string): IRStreamEvent[] {
  return decodePieces(anthropicCodec.decodeStream(), [new TextEncoder().encode(text)]);
}

/** `start` carries the time of decoding; everything else must match exactly. */
function withoutCreated(events: IRStreamEvent[]): IRStreamEvent[] {
  return events.map((event) => (event.type === "start" ? { ...event, created: 0 } : event));
}

function encodeAll(events: IRStreamEvent[], model = "claude-alias"): string {
  const encoder = anthropicCodec.encodeStream({ model });
  return events.map((event) => encoder.push(event)).join("") + encoder.end();
}

/** Our encoded SSE text as [event name, parsed data] pairs. */
function sseEvents(text: string): Array<[string, unknown]> {
  return text
    .split("\n\n")
    .filter((frame) => frame !== "")
    .map((frame) => {
      const [eventLine, dataLine, ...rest] = frame.split("\n");
      expect(rest).toEqual([]);
      expect(eventLine?.startsWith("event: ")).toBe(true);
      expect(dataLine?.startsWith("data: ")).toBe(true);
      return [eventLine?.slice(7) ?? "", JSON.parse(dataLine?.slice(6) ?? "")];
    });
}

describe("anthropic stream decoding", () => {
  it("decodes text deltas, ignores ping and adds cache reads to the input tokens", () => {
    expect(withoutCreated(decodeWhole(stream("anthropic/stream-text.txt")))).toEqual([
      {
        type: "start",
        id: "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY",
        model: "claude-sonnet-5",
        created: 0,
        usage: { inputTokens: 2025, outputTokens: 1, cachedInputTokens: 2000 },
      },
      { type: "text_delta", index: 0, text: "Hello" },
      { type: "text_delta", index: 0, text: "! Ça" },
      { type: "text_delta", index: 0, text: " va ? 🌊" },
      { type: "part_end", index: 0 },
      {
        type: "finish",
        stopReason: "end_turn",
        usage: { inputTokens: 2025, outputTokens: 15, cachedInputTokens: 2000 },
      },
    ]);
  });

  it("decodes a tool_use block and its input_json deltas", () => {
    const events = decodeWhole(stream("anthropic/stream-tools.txt"));
    expect(events.filter((event) => event.type.startsWith("tool_call") || event.type === "finish")).toEqual([
      { type: "tool_call_start", index: 1, id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather" },
      { type: "tool_call_delta", index: 1, argumentsDelta: '{"location":' },
      { type: "tool_call_delta", index: 1, argumentsDelta: ' "San Fra' },
      { type: "tool_call_delta", index: 1, argumentsDelta: 'ncisco, CA"' },
      { type: "tool_call_delta", index: 1, argumentsDelta: ', "unit": "fah' },
      { type: "tool_call_delta", index: 1, argumentsDelta: 'renheit"}' },
      { type: "finish", stopReason: "tool_use", usage: { inputTokens: 472, outputTokens: 89 } },
    ]);
  });

  it("decodes thinking deltas, the signature and thinking tokens", () => {
    const events = decodeWhole(stream("anthropic/stream-thinking.txt"));
    expect(events.slice(1)).toEqual([
      { type: "reasoning_delta", index: 0, text: "I need to find the GCD of 1071 and 462" },
      { type: "reasoning_delta", index: 0, text: " using the Euclidean algorithm.\n\n1071 = 2 × 462 + 147" },
      {
        type: "reasoning_signature",
        index: 0,
        signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds",
      },
      { type: "part_end", index: 0 },
      { type: "text_delta", index: 1, text: "The greatest common divisor of 1071 and 462 is **21**." },
      { type: "part_end", index: 1 },
      {
        type: "finish",
        stopReason: "end_turn",
        usage: { inputTokens: 55, outputTokens: 310, reasoningTokens: 270 },
      },
    ]);
  });

  it("turns an error event into an IR error with the status of its type", () => {
    expect(decodeWhole(stream("anthropic/stream-error.txt")).slice(1)).toEqual([
      { type: "text_delta", index: 0, text: "Let me" },
      { type: "error", error: { type: "overloaded", message: "Overloaded", status: 503 } },
    ]);
  });

  it("reports a stream that ends without message_stop as truncated, never as finished", () => {
    const text = stream("anthropic/stream-text.txt");
    const events = decodeWhole(text.slice(0, text.indexOf("event: message_stop")));
    expect(events.some((event) => event.type === "finish")).toBe(false);
    expect(events.at(-1)).toMatchObject({
      type: "error",
      error: { type: "api_error", code: "stream_truncated" },
    });
  });

  it("skips server-tool blocks and events it does not know", () => {
    const text = [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_x","model":"m","usage":{"input_tokens":3,"output_tokens":1}}}',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"query\\":\\"x\\"}"}}',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}',
      'event: future_event\ndata: {"type":"future_event"}',
      'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Found it."}}',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":4}}',
      'event: message_stop\ndata: {"type":"message_stop"}',
      "",
    ].join("\n\n");
    expect(decodeWhole(text).slice(1)).toEqual([
      { type: "text_delta", index: 1, text: "Found it." },
      { type: "part_end", index: 1 },
      { type: "finish", stopReason: "end_turn", usage: { inputTokens: 3, outputTokens: 4 } },
    ]);
  });

  it("gives the same events for every split of every fixture stream", () => {
    for (const name of ["stream-text.txt", "stream-tools.txt", "stream-thinking.txt", "stream-error.txt"]) {
      const text = stream(`anthropic/${name}`);
      const bytes = new TextEncoder().encode(text);
      const whole = withoutCreated(decodeWhole(text));
      for (let at = 1; at < bytes.length; at++) {
        const split = withoutCreated(
          decodePieces(anthropicCodec.decodeStream(), [bytes.subarray(0, at), bytes.subarray(at)]),
        );
        if (!Bun.deepEquals(split, whole)) expect({ name, at, split }).toEqual({ name, at, split: whole });
      }
    }
  });
});

describe("anthropic stream encoding", () => {
  it("numbers blocks from 0, closes each before the next and ends with message_delta and message_stop", () => {
    const text = encodeAll([
      {
        type: "start",
        id: "msg_1",
        model: "upstream",
        created: 1,
        usage: { inputTokens: 30, outputTokens: 1, cachedInputTokens: 20 },
      },
      { type: "reasoning_delta", index: 3, text: "Hmm" },
      { type: "reasoning_signature", index: 3, signature: "sig" },
      { type: "text_delta", index: 5, text: "Hi" },
      { type: "part_end", index: 5 },
      { type: "tool_call_start", index: 7, id: "toolu_1", name: "f" },
      { type: "tool_call_delta", index: 7, argumentsDelta: '{"a":1}' },
      { type: "redacted_reasoning", index: 8, data: "opaque" },
      {
        type: "finish",
        stopReason: "tool_use",
        usage: { inputTokens: 30, outputTokens: 9, cachedInputTokens: 20 },
      },
    ]);
    expect(sseEvents(text)).toEqual([
      [
        "message_start",
        {
          type: "message_start",
          message: {
            id: "msg_1",
            type: "message",
            role: "assistant",
            model: "claude-alias",
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: {
              input_tokens: 10,
              cache_creation_input_tokens: 0,
              cache_read_input_tokens: 20,
              output_tokens: 1,
            },
          },
        },
      ],
      [
        "content_block_start",
        {
          type: "content_block_start",
          index: 0,
          content_block: { type: "thinking", thinking: "", signature: "" },
        },
      ],
      [
        "content_block_delta",
        { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Hmm" } },
      ],
      [
        "content_block_delta",
        { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "sig" } },
      ],
      ["content_block_stop", { type: "content_block_stop", index: 0 }],
      [
        "content_block_start",
        { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
      ],
      [
        "content_block_delta",
        { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Hi" } },
      ],
      ["content_block_stop", { type: "content_block_stop", index: 1 }],
      [
        "content_block_start",
        {
          type: "content_block_start",
          index: 2,
          content_block: { type: "tool_use", id: "toolu_1", name: "f", input: {} },
        },
      ],
      [
        "content_block_delta",
        {
          type: "content_block_delta",
          index: 2,
          delta: { type: "input_json_delta", partial_json: '{"a":1}' },
        },
      ],
      ["content_block_stop", { type: "content_block_stop", index: 2 }],
      [
        "content_block_start",
        {
          type: "content_block_start",
          index: 3,
          content_block: { type: "redacted_thinking", data: "opaque" },
        },
      ],
      ["content_block_stop", { type: "content_block_stop", index: 3 }],
      [
        "message_delta",
        {
          type: "message_delta",
          delta: { stop_reason: "tool_use", stop_sequence: null },
          usage: {
            input_tokens: 10,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 20,
            output_tokens: 9,
          },
        },
      ],
      ["message_stop", { type: "message_stop" }],
    ]);
    expect(text.includes("ping")).toBe(false);
    expect(text.includes("[DONE]")).toBe(false);
  });

  it("writes an in-stream error as event: error and nothing after it", () => {
    const text = encodeAll([
      { type: "start", id: "msg_2", model: "m", created: 1 },
      { type: "text_delta", index: 0, text: "Par" },
      { type: "error", error: { type: "rate_limit", message: "Slow down", status: 429 } },
      { type: "finish", stopReason: "end_turn" },
    ]);
    const events = sseEvents(text);
    expect(events.at(-1)).toEqual([
      "error",
      { type: "error", error: { type: "rate_limit_error", message: "Slow down" } },
    ]);
    expect(events.some(([name]) => name === "message_stop")).toBe(false);
  });

  it("answers events that stop without a finish with an error event", () => {
    expect(
      sseEvents(encodeAll([{ type: "start", id: "msg_3", model: "m", created: 1 }])).at(-1),
    ).toMatchObject(["error", { type: "error", error: { type: "api_error" } }]);
  });

  it("repeats the usage of the start in message_delta when the finish brings none", () => {
    const events = sseEvents(
      encodeAll([
        { type: "start", id: "msg_5", model: "m", created: 1, usage: { inputTokens: 40, outputTokens: 1 } },
        { type: "text_delta", index: 0, text: "ok" },
        { type: "finish", stopReason: "end_turn" },
      ]),
    );
    expect(events.at(-2)?.[1]).toMatchObject({ usage: { input_tokens: 40, output_tokens: 1 } });
  });

  it("keeps the stop sequence that ended the answer", () => {
    const events = sseEvents(
      encodeAll([
        { type: "start", id: "msg_4", model: "m", created: 1 },
        { type: "text_delta", index: 0, text: "1 2 3" },
        { type: "finish", stopReason: "stop_sequence", stopSequence: " 4" },
      ]),
    );
    expect(events.at(-2)?.[1]).toMatchObject({
      delta: { stop_reason: "stop_sequence", stop_sequence: " 4" },
    });
  });

  it("decodes its own encoding of every fixture stream back to the same events", () => {
    for (const name of ["stream-text.txt", "stream-tools.txt", "stream-thinking.txt", "stream-error.txt"]) {
      const events = decodeWhole(stream(`anthropic/${name}`));
      const model = events[0]?.type === "start" ? events[0].model : "";
      expect(withoutCreated(decodeWhole(encodeAll(events, model)))).toEqual(withoutCreated(events));
    }
  });
});

describe("OpenAI chat stream to Anthropic stream", () => {
  function translate(text: string): string {
    const decoder = openaiChatCodec.decodeStream();
    const encoder = anthropicCodec.encodeStream({ model: "claude-alias" });
    let out = "";
    for (const event of decoder.push(text)) out += encoder.push(event);
    for (const event of decoder.end()) out += encoder.push(event);
    return out + encoder.end();
  }

  it("carries the usage that OpenAI reports only at the end in message_delta", () => {
    const events = sseEvents(translate(stream("openai-chat/stream-text.txt")));
    expect(events[0]?.[1]).toMatchObject({
      message: { usage: { input_tokens: 0, output_tokens: 0 } },
    });
    expect(events.at(-2)).toEqual([
      "message_delta",
      {
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: {
          input_tokens: 93,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 1024,
          output_tokens: 9,
        },
      },
    ]);
  });

  it("turns reasoning_content into a thinking block and parallel tool calls into tool_use blocks", () => {
    const reasoning = sseEvents(translate(stream("openai-chat/stream-reasoning.txt")));
    expect(reasoning.filter(([name]) => name === "content_block_start").map(([, data]) => data)).toEqual([
      {
        type: "content_block_start",
        index: 0,
        content_block: { type: "thinking", thinking: "", signature: "" },
      },
      { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
    ]);
    const tools = sseEvents(translate(stream("openai-chat/stream-parallel-tools.txt")));
    expect(tools.filter(([name]) => name === "content_block_start").map(([, data]) => data)).toEqual([
      {
        type: "content_block_start",
        index: 0,
        content_block: {
          type: "tool_use",
          id: "call_DdmO9pD3xa9XTPNJ32zg2hcA",
          name: "get_current_weather",
          input: {},
        },
      },
      {
        type: "content_block_start",
        index: 1,
        content_block: {
          type: "tool_use",
          id: "call_ABiShJ3QzDt9hlR2dk7Gvhnd",
          name: "get_current_weather",
          input: {},
        },
      },
    ]);
    expect(tools.at(-2)?.[1]).toMatchObject({ delta: { stop_reason: "tool_use" } });
  });
});
