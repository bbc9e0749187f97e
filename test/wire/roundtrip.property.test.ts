/**
 * What every dialect can say survives a trip through it: arbitrary IR requests, responses and
 * stream event sequences from the common core (text, base64 images, tools, tool calls with
 * JSON-object arguments, tool results, temperature / topP / maxTokens / stop) are encoded in
 * each dialect and decoded back, and must mean the same (compared in a normalised form that
 * forgets what no dialect promises to keep: made-up ids, how text is cut into deltas, how
 * arguments JSON is spaced).
 */
import { describe, expect, it } from "bun:test";
import fc from "fast-check";
import { CODECS } from "../../src/wire/index.ts";
import {
  DIALECTS,
  type Dialect,
  type IRMessage,
  type IRPart,
  type IRRequest,
  type IRResponse,
  type IRStreamEvent,
  type IRTool,
  type IRToolCallPart,
} from "../../src/wire/ir.ts";
import { decodeChunks, encodeEvents, withStableIds } from "./fixture-files.ts";

/**
 * The sampling settings each dialect's encoder carries: the OpenAI Responses API has no stop
 * sequences; Anthropic's current API version (the encoder's default) takes no temperature or top_p.
 */
const CARRIES: Record<Dialect, { stop: boolean; temperatureAndTopP: boolean }> = {
  "openai-chat": { stop: true, temperatureAndTopP: true },
  "openai-responses": { stop: false, temperatureAndTopP: true },
  anthropic: { stop: true, temperatureAndTopP: false },
  gemini: { stop: true, temperatureAndTopP: true },
  ollama: { stop: true, temperatureAndTopP: true },
};

const IMAGES = [
  {
    mediaType: "image/png",
    data: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  },
  {
    mediaType: "image/jpeg",
    data: "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDA=",
  },
  { mediaType: "image/gif", data: "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" },
];

// ---------------------------------------------------------------------------------------------
// Generators

const text = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 30 })
  .filter((value) => value.trim() !== "");
const toolName = fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/);
const argumentsObject = fc.dictionary(
  fc.stringMatching(/^[a-z][a-z_]{0,8}$/),
  fc.oneof(fc.string({ maxLength: 12 }), fc.integer({ min: -1000, max: 1000 }), fc.boolean()),
  { maxKeys: 3 },
);

const tool = fc.record({
  name: toolName,
  description: text,
  property: fc.stringMatching(/^[a-z][a-z_]{0,8}$/),
  type: fc.constantFrom("string", "number", "boolean"),
});

const tools = fc
  .uniqueArray(tool, { minLength: 1, maxLength: 3, selector: (each) => each.name })
  .map((list) =>
    list.map(
      (each): IRTool => ({
        name: each.name,
        description: each.description,
        parameters: {
          type: "object",
          properties: { [each.property]: { type: each.type } },
          required: [each.property],
        },
      }),
    ),
  );

const image = fc.constantFrom(...IMAGES).map(
  (each): IRPart => ({
    type: "image",
    source: { kind: "base64", mediaType: each.mediaType, data: each.data },
  }),
);

const userMessage = fc.tuple(text, fc.option(image, { nil: undefined })).map(
  ([words, picture]): IRMessage => ({
    role: "user",
    parts: [{ type: "text", text: words }, ...(picture === undefined ? [] : [picture])],
  }),
);

const assistantText = text.map(
  (words): IRMessage => ({ role: "assistant", parts: [{ type: "text", text: words }] }),
);

let callCounter = 0;

/** An assistant turn that calls tools, the user turn with their results, and the assistant's answer. */
function toolRound(available: IRTool[]): fc.Arbitrary<IRMessage[]> {
  const call = fc.tuple(fc.constantFrom(...available), argumentsObject);
  return fc
    .tuple(
      fc.option(text, { nil: undefined }),
      fc.array(call, { minLength: 1, maxLength: 2 }),
      fc.array(text, { minLength: 2, maxLength: 2 }),
      assistantText,
    )
    .map(([preamble, calls, [firstResult], answer]) => {
      const toolCalls = calls.map(
        ([chosen, args]): IRToolCallPart => ({
          type: "tool_call",
          id: `call_${callCounter++}`,
          name: chosen.name,
          arguments: JSON.stringify(args),
        }),
      );
      return [
        {
          role: "assistant",
          parts: [
            ...(preamble === undefined ? [] : [{ type: "text" as const, text: preamble }]),
            ...toolCalls,
          ],
        },
        {
          role: "user",
          parts: toolCalls.map((each) => ({
            type: "tool_result" as const,
            toolCallId: each.id,
            name: each.name,
            content: [{ type: "text" as const, text: firstResult ?? "ok" }],
          })),
        },
        answer,
      ];
    });
}

