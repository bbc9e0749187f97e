/**
 * Gemini streams: a sequence of whole `GenerateContentResponse` chunks, either as SSE
 * (`alt=sse`: `data: {...}\r\n\r\n`) or, without `alt=sse`, as one JSON array whose elements
 * arrive one by one. The last chunk carries `finishReason` and `usageMetadata`; there is no
 * other terminator. The decoder tells the two framings apart by the first character.
 *
 * Each chunk holds new parts, not deltas of earlier ones: consecutive text (or thought) parts
 * are one IR part, a change of kind starts the next, and every function call arrives whole
 * (IR start, one arguments delta, end). Thought signatures ride on the part they arrived with;
 * the encoder sends a signature that follows text as an empty text part, as Gemini does.
 */
import type { EncodeContext, StreamDecoder, StreamEncoder } from "../codec.ts";
import { randomId } from "../ids.ts";
import type { IRError, IRStopReason, IRStreamEvent, IRUsage } from "../ir.ts";
import {
  argumentsObject,
  isObject,
  type JsonObject,
  objectField,
  parseJsonOrUndefined,
  stringField,
} from "../json.ts";
import { SseParser } from "../sse.ts";
import { invalidToolArguments, streamMalformed, streamTruncated } from "../upstream-errors.ts";
import { WholeToolCalls } from "../whole-tool-calls.ts";
import { decodeError, errorObject } from "./errors.ts";
import { JsonArraySplitter } from "./json-array.ts";
import {
  decodeCreated,
  decodeFinishReason,
  decodeUsage,
  encodeFinishReason,
  encodeUsage,
  firstCandidate,
  functionCallPart,
} from "./response.ts";

// ---------------------------------------------------------------------------------------------
// Encoding IR events as a Gemini stream

export class GeminiStreamEncoder implements StreamEncoder {
  private readonly framing: "sse" | "json-array";
  private chunks = 0;
  private closed = false;
  /** `,"modelVersion":…,"responseId":…}`: the same tail on every chunk. */
  private tail = "";
  private usage: IRUsage | undefined;
  private readonly calls = new WholeToolCalls();
  private readonly thoughts = new Set<number>();

  constructor(private readonly context: EncodeContext) {
    this.framing = context.framing ?? "sse";
    this.setId(randomId("resp_"));
  }

  push(event: IRStreamEvent): string {
    if (this.closed) return "";
    switch (event.type) {
      case "start":
        this.setId(event.id);
        if (event.usage) this.usage = event.usage;
        return "";
      case "text_delta":
        return event.text === "" ? "" : this.parts(`{"text":${JSON.stringify(event.text)}}`);
      case "reasoning_delta":
        this.thoughts.add(event.index);
        return event.text === "" ? "" : this.parts(`{"text":${JSON.stringify(event.text)},"thought":true}`);
      case "thought_signature":
        return this.signature(event.index, event.signature);
      case "tool_call_start":
        this.calls.start(event.index, event.id, event.name);
        return "";
      case "tool_call_delta":
        this.calls.append(event.index, event.argumentsDelta);
        return "";
      case "part_end":
        return this.flushCall(event.index);
      case "usage":
        this.usage = event.usage;
        return "";
      case "finish":
        return this.finish(event.stopReason, event.usage ?? this.usage);
      case "error":
        return this.fail(event.error);
      default:
        // Anthropic signatures and redacted thinking mean nothing to Gemini.
        return "";
    }
  }

  end(): string {
    if (this.framing !== "json-array") return "";
    return this.chunks === 0 ? "[]" : "]";
  }

  private setId(id: string): void {
    this.tail = `,"modelVersion":${JSON.stringify(this.context.model)},"responseId":${JSON.stringify(id)}}`;
  }

  private frame(json: string): string {
    const first = this.chunks++ === 0;
    if (this.framing === "sse") return `data: ${json}\r\n\r\n`;
    return `${first ? "[" : ",\r\n"}${json}`;
  }

  private parts(parts: string, candidateTail = "", usage = ""): string {
    return this.frame(
      `{"candidates":[{"content":{"parts":[${parts}],"role":"model"}${candidateTail},"index":0}]${usage}${this.tail}`,
    );
  }

  private signature(index: number, signature: string): string {
    const call = this.calls.get(index);
    if (call) {
      call.signature = signature;
      return "";
    }
    const thought = this.thoughts.has(index) ? `,"thought":true` : "";
    return this.parts(`{"text":""${thought},"thoughtSignature":${JSON.stringify(signature)}}`);
  }

  private flushCall(index: number): string {
    const call = this.calls.take(index);
    if (call === undefined) return "";
    const args = argumentsObject(call.args);
    if (args === undefined) return this.fail(invalidToolArguments(call.name).error);
    return this.parts(JSON.stringify(functionCallPart(call.id, call.name, args, call.signature)));
  }

  private finish(stopReason: IRStopReason, usage: IRUsage | undefined): string {
    let out = "";
    for (const index of this.calls.openIndexes()) {
      out += this.flushCall(index);
      if (this.closed) return out;
    }
    this.closed = true;
    const usageJson = usage ? `,"usageMetadata":${JSON.stringify(encodeUsage(usage))}` : "";
    return out + this.parts(`{"text":""}`, `,"finishReason":"${encodeFinishReason(stopReason)}"`, usageJson);
  }

