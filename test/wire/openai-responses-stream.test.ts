import { describe, expect, it } from "bun:test";
import type { IRStreamEvent } from "../../src/wire/ir.ts";
import { openaiResponsesCodec as codec } from "../../src/wire/openai-responses/index.ts";
import { SseParser } from "../../src/wire/sse.ts";
import { decodeChunks, encodeEvents, fixtureFiles, readFixture } from "./fixture-files.ts";

const decodeText = (text: string) => decodeChunks(codec.decodeStream(), [text]);
const decodeFixture = (file: string) => decodeText(readFixture("openai-responses", file));

interface WireEvent {
  type: string;
  sequence_number: number;
  [key: string]: unknown;
}

function wireEvents(text: string): Array<{ event?: string; data: WireEvent }> {
  const parser = new SseParser();
  return [...parser.push(text), ...parser.end()].map((frame) => {
    const entry: { event?: string; data: WireEvent } = { data: JSON.parse(frame.data) as WireEvent };
    if (frame.event !== undefined) entry.event = frame.event;
    return entry;
  });
}

/** The events with a `part_end` before an error for each part still open: the encoder closes them then. */
function closedBeforeError(events: IRStreamEvent[]): IRStreamEvent[] {
  const open = new Set<number>();
  return events.flatMap((event) => {
    if (event.type === "part_end") open.delete(event.index);
    else if ("index" in event) open.add(event.index);
    if (event.type !== "error") return [event];
    return [...[...open].map((index): IRStreamEvent => ({ type: "part_end", index })), event];
  });
}

const TOOL_EVENTS: IRStreamEvent[] = [
  {
    type: "start",
    id: "msg_upstream",
    model: "claude",
    created: 1700000000,
    usage: { inputTokens: 9, outputTokens: 0 },
  },
  { type: "reasoning_delta", index: 0, text: "Let me think" },
  { type: "reasoning_signature", index: 0, signature: "sig" },
  { type: "part_end", index: 0 },
  { type: "text_delta", index: 1, text: "Checking " },
  { type: "text_delta", index: 1, text: "now." },
  { type: "part_end", index: 1 },
  { type: "tool_call_start", index: 2, id: "call_1", name: "get_weather" },
  { type: "tool_call_delta", index: 2, argumentsDelta: '{"city":' },
  { type: "tool_call_delta", index: 2, argumentsDelta: '"Paris"}' },
  { type: "part_end", index: 2 },
  { type: "usage", usage: { inputTokens: 9, outputTokens: 20, reasoningTokens: 5 } },
  { type: "finish", stopReason: "tool_use" },
];