function request(dialect: Dialect): fc.Arbitrary<IRRequest> {
  return tools.chain((available) => {
    const round = fc.tuple(
      userMessage,
      fc.oneof(
        assistantText.map((one) => [one]),
        toolRound(available),
      ),
    );
    return fc
      .record({
        system: fc.option(text, { nil: undefined }),
        rounds: fc.array(round, { maxLength: 2 }),
        last: userMessage,
        offerTools: fc.boolean(),
        temperature: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
        topP: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
        maxTokens: fc.integer({ min: 1, max: 8192 }),
        stop: fc.option(fc.uniqueArray(text, { minLength: 1, maxLength: 3 }), { nil: undefined }),
        stream: fc.boolean(),
      })
      .map((drawn): IRRequest => {
        const messages = drawn.rounds.flatMap(([user, reply]) => [user, ...reply]);
        messages.push(drawn.last);
        const usesTools = messages.some((message) => message.parts.some((part) => part.type === "tool_call"));
        const built: IRRequest = {
          model: "some-model",
          system: drawn.system === undefined ? [] : [{ text: drawn.system }],
          messages,
          sampling: { maxTokens: drawn.maxTokens },
          stream: drawn.stream,
        };
        if (usesTools || drawn.offerTools) built.tools = available;
        const carries = CARRIES[dialect];
        if (carries.temperatureAndTopP && drawn.temperature !== undefined) {
          built.sampling.temperature = drawn.temperature / 100;
        }
        if (carries.temperatureAndTopP && drawn.topP !== undefined) built.sampling.topP = drawn.topP / 100;
        if (carries.stop && drawn.stop !== undefined) built.sampling.stop = drawn.stop;
        return built;
      });
  });
}

const toolCallParts = fc.array(fc.tuple(toolName, argumentsObject), { maxLength: 2 }).map((calls) =>
  calls.map(
    ([name, args], i): IRToolCallPart => ({
      type: "tool_call",
      id: `call_${i}`,
      name,
      arguments: JSON.stringify(args),
    }),
  ),
);

const usage = fc.record({ inputTokens: fc.nat(100_000), outputTokens: fc.nat(100_000) });

const response = fc
  .record({ answer: fc.option(text, { nil: undefined }), calls: toolCallParts, usage, long: fc.boolean() })
  .filter(({ answer, calls }) => answer !== undefined || calls.length > 0)
  .map(
    ({ answer, calls, usage: counts, long }): IRResponse => ({
      id: "resp_1",
      model: "upstream-model",
      created: 1_750_000_000,
      parts: [...(answer === undefined ? [] : [{ type: "text" as const, text: answer }]), ...calls],
      stopReason: calls.length > 0 ? "tool_use" : long ? "max_tokens" : "end_turn",
      usage: counts,
    }),
  );

/** `value` cut into 1–4 pieces at arbitrary places (never empty pieces). */
function pieces(value: string): fc.Arbitrary<string[]> {
  return fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, value.length - 1) }), { maxLength: 3 })
    .map((cuts) => {
      const sorted = cuts.filter((cut) => cut < value.length).sort((a, b) => a - b);
      const result: string[] = [];
      let start = 0;
      for (const cut of sorted) {
        result.push(value.slice(start, cut));
        start = cut;
      }
      result.push(value.slice(start));
      return result;
    });
}

const streamEvents = response.chain((answer) =>
  fc
    .tuple(
      ...answer.parts.map((part) =>
        pieces(part.type === "text" ? part.text : part.type === "tool_call" ? part.arguments : ""),
      ),
    )
    .map((cuts): IRStreamEvent[] => {
      const events: IRStreamEvent[] = [
        { type: "start", id: "msg_1", model: "upstream-model", created: answer.created },
      ];
      answer.parts.forEach((part, index) => {
        const fragments = cuts[index] ?? [];
        if (part.type === "text")
          for (const fragment of fragments) events.push({ type: "text_delta", index, text: fragment });
        if (part.type === "tool_call") {
          events.push({ type: "tool_call_start", index, id: part.id, name: part.name });
          for (const fragment of fragments)
            events.push({ type: "tool_call_delta", index, argumentsDelta: fragment });
        }
        events.push({ type: "part_end", index });
      });
      events.push({ type: "usage", usage: answer.usage! }, { type: "finish", stopReason: answer.stopReason });
      return events;
    }),
);