  private fail(error: IRError): string {
    this.closed = true;
    return this.frame(JSON.stringify({ error: errorObject(error) }));
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding an upstream Gemini stream into IR events

export class GeminiStreamDecoder implements StreamDecoder {
  private readonly text = new TextDecoder();
  private sse: SseParser | undefined;
  private array: JsonArraySplitter | undefined;
  private started = false;
  private done = false;
  private nextIndex = 0;
  /** The text or thought part later text of the same kind continues. */
  private open: { index: number; thought: boolean } | undefined;
  private sawToolCall = false;
  private usage: IRUsage | undefined;

  push(chunk: Uint8Array | string): IRStreamEvent[] {
    const text = typeof chunk === "string" ? chunk : this.text.decode(chunk, { stream: true });
    return this.feed(text);
  }

  end(): IRStreamEvent[] {
    const events = this.feed(this.text.decode());
    if (this.sse) for (const frame of this.sse.end()) this.chunkText(frame.data, events);
    if (!this.done) {
      this.done = true;
      events.push(streamTruncated("a chunk with finishReason"));
    }
    return events;
  }

  private feed(text: string): IRStreamEvent[] {
    const events: IRStreamEvent[] = [];
    if (this.done || text === "") return events;
    if (!this.sse && !this.array) {
      const first = text.trimStart();
      if (first === "") return events;
      if (first.startsWith("[")) this.array = new JsonArraySplitter();
      else this.sse = new SseParser();
      text = first;
    }
    if (this.sse) {
      for (const frame of this.sse.push(text)) this.chunkText(frame.data, events);
    } else if (this.array) {
      for (const element of this.array.push(text)) this.chunkText(element, events);
      if (this.array.malformed !== undefined && !this.done) {
        this.done = true;
        events.push(streamMalformed(this.array.malformed));
      }
    }
    return events;
  }

  private chunkText(json: string, events: IRStreamEvent[]): void {
    if (this.done) return;
    const chunk = parseJsonOrUndefined(json);
    if (!isObject(chunk)) {
      this.done = true;
      events.push(streamMalformed(`not a GenerateContentResponse: ${json.slice(0, 80)}`));
      return;
    }
    this.chunk(chunk, events);
  }

  private chunk(chunk: JsonObject, events: IRStreamEvent[]): void {
    const error = objectField(chunk, "error");
    if (error) {
      this.done = true;
      const code = error.code;
      events.push({ type: "error", error: decodeError(typeof code === "number" ? code : 500, chunk) });
      return;
    }
    if (!this.started) {
      this.started = true;
      events.push({
        type: "start",
        id: stringField(chunk, "responseId") ?? randomId("resp_"),
        model: stringField(chunk, "modelVersion") ?? "",
        created: decodeCreated(chunk),
      });
    }
    const usage = decodeUsage(chunk.usageMetadata);
    if (usage) this.usage = usage;
    const candidate = firstCandidate(chunk);
    const parts = objectField(candidate, "content")?.parts;
    if (Array.isArray(parts)) for (const part of parts) if (isObject(part)) this.part(part, events);
    const reason = stringField(candidate, "finishReason");
    if (reason !== undefined) this.finish(decodeFinishReason(reason, this.sawToolCall), events);
    else if (candidate === undefined && objectField(chunk, "promptFeedback")?.blockReason !== undefined) {
      this.finish("content_filter", events);
    }
  }

  private part(part: JsonObject, events: IRStreamEvent[]): void {
    const signature = stringField(part, "thoughtSignature");
    const call = objectField(part, "functionCall");
    if (call) {
      this.closeOpen(events);
      this.sawToolCall = true;
      const index = this.nextIndex++;
      const id = stringField(call, "id") ?? randomId("call_");
      events.push({ type: "tool_call_start", index, id, name: stringField(call, "name") ?? "" });
      events.push({
        type: "tool_call_delta",
        index,
        argumentsDelta: JSON.stringify(objectField(call, "args") ?? {}),
      });
      if (signature !== undefined) events.push({ type: "thought_signature", index, signature });
      events.push({ type: "part_end", index });
      return;
    }
    const text = stringField(part, "text");
    if (text === undefined) return;
    const thought = part.thought === true;
    if (text !== "" && this.open?.thought !== thought) this.openPart(thought, events);
    if (text !== "") {
      const index = this.open?.index ?? 0;
      events.push(thought ? { type: "reasoning_delta", index, text } : { type: "text_delta", index, text });
    }
    if (signature !== undefined) {
      // An empty part that only carries a signature belongs to the text before it.
      const index = this.open?.index ?? this.openPart(thought, events);
      events.push({ type: "thought_signature", index, signature });
    }
  }

  private openPart(thought: boolean, events: IRStreamEvent[]): number {
    this.closeOpen(events);
    const index = this.nextIndex++;
    this.open = { index, thought };
    return index;
  }

  private closeOpen(events: IRStreamEvent[]): void {
    if (this.open === undefined) return;
    events.push({ type: "part_end", index: this.open.index });
    this.open = undefined;
  }

  private finish(stopReason: IRStopReason, events: IRStreamEvent[]): void {
    this.closeOpen(events);
    this.done = true;
    const finish: IRStreamEvent = { type: "finish", stopReason };
    if (this.usage) finish.usage = this.usage;
    events.push(finish);
  }
}
