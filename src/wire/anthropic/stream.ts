/**
 * Anthropic Messages streams (named SSE events from `message_start` to `message_stop`, no
 * `[DONE]`) to and from IR stream events. The encoder numbers content blocks 0, 1, … in the
 * order it opens them, whatever the IR's part indexes, and closes each block before the next.
 */
import type { EncodeContext, StreamEncoder } from "../codec.ts";
import { randomId } from "../ids.ts";
import type { IRStreamEvent, IRUsage } from "../ir.ts";
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
import { decodeStreamError, errorEnvelope } from "./errors.ts";
import {
  countsToUsage,
  decodeStopReason,
  emptyCounts,
  encodeUsage,
  mergeCounts,
  STOP_REASON,
} from "./response.ts";

// ---------------------------------------------------------------------------------------------
// Decoding

export class AnthropicStreamDecoder extends SseStreamDecoder {
  private started = false;
  private readonly counts = emptyCounts();
  private stopReason: unknown;
  private stopSequence: string | undefined;
  /** Blocks with no IR counterpart (server tools): their deltas and stops are dropped. */
  private readonly ignored = new Set<number>();

  constructor() {
    super("message_stop");
  }

  protected frame(data: string, events: IRStreamEvent[]): void {
    if (data === "") return;
    const event = parseJsonOrUndefined(data);
    if (!isObject(event)) {
      this.fail(streamMalformed("an event is not a JSON object"), events);
      return;
    }
    // The data's own `type` names the event; the SSE `event:` line repeats it.
    switch (event.type) {
      case "message_start":
        this.start(objectField(event, "message"), events);
        return;
      case "content_block_start":
        this.start(undefined, events);
        this.blockStart(numberField(event, "index") ?? 0, objectField(event, "content_block"), events);
        return;
      case "content_block_delta":
        this.start(undefined, events);
        this.blockDelta(numberField(event, "index") ?? 0, objectField(event, "delta"), events);
        return;
      case "content_block_stop": {
        const index = numberField(event, "index") ?? 0;
        if (!this.ignored.has(index)) events.push({ type: "part_end", index });
        return;
      }
      case "message_delta": {
        const delta = objectField(event, "delta");
        if (delta?.stop_reason !== undefined && delta.stop_reason !== null)
          this.stopReason = delta.stop_reason;
        const stopSequence = stringField(delta, "stop_sequence");
        if (stopSequence !== undefined) this.stopSequence = stopSequence;
        const usage = objectField(event, "usage");
        if (usage !== undefined) mergeCounts(this.counts, usage);
        return;
      }
      case "message_stop": {
        this.start(undefined, events);
        const finish: IRStreamEvent = {
          type: "finish",
          stopReason: decodeStopReason(this.stopReason),
          usage: countsToUsage(this.counts),
        };
        if (this.stopSequence !== undefined) finish.stopSequence = this.stopSequence;
        events.push(finish);
        this.ended = true;
        return;
      }
      case "error":
        this.fail({ type: "error", error: decodeStreamError(event) }, events);
        return;
      default:
        // `ping`, and event types added after this was written (the API reserves the right).
        return;
    }
  }

  private start(message: JsonObject | undefined, events: IRStreamEvent[]): void {
    if (this.started) return;
    this.started = true;
    const usage = objectField(message, "usage");
    if (usage !== undefined) mergeCounts(this.counts, usage);
    const start: IRStreamEvent = {
      type: "start",
      id: stringField(message, "id") ?? randomId("msg_"),
      model: stringField(message, "model") ?? "",
      created: Math.floor(Date.now() / 1000),
    };
    if (usage !== undefined) start.usage = countsToUsage(this.counts);
    events.push(start);
  }

  private blockStart(index: number, block: JsonObject | undefined, events: IRStreamEvent[]): void {
    switch (block?.type) {
      case "text": {
        const text = stringField(block, "text");
        if (text) events.push({ type: "text_delta", index, text });
        return;
      }
      case "thinking": {
        const text = stringField(block, "thinking");
        if (text) events.push({ type: "reasoning_delta", index, text });
        const signature = stringField(block, "signature");
        if (signature) events.push({ type: "reasoning_signature", index, signature });
        return;
      }
      case "redacted_thinking":
        events.push({ type: "redacted_reasoning", index, data: stringField(block, "data") ?? "" });
        return;
      case "tool_use": {
        events.push({
          type: "tool_call_start",
          index,
          id: stringField(block, "id") ?? randomId("toolu_"),
          name: stringField(block, "name") ?? "",
        });
        // The input streams as JSON deltas; a non-empty input here came whole.
        const input = block.input;
        if (isObject(input) && Object.keys(input).length > 0) {
          events.push({ type: "tool_call_delta", index, argumentsDelta: JSON.stringify(input) });
        }
        return;
      }
      default:
        this.ignored.add(index);
    }
  }

  private blockDelta(index: number, delta: JsonObject | undefined, events: IRStreamEvent[]): void {
    if (this.ignored.has(index) || delta === undefined) return;
    switch (delta.type) {
      case "text_delta": {
        const text = stringField(delta, "text");
        if (text) events.push({ type: "text_delta", index, text });
        return;
      }
      case "input_json_delta": {
        const json = stringField(delta, "partial_json");
        if (json) events.push({ type: "tool_call_delta", index, argumentsDelta: json });
        return;
      }
      case "thinking_delta": {
        const text = stringField(delta, "thinking");
        if (text) events.push({ type: "reasoning_delta", index, text });
        return;
      }
      case "signature_delta": {
        const signature = stringField(delta, "signature");
        if (signature) events.push({ type: "reasoning_signature", index, signature });
        return;
      }
      default:
        // citations_delta: the IR keeps no citations.
        return;
    }
  }

