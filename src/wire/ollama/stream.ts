/**
 * Ollama NDJSON streams ↔ IR stream events. Ollama sends text and thinking as deltas but each
 * tool call whole, and ends with the only `done: true` line, which carries the counts.
 */
import type { EncodeContext, StreamDecoder, StreamEncoder } from "../codec.ts";
import { WireError } from "../errors.ts";
import { randomId } from "../ids.ts";
import type { IRStopReason, IRStreamEvent, IRToolCallPart, IRUsage } from "../ir.ts";
import { argumentsObject, isObject } from "../json.ts";
import { NdjsonParser, ndjsonLine } from "../ndjson.ts";
import { invalidToolArguments, streamMalformed, streamTruncated } from "../upstream-errors.ts";
import { WholeToolCalls } from "../whole-tool-calls.ts";
import {
  decodeCreated,
  decodeDoneReason,
  decodeToolCalls,
  decodeUsage,
  doneFields,
  encodeCreated,
  toolCall,
} from "./common.ts";

export class OllamaStreamDecoder implements StreamDecoder {
  private readonly lines = new NdjsonParser();
  private started = false;
  private ended = false;
  private nextIndex = 0;
  /** The streaming text or reasoning part, if one is open. */
  private open: { kind: "text" | "reasoning"; index: number } | undefined;
  private sawToolCall = false;

  push(chunk: Uint8Array | string): IRStreamEvent[] {
    if (this.ended) return [];
    return this.decodeLines(this.lines.push(chunk));
  }

  end(): IRStreamEvent[] {
    if (this.ended) return [];
    const events = this.decodeLines(this.lines.end());
    if (!this.ended) {
      this.ended = true;
      events.push(streamTruncated("done:true"));
    }
    return events;
  }

  /** The values come before the parser's complaint about the line after them, however the chunks fell. */
  private decodeLines(values: unknown[]): IRStreamEvent[] {
    const events: IRStreamEvent[] = [];
    for (const value of values) {
      if (this.ended) break;
      this.line(value, events);
    }
    if (this.lines.malformed !== undefined && !this.ended) {
      this.ended = true;
      events.push(streamMalformed(this.lines.malformed));
    }
    return events;
  }

  private line(value: unknown, events: IRStreamEvent[]): void {
    if (!isObject(value)) return;
    if (value.error !== undefined) {
      this.ended = true;
      const message = typeof value.error === "string" ? value.error : JSON.stringify(value.error);
      events.push({ type: "error", error: { type: "api_error", status: 502, message } });
      return;
    }
    if (!this.started) {
      this.started = true;
      events.push({
        type: "start",
        id: randomId("ollama-"),
        model: typeof value.model === "string" ? value.model : "",
        created: decodeCreated(value.created_at),
      });
    }
    if (isObject(value.message)) {
      this.delta("reasoning", value.message.thinking, events);
      this.delta("text", value.message.content, events);
      if (value.message.tool_calls !== undefined) this.toolCalls(value.message.tool_calls, events);
    }
    if (value.done === true) {
      this.closeOpen(events);
      this.ended = true;
      events.push({
        type: "finish",
        stopReason: decodeDoneReason(value.done_reason, this.sawToolCall),
        usage: decodeUsage(value),
      });
    }
  }

  private delta(kind: "text" | "reasoning", text: unknown, events: IRStreamEvent[]): void {
    if (typeof text !== "string" || text === "") return;
    if (this.open?.kind !== kind) {
      this.closeOpen(events);
      this.open = { kind, index: this.nextIndex++ };
    }
    const index = this.open.index;
    events.push(
      kind === "text" ? { type: "text_delta", index, text } : { type: "reasoning_delta", index, text },
    );
  }

  private toolCalls(raw: unknown, events: IRStreamEvent[]): void {
    let calls: IRToolCallPart[];
    try {
      calls = decodeToolCalls(raw, "message.tool_calls");
    } catch (error) {
      // The request decoder's 400 for a call it cannot read means, from upstream, a broken stream.
      if (!(error instanceof WireError)) throw error;
      this.ended = true;
      events.push(streamMalformed(error.message));
      return;
    }
    if (calls.length === 0) return;
    this.closeOpen(events);
    for (const call of calls) {
      const index = this.nextIndex++;
      this.sawToolCall = true;
      events.push(
        { type: "tool_call_start", index, id: call.id, name: call.name },
        { type: "tool_call_delta", index, argumentsDelta: call.arguments },
        { type: "part_end", index },
      );
    }
  }

  private closeOpen(events: IRStreamEvent[]): void {
    if (this.open === undefined) return;
    events.push({ type: "part_end", index: this.open.index });
    this.open = undefined;
  }
}

export class OllamaStreamEncoder implements StreamEncoder {
  /** `{"model":…,"created_at":…,` — the same on every line, so built once. */
  private head: string;
  private readonly toolCalls = new WholeToolCalls();
  private usage: IRUsage | undefined;
  private closed = false;

  constructor(private readonly context: EncodeContext) {
    this.head = this.headFor(Math.floor(Date.now() / 1000));
  }

  push(event: IRStreamEvent): string {
    if (this.closed) return "";
    switch (event.type) {
      case "start":
        this.head = this.headFor(event.created);
        if (event.usage !== undefined) this.usage = event.usage;
        return "";
      case "text_delta":
        return this.messageLine(`"content":${JSON.stringify(event.text)}`);
      case "reasoning_delta":
        return this.messageLine(`"content":"","thinking":${JSON.stringify(event.text)}`);
      case "tool_call_start":
        this.toolCalls.start(event.index, event.id, event.name);
        return "";
      case "tool_call_delta":
        this.toolCalls.append(event.index, event.argumentsDelta);
        return "";
      case "part_end":
        return this.flushToolCall(event.index);
      case "usage":
        this.usage = event.usage;
        return "";
      case "finish":
        return this.finish(event.stopReason, event.usage ?? this.usage);
      case "error":
        return this.errorLine(event.error.message);
      default:
        // Signatures and redacted reasoning have no place in Ollama.
        return "";
    }
  }

  end(): string {
    return "";
  }

  private headFor(created: number): string {
    return `{"model":${JSON.stringify(this.context.model)},"created_at":"${encodeCreated(created)}",`;
  }

  private messageLine(fields: string): string {
    return `${this.head}"message":{"role":"assistant",${fields}},"done":false}\n`;
  }

  private errorLine(message: string): string {
    this.closed = true;
    return ndjsonLine({ error: message });
  }

  private flushToolCall(index: number): string {
    const call = this.toolCalls.take(index);
    if (call === undefined) return "";
    const args = argumentsObject(call.args);
    if (args === undefined) return this.errorLine(invalidToolArguments(call.name).message);
    return this.messageLine(`"content":"","tool_calls":${JSON.stringify([toolCall(call.name, args)])}`);
  }

  private finish(stopReason: IRStopReason, usage: IRUsage | undefined): string {
    let text = "";
    for (const index of this.toolCalls.openIndexes()) {
      text += this.flushToolCall(index);
      if (this.closed) return text;
    }
    this.closed = true;
    const fields = JSON.stringify(doneFields(stopReason, usage)).slice(1);
    return `${text}${this.head}"message":{"role":"assistant","content":""},${fields}\n`;
  }
}
