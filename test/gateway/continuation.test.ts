import { describe, expect, it } from "bun:test";
import {
  AnswerSoFar,
  ContinuationEvents,
  continuationRequest,
  withoutReasoning,
} from "../../src/gateway/continuation.ts";
import type { IRRequest, IRStreamEvent } from "../../src/wire/index.ts";

const request = (messages: IRRequest["messages"]): IRRequest => ({
  model: "m",
  system: [],
  messages,
  sampling: {},
  stream: true,
  reasoning: { enabled: true, budgetTokens: 2048 },
});

const user = { role: "user" as const, parts: [{ type: "text" as const, text: "Tell me" }] };

function seen(events: IRStreamEvent[]): AnswerSoFar {
  const sofar = new AnswerSoFar(true);
  for (const event of events) sofar.observe(event);
  return sofar;
}

const START: IRStreamEvent = { type: "start", id: "a", model: "m", created: 1 };

describe("what the client has so far", () => {
  it("keeps the text and the open text part", () => {
    const sofar = seen([
      START,
      { type: "reasoning_delta", index: 0, text: "hmm" },
      { type: "part_end", index: 0 },
      { type: "text_delta", index: 1, text: "Hello " },
      { type: "text_delta", index: 1, text: "wor" },
    ]);
    expect(sofar).toMatchObject({
      text: "Hello wor",
      openText: 1,
      nextIndex: 2,
      inOrder: true,
      continuable: true,
    });
  });

  it("cannot be continued inside a tool call or after the finish", () => {
    expect(seen([START, { type: "tool_call_start", index: 0, id: "c", name: "f" }]).continuable).toBe(false);
    expect(seen([START, { type: "finish", stopReason: "end_turn" }]).continuable).toBe(false);
  });

  it("can be continued inside reasoning for a client whose reasoning need not arrive whole", () => {
    const sofar = new AnswerSoFar(false);
    sofar.observe(START);
    sofar.observe({ type: "reasoning_delta", index: 0, text: "Let me" });
    expect(sofar.continuable).toBe(true);
  });

  it("counts reasoning as ended when a later part begins", () => {
    const sofar = seen([
      START,
      { type: "reasoning_delta", index: 0, text: "Let me" },
      { type: "text_delta", index: 1, text: "Hi" },
    ]);
    expect(sofar.continuable).toBe(true);
  });

  it("cannot be continued inside reasoning, only once the reasoning part has ended", () => {
    const thinking = seen([START, { type: "reasoning_delta", index: 0, text: "Let me" }]);
    expect(thinking.continuable).toBe(false);
    thinking.observe({ type: "reasoning_signature", index: 0, signature: "sig" });
    thinking.observe({ type: "part_end", index: 0 });
    expect(thinking.continuable).toBe(true);
  });

  it("notices part numbers that skip (a passthrough whose numbering an encoder would not repeat)", () => {
    expect(seen([START, { type: "text_delta", index: 1, text: "x" }]).inOrder).toBe(false);
  });
});

describe("the continuation request", () => {
  it("ends with the partial text as the assistant's, trailing whitespace cut", () => {
    const { request: continued, trimmed } = continuationRequest(request([user]), "Once upon a ");
    expect(continued.messages.at(-1)).toEqual({
      role: "assistant",
      parts: [{ type: "text", text: "Once upon a" }],
    });
    expect(trimmed).toBe(true);
    expect(continued.reasoning).toEqual({ enabled: true, budgetTokens: 2048 });
    expect(withoutReasoning(continued).reasoning).toEqual({ enabled: false });
  });

  it("joins the client's own prefill", () => {
    const prefilled = request([user, { role: "assistant", parts: [{ type: "text", text: "{" }] }]);
    const { request: continued, trimmed } = continuationRequest(prefilled, '"a": 1');
    expect(continued.messages).toHaveLength(2);
    expect(continued.messages[1]).toEqual({ role: "assistant", parts: [{ type: "text", text: '{"a": 1' }] });
    expect(trimmed).toBe(false);
  });

  it("is the request as it was when there was no text yet", () => {
    expect(continuationRequest(request([user]), "").request.messages).toEqual([user]);
  });
});

describe("the next target's events in the client's stream", () => {
  const sofar = () => seen([START, { type: "text_delta", index: 0, text: "Hello " }]);

  it("drop the second start, go on in the open text part, and number later parts after the client's", () => {
    const events = new ContinuationEvents(sofar(), true);
    const mapped = [
      { type: "start", id: "b", model: "m", created: 2, usage: { inputTokens: 9, outputTokens: 0 } },
      { type: "reasoning_delta", index: 0, text: "should not show" },
      { type: "part_end", index: 0 },
      { type: "text_delta", index: 1, text: " " },
      { type: "text_delta", index: 1, text: " world" },
      { type: "part_end", index: 1 },
      { type: "tool_call_start", index: 2, id: "c", name: "f" },
      { type: "finish", stopReason: "tool_use" },
    ].map((event) => events.map(event as IRStreamEvent));
    expect(mapped).toEqual([
      { type: "usage", usage: { inputTokens: 9, outputTokens: 0 } },
      undefined,
      undefined,
      undefined,
      { type: "text_delta", index: 0, text: "world" },
      { type: "part_end", index: 0 },
      { type: "tool_call_start", index: 3, id: "c", name: "f" },
      { type: "finish", stopReason: "tool_use" },
    ]);
  });

  it("keep the continuation's leading whitespace when none was cut from the prefill", () => {
    const events = new ContinuationEvents(sofar(), false);
    expect(events.map({ type: "text_delta", index: 0, text: " there" })).toEqual({
      type: "text_delta",
      index: 0,
      text: " there",
    });
  });

  it("start a new text part when the client's was closed", () => {
    const closed = seen([
      START,
      { type: "text_delta", index: 0, text: "Hi" },
      { type: "part_end", index: 0 },
    ]);
    const events = new ContinuationEvents(closed, false);
    expect(events.map({ type: "text_delta", index: 0, text: "more" })).toMatchObject({ index: 1 });
  });
});