// ---------------------------------------------------------------------------------------------
// Normal forms

function normalPart(part: IRPart): unknown {
  switch (part.type) {
    case "text":
      return { type: "text", text: part.text };
    case "image":
      if (part.source.kind === "base64")
        return { type: "image", mediaType: part.source.mediaType, data: part.source.data };
      return part.source.kind === "url"
        ? { type: "image", url: part.source.url }
        : { type: "image", fileId: part.source.fileId };
    case "tool_call":
      return {
        type: "tool_call",
        id: part.id,
        name: part.name,
        arguments: JSON.parse(part.arguments || "{}"),
      };
    case "tool_result":
      return { type: "tool_result", toolCallId: part.toolCallId, content: part.content.map(normalPart) };
    default:
      return { type: part.type };
  }
}

function normalRequest(value: IRRequest): unknown {
  return withStableIds({
    model: value.model,
    system: value.system.map((part) => part.text).join("\n"),
    messages: value.messages.map((message) => ({ role: message.role, parts: message.parts.map(normalPart) })),
    tools: (value.tools ?? []).map((each) => ({
      name: each.name,
      description: each.description,
      parameters: each.parameters,
    })),
    sampling: {
      temperature: value.sampling.temperature,
      topP: value.sampling.topP,
      maxTokens: value.sampling.maxTokens,
      stop: value.sampling.stop,
    },
    stream: value.stream,
  });
}

function normalResponse(value: IRResponse): unknown {
  return withStableIds({
    parts: value.parts.map(normalPart),
    stopReason: value.stopReason,
    usage: value.usage && { inputTokens: value.usage.inputTokens, outputTokens: value.usage.outputTokens },
  });
}

/** A stream's events folded into what they add up to: the parts, the stop reason, the counts. */
function normalStream(events: IRStreamEvent[]): unknown {
  const parts = new Map<number, { type: string; text: string; name?: string; id?: string }>();
  let stopReason: string | undefined;
  let counts: unknown;
  let errors = 0;
  for (const event of events) {
    if (event.type === "text_delta") {
      const part = parts.get(event.index) ?? { type: "text", text: "" };
      part.text += event.text;
      parts.set(event.index, part);
    } else if (event.type === "tool_call_start") {
      parts.set(event.index, { type: "tool_call", text: "", name: event.name, id: event.id });
    } else if (event.type === "tool_call_delta") {
      const part = parts.get(event.index);
      if (part !== undefined) part.text += event.argumentsDelta;
    } else if (event.type === "usage")
      counts = { inputTokens: event.usage.inputTokens, outputTokens: event.usage.outputTokens };
    else if (event.type === "finish") {
      stopReason = event.stopReason;
      if (event.usage !== undefined)
        counts = { inputTokens: event.usage.inputTokens, outputTokens: event.usage.outputTokens };
    } else if (event.type === "error") errors++;
  }
  const ordered = [...parts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, part]) =>
      part.type === "text"
        ? { type: "text", text: part.text }
        : { type: "tool_call", id: part.id, name: part.name, arguments: JSON.parse(part.text || "{}") },
    );
  return withStableIds({ parts: ordered, stopReason, usage: counts, errors });
}

// ---------------------------------------------------------------------------------------------

const RUNS = { numRuns: 150 };

describe.each(DIALECTS.map((dialect) => ({ dialect })))("a trip through $dialect", ({ dialect }) => {
  const codec = CODECS[dialect];

  it("keeps the meaning of a request", () => {
    fc.assert(
      fc.property(request(dialect), (original) => {
        const body = JSON.parse(JSON.stringify(codec.encodeRequest(original)));
        const decoded = codec.decodeRequest(body, { model: original.model, stream: original.stream });
        expect(normalRequest(decoded)).toEqual(normalRequest(original));
      }),
      RUNS,
    );
  });

  it("keeps the meaning of a response", () => {
    fc.assert(
      fc.property(response, (original) => {
        const body = JSON.parse(JSON.stringify(codec.encodeResponse(original, { model: "client-model" })));
        expect(normalResponse(codec.decodeResponse(body))).toEqual(normalResponse(original));
      }),
      RUNS,
    );
  });

  it("keeps the meaning of a stream", () => {
    fc.assert(
      fc.property(streamEvents, (events) => {
        const text = encodeEvents(codec.encodeStream({ model: "client-model", includeUsage: true }), events);
        expect(normalStream(decodeChunks(codec.decodeStream(), [text]))).toEqual(normalStream(events));
      }),
      RUNS,
    );
  });
});