describe("openai-responses decodeStream", () => {
  it("turns text deltas into one text part and response.completed into finish with usage", () => {
    expect(decodeFixture("stream-text.txt")).toEqual([
      {
        type: "start",
        id: "resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654",
        model: "gpt-4.1-2025-04-14",
        created: 1741290958,
      },
      { type: "text_delta", index: 0, text: "Hi" },
      { type: "text_delta", index: 0, text: " there" },
      { type: "text_delta", index: 0, text: "! How can I help" },
      { type: "text_delta", index: 0, text: " you today? ✨" },
      { type: "part_end", index: 0 },
      {
        type: "finish",
        stopReason: "end_turn",
        usage: { inputTokens: 37, outputTokens: 11, cachedInputTokens: 5, reasoningTokens: 0 },
      },
    ]);
  });

  it("numbers a message and a function call as separate parts and finishes as a tool use", () => {
    const events = decodeFixture("stream-tools.txt");
    expect(events.filter((event) => event.type !== "text_delta" && event.type !== "tool_call_delta")).toEqual(
      [
        expect.objectContaining({ type: "start" }),
        { type: "part_end", index: 0 },
        { type: "tool_call_start", index: 1, id: "call_unLAR8MvFNptuiZK6K6HCy5k", name: "get_weather" },
        { type: "part_end", index: 1 },
        expect.objectContaining({ type: "finish", stopReason: "tool_use" }),
      ],
    );
    const args = events
      .map((event) => (event.type === "tool_call_delta" ? event.argumentsDelta : ""))
      .join("");
    expect(args).toBe('{"location":"Paris, France"}');
  });

  it("keeps parallel function calls apart", () => {
    const starts = decodeFixture("stream-parallel-tools.txt").filter(
      (event) => event.type === "tool_call_start",
    );
    expect(starts).toEqual([
      { type: "tool_call_start", index: 0, id: "call_unLAR8MvFNptuiZK6K6HCy5k", name: "get_weather" },
      { type: "tool_call_start", index: 1, id: "call_7cYdYJpE3jcdUDLSKyzsB8Wx", name: "get_weather" },
    ]);
  });

  it("reads summary parts as one reasoning part, then its encrypted content as a signature", () => {
    const events = decodeFixture("stream-reasoning.txt");
    const reasoning = events.map((event) => (event.type === "reasoning_delta" ? event.text : "")).join("");
    expect(reasoning).toBe(
      "**Counting letters**\n\nI spell out s-t-r-a-w-b-e-r-r-y.\n\n**Answering**\n\nThere are three.",
    );
    expect(events).toContainEqual({ type: "reasoning_signature", index: 0, signature: "gAAAAABoIPOE6rIa9" });
    const firstText = events.findIndex((event) => event.type === "text_delta");
    expect(events.findIndex((event) => event.type === "part_end" && event.index === 0)).toBeLessThan(
      firstText,
    );
    expect(events.at(-1)).toEqual({
      type: "finish",
      stopReason: "end_turn",
      usage: { inputTokens: 13, outputTokens: 339, cachedInputTokens: 0, reasoningTokens: 320 },
    });
  });

  it("finishes response.incomplete for the token limit with max_tokens", () => {
    expect(decodeFixture("stream-length.txt").at(-1)).toMatchObject({
      type: "finish",
      stopReason: "max_tokens",
    });
  });

  it("turns response.failed into an error event and nothing after it", () => {
    const events = decodeFixture("stream-error.txt");
    expect(events.at(-1)).toEqual({
      type: "error",
      error: {
        type: "api_error",
        message: "The model produced invalid content.",
        status: 500,
        code: "server_error",
      },
    });
    expect(events.filter((event) => event.type === "finish")).toEqual([]);
  });

  it("turns an error event into an error with its type", () => {
    const body =
      'event: error\ndata: {"type":"error","sequence_number":0,"code":"rate_limit_exceeded","message":"slow","param":null}\n\n';
    expect(decodeText(body)).toEqual([
      {
        type: "error",
        error: { type: "rate_limit", message: "slow", status: 429, code: "rate_limit_exceeded" },
      },
    ]);
  });

  it("reports a stream cut before response.completed as truncated, never as a finish", () => {
    const text = readFixture("openai-responses", "stream-text.txt");
    const cut = text.slice(0, text.lastIndexOf("event: response.completed"));
    const events = decodeText(cut);
    expect(events.at(-1)).toMatchObject({ type: "error", error: { code: "stream_truncated" } });
    expect(events.some((event) => event.type === "finish")).toBe(false);
  });

  it("reports a frame that is not JSON as malformed rather than throwing", () => {
    const events = decodeText("event: response.created\ndata: {not json\n\n");
    expect(events).toEqual([
      expect.objectContaining({
        type: "error",
        error: expect.objectContaining({ code: "stream_malformed" }),
      }),
    ]);
  });

  it("passes on text that only the done events carry", () => {
    const body = [
      { type: "response.created", sequence_number: 0, response: { id: "resp_1", model: "m", created_at: 1 } },
      {
        type: "response.output_item.added",
        sequence_number: 1,
        output_index: 0,
        item: { type: "function_call", id: "fc_1", call_id: "c1", name: "f", arguments: "" },
      },
      {
        type: "response.output_item.done",
        sequence_number: 2,
        output_index: 0,
        item: { type: "function_call", id: "fc_1", call_id: "c1", name: "f", arguments: '{"a":1}' },
      },
      {
        type: "response.output_item.done",
        sequence_number: 3,
        output_index: 1,
        item: { type: "message", id: "msg_1", content: [{ type: "output_text", text: "late" }] },
      },
      {
        type: "response.completed",
        sequence_number: 4,
        response: { id: "resp_1", status: "completed", output: [] },
      },
    ]
      .map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
      .join("");
    expect(decodeText(body).slice(1)).toEqual([
      { type: "tool_call_start", index: 0, id: "c1", name: "f" },
      { type: "tool_call_delta", index: 0, argumentsDelta: '{"a":1}' },
      { type: "part_end", index: 0 },
      { type: "text_delta", index: 1, text: "late" },
      { type: "part_end", index: 1 },
      { type: "finish", stopReason: "tool_use" },
    ]);
  });
});

