/**
 * OpenAI Chat Completions streams (`chat.completion.chunk` SSE frames ending in `data: [DONE]`)
 * to and from IR stream events. Both directions run per chunk on the gateway's hot path: the
 * encoder writes each frame by concatenating a prefix it builds once, never re-serialising.
 */
import type { EncodeContext, StreamEncoder } from "../codec.ts";
import { randomId } from "../ids.ts";
import type { IRError, IRStreamEvent, IRUsage } from "../ir.ts";
import {
  isObject,
  type JsonObject,
  numberField,
  objectField,
  parseJsonOrUndefined,
  stringField,
} from "../json.ts";
import { SseStreamDecoder, sseFrame } from "../sse.ts";
import { streamMalformed, streamTruncated } from "../upstream-errors.ts";
import { decodeError, errorObject } from "./errors.ts";
import {
  decodeFinishReason,
  decodeUsage,
  encodeUsage,
  FINISH_REASON,
  firstChoice,
  reasoningText,
} from "./response.ts";

// ---------------------------------------------------------------------------------------------
// Decoding

type PartKind = "text" | "reasoning" | "tool";

/**
 * OpenAI streams reasoning, text and tool calls as fields of one delta; the IR wants parts. A
 * part stays open while deltas of its kind keep coming and ends when another kind starts.
 */
export class OpenAIChatStreamDecoder extends SseStreamDecoder {
  private started = false;
  private nextIndex = 0;
  private openIndex = -1;
  private openKind: PartKind | undefined;
  private openToolIndex = -1;
  /** IR part index of each tool call, by the upstream's tool-call index. */
  private readonly toolParts = new Map<number, number>();
  private finishReason: unknown;
  private usage: IRUsage | undefined;

  constructor() {
    super("data: [DONE]");
  }

  protected frame(data: string, events: IRStreamEvent[]): void {
    // Some compatible servers send keep-alive frames with no data.
    if (data === "") return;
    if (data === "[DONE]") {
      this.start(undefined, events);
      this.closeOpenPart(events);
      const finish: IRStreamEvent = {
        type: "finish",
        stopReason: decodeFinishReason(this.finishReason, this.toolParts.size > 0),
      };
      if (this.usage !== undefined) finish.usage = this.usage;
      events.push(finish);
      this.ended = true;
      return;
    }
    const chunk = parseJsonOrUndefined(data);
    if (!isObject(chunk)) {
      this.fail(streamMalformed("a chunk is not a JSON object"), events);
      return;
    }
    if (chunk.error !== undefined) {
      this.fail({ type: "error", error: streamError(chunk) }, events);
      return;
    }
    this.start(chunk, events);
    // Usage arrives on a final `choices: []` chunk, on the last choice chunk, or (Groq) in x_groq.
    const usage = decodeUsage(chunk.usage) ?? decodeUsage(objectField(objectField(chunk, "x_groq"), "usage"));
    if (usage !== undefined) this.usage = usage;
    const choice = Array.isArray(chunk.choices) ? firstChoice(chunk.choices) : undefined;
    if (choice === undefined) return;
    const delta = objectField(choice, "delta");
    if (delta !== undefined) this.delta(delta, events);
    if (typeof choice.finish_reason === "string") this.finishReason = choice.finish_reason;
  }

  private start(chunk: JsonObject | undefined, events: IRStreamEvent[]): void {
    if (this.started) return;
    this.started = true;
    // Azure opens with a content-filter chunk whose id is "" and created 0.
    events.push({
      type: "start",
      id: stringField(chunk, "id") || randomId("chatcmpl-"),
      model: stringField(chunk, "model") ?? "",
      created: numberField(chunk, "created") || Math.floor(Date.now() / 1000),
    });
  }

  private delta(delta: JsonObject, events: IRStreamEvent[]): void {
    const reasoning = reasoningText(delta);
    if (reasoning)
      events.push({ type: "reasoning_delta", index: this.enter("reasoning", -1, events), text: reasoning });
    const content = delta.content;
    if (typeof content === "string" && content !== "") {
      events.push({ type: "text_delta", index: this.enter("text", -1, events), text: content });
    }
    const refusal = delta.refusal;
    if (typeof refusal === "string" && refusal !== "") {
      events.push({ type: "text_delta", index: this.enter("text", -1, events), text: refusal });
    }
    if (Array.isArray(delta.tool_calls)) {
      for (let position = 0; position < delta.tool_calls.length; position++) {
        const call = delta.tool_calls[position];
        if (isObject(call))
          this.toolCall(numberField(call, "index") ?? position, call, objectField(call, "function"), events);
      }
    }
    const legacy = objectField(delta, "function_call");
    if (legacy !== undefined) this.toolCall(0, legacy, legacy, events);
  }

  private toolCall(
    toolIndex: number,
    call: JsonObject,
    fn: JsonObject | undefined,
    events: IRStreamEvent[],
  ): void {
    let index = this.toolParts.get(toolIndex);
    if (index === undefined) {
      index = this.enter("tool", toolIndex, events);
      this.toolParts.set(toolIndex, index);
      events.push({
        type: "tool_call_start",
        index,
        id: stringField(call, "id") ?? randomId("call_"),
        name: stringField(fn, "name") ?? "",
      });
    }
    const args = stringField(fn, "arguments");
    // A delta for a tool call that is no longer the open part still belongs to that call.
    if (args) events.push({ type: "tool_call_delta", index, argumentsDelta: args });
  }