  protected override fail(error: IRStreamEvent, events: IRStreamEvent[]): void {
    this.start(undefined, events);
    super.fail(error, events);
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

const BLOCK_DELTA = '{"type":"content_block_delta","index":';
const TEXT_BLOCK = '{"type":"text","text":""}';
const THINKING_BLOCK = '{"type":"thinking","thinking":"","signature":""}';
const NO_USAGE: IRUsage = { inputTokens: 0, outputTokens: 0 };

export class AnthropicStreamEncoder implements StreamEncoder {
  private readonly model: string;
  private started = false;
  private closed = false;
  private nextBlock = 0;
  /** Content-block index of each IR part that has had a block. */
  private readonly blocks = new Map<number, number>();
  private openPart = -1;
  private openBlock = -1;
  private usage: IRUsage | undefined;

  constructor(context: EncodeContext) {
    this.model = context.model;
  }

  push(event: IRStreamEvent): string {
    if (this.closed) return "";
    switch (event.type) {
      case "start":
        return this.start(event.id, event.usage);
      case "text_delta":
        if (event.text === "") return "";
        return this.delta(
          event.index,
          TEXT_BLOCK,
          `{"type":"text_delta","text":${JSON.stringify(event.text)}}`,
        );
      case "reasoning_delta":
        if (event.text === "") return "";
        return this.delta(
          event.index,
          THINKING_BLOCK,
          `{"type":"thinking_delta","thinking":${JSON.stringify(event.text)}}`,
        );
      case "reasoning_signature":
        return this.delta(
          event.index,
          THINKING_BLOCK,
          `{"type":"signature_delta","signature":${JSON.stringify(event.signature)}}`,
        );
      case "redacted_reasoning":
        return this.open(event.index, `{"type":"redacted_thinking","data":${JSON.stringify(event.data)}}`);
      case "tool_call_start":
        return this.open(
          event.index,
          `{"type":"tool_use","id":${JSON.stringify(event.id)},"name":${JSON.stringify(event.name)},"input":{}}`,
        );
      case "tool_call_delta":
        if (event.argumentsDelta === "") return "";
        return this.delta(
          event.index,
          undefined,
          `{"type":"input_json_delta","partial_json":${JSON.stringify(event.argumentsDelta)}}`,
        );
      case "part_end":
        return event.index === this.openPart ? this.closeOpenBlock() : "";
      case "usage":
        this.usage = event.usage;
        return "";
      case "finish":
        return this.finish(STOP_REASON[event.stopReason], event.stopSequence, event.usage ?? this.usage);
      case "error":
        this.closed = true;
        return sseFrame(JSON.stringify(errorEnvelope(event.error)), "error");
      case "thought_signature":
        return "";
    }
  }

  /** Events that stop without a finish must not look like a complete answer to the client. */
  end(): string {
    return this.closed ? "" : this.push(streamTruncated("its finish event"));
  }

  private start(id: string, usage: IRUsage | undefined): string {
    if (this.started) return "";
    this.started = true;
    this.usage = usage;
    // With an OpenAI-style upstream the counts come only at the end; message_delta repeats them all.
    const message = `{"id":${JSON.stringify(id)},"type":"message","role":"assistant","model":${JSON.stringify(this.model)},"content":[],"stop_reason":null,"stop_sequence":null,"usage":${JSON.stringify(encodeUsage(usage ?? NO_USAGE))}}`;
    return sseFrame(`{"type":"message_start","message":${message}}`, "message_start");
  }

  private opening(): string {
    return this.started ? "" : this.start(randomId("msg_"), undefined);
  }

  /** A delta for a part; a part seen for the first time opens its block (unless it cannot: `undefined`). */
  private delta(part: number, block: string | undefined, delta: string): string {
    if (part === this.openPart) return blockDelta(this.openBlock, delta);
    const known = this.blocks.get(part);
    if (known !== undefined) return blockDelta(known, delta);
    if (block === undefined) return "";
    const opened = this.open(part, block);
    return opened + blockDelta(this.openBlock, delta);
  }

  private open(part: number, block: string): string {
    const before = this.opening() + this.closeOpenBlock();
    const index = this.nextBlock++;
    this.blocks.set(part, index);
    this.openPart = part;
    this.openBlock = index;
    return (
      before +
      sseFrame(
        `{"type":"content_block_start","index":${index},"content_block":${block}}`,
        "content_block_start",
      )
    );
  }

  private closeOpenBlock(): string {
    if (this.openPart === -1) return "";
    const index = this.openBlock;
    this.openPart = -1;
    this.openBlock = -1;
    return sseFrame(`{"type":"content_block_stop","index":${index}}`, "content_block_stop");
  }

  private finish(stopReason: string, stopSequence: string | undefined, usage: IRUsage | undefined): string {
    const before = this.opening() + this.closeOpenBlock();
    this.closed = true;
    const sequence = stopSequence === undefined ? "null" : JSON.stringify(stopSequence);
    const counts = JSON.stringify(encodeUsage(usage ?? NO_USAGE));
    return (
      before +
      sseFrame(
        `{"type":"message_delta","delta":{"stop_reason":"${stopReason}","stop_sequence":${sequence}},"usage":${counts}}`,
        "message_delta",
      ) +
      sseFrame('{"type":"message_stop"}', "message_stop")
    );
  }
}

function blockDelta(block: number, delta: string): string {
  return sseFrame(`${BLOCK_DELTA}${block},"delta":${delta}}`, "content_block_delta");
}