describe("openai-responses encodeStream", () => {
  it("writes typed SSE events with sequence numbers counting from 0 and ends with response.completed", () => {
    const events = wireEvents(encodeEvents(codec.encodeStream({ model: "gpt-4.1" }), TOOL_EVENTS));
    expect(events.every((entry) => entry.event === entry.data.type)).toBe(true);
    expect(events.map((entry) => entry.data.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.map((entry) => entry.data.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.done",
      "response.reasoning_summary_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
    ]);
  });

  it("names each item and part by output_index, item_id and content_index, and repeats the full text in done events", () => {
    const events = wireEvents(encodeEvents(codec.encodeStream({ model: "gpt-4.1" }), TOOL_EVENTS)).map(
      (entry) => entry.data,
    );
    const textDone = events.find((event) => event.type === "response.output_text.done");
    const messageId = (events[8]?.item as { id?: string } | undefined)?.id;
    expect(messageId).toStartWith("msg_");
    expect(textDone).toMatchObject({
      item_id: messageId,
      output_index: 1,
      content_index: 0,
      text: "Checking now.",
      logprobs: [],
    });
    expect(events.find((event) => event.type === "response.function_call_arguments.done")).toMatchObject({
      output_index: 2,
      arguments: '{"city":"Paris"}',
    });
    const completed = events.at(-1)?.response as Record<string, unknown>;
    expect(completed).toMatchObject({
      object: "response",
      status: "completed",
      model: "gpt-4.1",
      created_at: 1700000000,
      usage: {
        input_tokens: 9,
        output_tokens: 20,
        output_tokens_details: { reasoning_tokens: 5 },
        total_tokens: 29,
      },
    });
    expect(completed.output).toEqual([
      {
        id: expect.stringMatching(/^rs_/),
        type: "reasoning",
        summary: [{ type: "summary_text", text: "Let me think" }],
        encrypted_content: "sig",
      },
      {
        id: messageId,
        type: "message",
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: "Checking now.", annotations: [] }],
      },
      {
        id: expect.stringMatching(/^fc_/),
        type: "function_call",
        status: "completed",
        arguments: '{"city":"Paris"}',
        call_id: "call_1",
        name: "get_weather",
      },
    ]);
  });

  it("keeps consecutive text parts in one message item", () => {
    const events = wireEvents(
      encodeEvents(codec.encodeStream({ model: "m" }), [
        { type: "start", id: "x", model: "m", created: 1 },
        { type: "text_delta", index: 0, text: "a" },
        { type: "part_end", index: 0 },
        { type: "text_delta", index: 1, text: "b" },
        { type: "part_end", index: 1 },
        { type: "finish", stopReason: "end_turn" },
      ]),
    ).map((entry) => entry.data);
    expect(events.filter((event) => event.type === "response.output_item.added")).toHaveLength(1);
    expect(
      events
        .filter((event) => event.type === "response.content_part.added")
        .map((event) => event.content_index),
    ).toEqual([0, 1]);
  });

  it("ends with response.incomplete for the token limit", () => {
    const events = wireEvents(
      encodeEvents(codec.encodeStream({ model: "m" }), [
        { type: "start", id: "x", model: "m", created: 1 },
        { type: "text_delta", index: 0, text: "Once upon" },
        { type: "finish", stopReason: "max_tokens", usage: { inputTokens: 1, outputTokens: 2 } },
      ]),
    ).map((entry) => entry.data);
    expect(events.at(-1)).toMatchObject({
      type: "response.incomplete",
      response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } },
    });
    // The open text part and its message are closed before the end.
    expect(events.at(-2)?.type).toBe("response.output_item.done");
  });

  it("writes an error after start as response.failed and before start as an error event", () => {
    const error = { type: "rate_limit" as const, message: "slow down", status: 429 };
    const failed = wireEvents(
      encodeEvents(codec.encodeStream({ model: "m" }), [
        { type: "start", id: "x", model: "m", created: 1 },
        { type: "error", error },
      ]),
    ).at(-1)?.data;
    expect(failed).toMatchObject({
      type: "response.failed",
      response: { status: "failed", error: { code: "rate_limit_exceeded", message: "slow down" } },
    });
    const early = wireEvents(encodeEvents(codec.encodeStream({ model: "m" }), [{ type: "error", error }]));
    expect(early.map((entry) => entry.data)).toEqual([
      { type: "error", sequence_number: 0, code: "rate_limit_exceeded", message: "slow down", param: null },
    ]);
  });

  it("closes the items open at an error as incomplete and lists them in response.failed", () => {
    const events = wireEvents(
      encodeEvents(codec.encodeStream({ model: "m" }), [
        { type: "start", id: "x", model: "m", created: 1 },
        { type: "reasoning_delta", index: 0, text: "Hmm" },
        { type: "part_end", index: 0 },
        { type: "text_delta", index: 1, text: "Let me" },
        { type: "tool_call_start", index: 2, id: "call_1", name: "f" },
        { type: "tool_call_delta", index: 2, argumentsDelta: '{"a":' },
        { type: "error", error: { type: "overloaded", message: "Overloaded", status: 503 } },
      ]),
    ).map((entry) => entry.data);
    const done = events
      .filter((event) => event.type === "response.output_item.done")
      .map((event) => event.item);
    expect(done).toMatchObject([
      { type: "reasoning", summary: [{ type: "summary_text", text: "Hmm" }] },
      // The tool call that followed ended the message; only the call was still open.
      { type: "message", status: "completed", content: [{ type: "output_text", text: "Let me" }] },
      { type: "function_call", status: "incomplete", call_id: "call_1", arguments: '{"a":' },
    ]);
    expect(done[0]).not.toHaveProperty("status");
    expect(events.at(-1)).toMatchObject({
      type: "response.failed",
      response: { status: "failed", error: { code: "server_error", message: "Overloaded" }, output: done },
    });
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
  });

  it("survives decode → encode → decode for every stream fixture", () => {
    for (const file of fixtureFiles("openai-responses", "stream")) {
      const events = decodeFixture(file);
      const model = events[0]?.type === "start" ? events[0].model : "";
      const again = decodeText(encodeEvents(codec.encodeStream({ model }), events));
      const strip = (list: IRStreamEvent[]): IRStreamEvent[] =>
        list
          .map((event) => (event.type === "start" ? { ...event, id: "" } : event))
          .filter((event) => event.type !== "usage");
      const expected = closedBeforeError(strip(events)).map((event) =>
        event.type === "error" ? { ...event, error: { ...event.error, code: "server_error" } } : event,
      );
      expect(strip(again)).toEqual(expected);
    }
  });
});