  /** The IR index of the part this delta belongs to, ending the open part if it is another one. */
  private enter(kind: PartKind, toolIndex: number, events: IRStreamEvent[]): number {
    if (this.openKind === kind && this.openToolIndex === toolIndex) return this.openIndex;
    this.closeOpenPart(events);
    this.openKind = kind;
    this.openToolIndex = toolIndex;
    this.openIndex = this.nextIndex++;
    return this.openIndex;
  }

  private closeOpenPart(events: IRStreamEvent[]): void {
    if (this.openKind === undefined) return;
    events.push({ type: "part_end", index: this.openIndex });
    this.openKind = undefined;
  }

  protected override fail(error: IRStreamEvent, events: IRStreamEvent[]): void {
    this.start(undefined, events);
    super.fail(error, events);
  }
}

function streamError(chunk: JsonObject): IRError {
  const status =
    numberField(objectField(chunk, "error"), "status") ?? numberField(objectField(chunk, "error"), "code");
  return decodeError(status !== undefined && status >= 400 && status < 600 ? status : 500, chunk);
}

// ---------------------------------------------------------------------------------------------
// Encoding

export class OpenAIChatStreamEncoder implements StreamEncoder {
  private readonly includeUsage: boolean;
  private readonly model: string;
  /** `{"id":…,"object":"chat.completion.chunk","created":…,"model":…,` — the fields every chunk repeats. */
  private envelope = "";
  /** Everything before the delta of a choice chunk. */
  private head = "";
  /** Everything after the delta of a choice chunk that does not finish. */
  private tail = "";
  private started = false;
  private closed = false;
  private nextToolIndex = 0;
  /** OpenAI tool-call index (0, 1, …) of each IR tool-call part. */
  private readonly toolIndexes = new Map<number, number>();
  private usage: IRUsage | undefined;

  constructor(context: EncodeContext) {
    this.includeUsage = context.includeUsage === true;
    this.model = context.model;
  }

  push(event: IRStreamEvent): string {
    if (this.closed) return "";
    switch (event.type) {
      case "start":
        return this.start(event.id, event.created);
      case "text_delta":
        return event.text === "" ? "" : this.chunk(`{"content":${JSON.stringify(event.text)}}`);
      case "reasoning_delta":
        return event.text === "" ? "" : this.chunk(`{"reasoning_content":${JSON.stringify(event.text)}}`);
      case "tool_call_start": {
        const toolIndex = this.nextToolIndex++;
        this.toolIndexes.set(event.index, toolIndex);
        return this.chunk(
          `{"tool_calls":[{"index":${toolIndex},"id":${JSON.stringify(event.id)},"type":"function","function":{"name":${JSON.stringify(event.name)},"arguments":""}}]}`,
        );
      }
      case "tool_call_delta": {
        const toolIndex = this.toolIndexes.get(event.index);
        if (toolIndex === undefined || event.argumentsDelta === "") return "";
        return this.chunk(
          `{"tool_calls":[{"index":${toolIndex},"function":{"arguments":${JSON.stringify(event.argumentsDelta)}}}]}`,
        );
      }
      case "usage":
        this.usage = event.usage;
        return "";
      case "finish":
        return this.finish(FINISH_REASON[event.stopReason], event.usage ?? this.usage);
      case "error":
        this.closed = true;
        return sseFrame(JSON.stringify({ error: errorObject(event.error) }));
      default:
        // Signatures and part boundaries have no place in this dialect.
        return "";
    }
  }

  /** Events that stop without a finish must not look like a complete answer to the client. */
  end(): string {
    return this.closed ? "" : this.push(streamTruncated("its finish event"));
  }

  private start(id: string, created: number): string {
    if (this.started) return "";
    this.started = true;
    this.envelope = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(this.model)},`;
    this.head = `${this.envelope}"choices":[{"index":0,"delta":`;
    this.tail = `,"logprobs":null,"finish_reason":null}]${this.includeUsage ? ',"usage":null' : ""}}`;
    return sseFrame(`${this.head}{"role":"assistant","content":""}${this.tail}`);
  }

  private opening(): string {
    return this.started ? "" : this.start(randomId("chatcmpl-"), Math.floor(Date.now() / 1000));
  }

  private chunk(delta: string): string {
    const opening = this.opening();
    return opening + sseFrame(this.head + delta + this.tail);
  }

  private finish(finishReason: string, usage: IRUsage | undefined): string {
    const usageNull = this.includeUsage ? ',"usage":null' : "";
    let text = this.opening();
    text += sseFrame(`${this.head}{},"logprobs":null,"finish_reason":"${finishReason}"}]${usageNull}}`);
    if (this.includeUsage) {
      const usageBody = JSON.stringify(encodeUsage(usage ?? { inputTokens: 0, outputTokens: 0 }));
      text += sseFrame(`${this.envelope}"choices":[],"usage":${usageBody}}`);
    }
    this.closed = true;
    return text + sseFrame("[DONE]");
  }
}
