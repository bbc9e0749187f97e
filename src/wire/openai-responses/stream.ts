/**
 * OpenAI Responses streams: typed SSE events (`event: response.output_text.delta` …), each with
 * a `sequence_number` counting from 0, ending with `response.completed` (or
 * `response.incomplete` / `response.failed`). No `[DONE]`.
 *
 * The event model nests where the IR is flat: output items (message, function_call, reasoning)
 * hold content parts (output_text) or summary parts, each opened with `.added` and closed with
 * `.done` events that repeat the full text. The encoder therefore keeps each open part's text
 * and every finished item, which `response.completed` repeats as `output`. Consecutive IR text
 * parts share one message item, which closes when another kind of item starts or at the end.
 * An error after the start closes the open items as `incomplete`, so that `response.failed`
 * lists what was streamed, as the openai SDK's stream helper expects of a failed response.
 *
 * A function call's items and events use the names the client knows (namespaces.ts), looked
 * up once when the call starts.
 *
 * IR stream events carry no encrypted reasoning, so a reasoning item's `encrypted_content`
 * travels as a `reasoning_signature` event — the IR's slot for an opaque token that lets the
 * provider resume its own reasoning.
 */
import type { EncodeContext, StreamEncoder } from "../codec.ts";
import { randomId } from "../ids.ts";
import type { IRError, IRStopReason, IRStreamEvent, IRUsage } from "../ir.ts";
import {
  isObject,
  type JsonObject,
  numberField,
  objectField,
  parseJsonOrUndefined,
  stringField,
} from "../json.ts";
import { SseStreamDecoder, sseFrame } from "../sse.ts";
import { streamMalformed } from "../upstream-errors.ts";
import { type ClientToolName, clientToolName } from "./namespaces.ts";
import {
  applyStop,
  decodeResponseError,
  decodeStop,
  decodeUsage,
  functionCallItem,
  type ItemStatus,
  messageItem,
  outputText,
  type ResponseStatus,
  reasoningItem,
  reasoningText,
  responseEnvelope,
  responseErrorCode,
  responseId,
  summaryText,
} from "./response.ts";

// ---------------------------------------------------------------------------------------------
// Encoding IR events as a Responses stream

interface TextState {
  kind: "text";
  open: boolean;
  outputIndex: number;
  itemId: string;
  contentIndex: number;
  text: string;
}

interface ReasoningState {
  kind: "reasoning";
  open: boolean;
  outputIndex: number;
  itemId: string;
  text: string;
  summaryOpen: boolean;
  encrypted?: string;
}

interface ToolState {
  kind: "tool";
  open: boolean;
  outputIndex: number;
  itemId: string;
  callId: string;
  name: ClientToolName;
  args: string;
}

type PartState = TextState | ReasoningState | ToolState;

interface OpenMessage {
  outputIndex: number;
  itemId: string;
  texts: TextState[];
}

export class ResponsesStreamEncoder implements StreamEncoder {
  private sequence = 0;
  private started = false;
  private closed = false;
  private id = "";
  private created = 0;
  private usage: IRUsage | undefined;
  private nextOutputIndex = 0;
  /** Finished output items by output index, for `response.completed`. */
  private readonly finished: JsonObject[] = [];
  private readonly parts = new Map<number, PartState>();
  private message: OpenMessage | undefined;

  constructor(private readonly context: EncodeContext) {}

  push(event: IRStreamEvent): string {
    if (this.closed) return "";
    if (event.type === "start") return this.start(event.id, event.created, event.usage);
    if (event.type === "error") return this.fail(event.error);
    // A stream that skipped `start` still needs the lifecycle events the SDKs wait for.
    const head = this.started ? "" : this.start(randomId("resp_"), Math.floor(Date.now() / 1000), undefined);
    switch (event.type) {
      case "text_delta":
        return head + this.textDelta(event.index, event.text);
      case "reasoning_delta":
        return head + this.reasoningDelta(event.index, event.text);
      case "reasoning_signature":
        return head + this.reasoningSignature(event.index, event.signature);
      case "tool_call_start":
        return head + this.toolStart(event.index, event.id, event.name);
      case "tool_call_delta":
        return head + this.toolDelta(event.index, event.argumentsDelta);
      case "part_end":
        return head + this.partEnd(event.index);
      case "usage":
        this.usage = event.usage;
        return head;
      case "finish":
        return head + this.finish(event.stopReason, event.usage ?? this.usage);
      default:
        // Redacted reasoning and Gemini thought signatures have no place in a Responses stream.
        return head;
    }
  }

  end(): string {
    return "";
  }

  private emit(type: string, fields: JsonObject): string {
    return sseFrame(JSON.stringify({ type, sequence_number: this.sequence++, ...fields }), type);
  }

  private envelope(status: ResponseStatus, usage: IRUsage | undefined): JsonObject {
    const output = this.finished.filter((item) => item !== undefined);
    return responseEnvelope(this.id, this.context.model, this.created, status, output, usage);
  }

  private start(id: string, created: number, usage: IRUsage | undefined): string {
    if (this.started) return "";
    this.started = true;
    this.id = responseId(id);
    this.created = created;
    this.usage = usage;
    const response = this.envelope("in_progress", undefined);
    return this.emit("response.created", { response }) + this.emit("response.in_progress", { response });
  }

  private addItem(item: JsonObject): { outputIndex: number; text: string } {
    const outputIndex = this.nextOutputIndex++;
    return {
      outputIndex,
      text: this.emit("response.output_item.added", { output_index: outputIndex, item }),
    };
  }

  private finishItem(outputIndex: number, item: JsonObject): string {
    this.finished[outputIndex] = item;
    return this.emit("response.output_item.done", { output_index: outputIndex, item });
  }

  private textDelta(index: number, delta: string): string {
    let out = "";
    let part = this.parts.get(index);
    if (part === undefined || (part.kind === "text" && !part.open)) {
      const opened = this.openText(index);
      part = opened.part;
      out = opened.text;
    }
    if (part.kind !== "text") return out;
    part.text += delta;
    return (
      out +
      sseFrame(
        `{"type":"response.output_text.delta","sequence_number":${this.sequence++},"item_id":"${part.itemId}","output_index":${part.outputIndex},"content_index":${part.contentIndex},"delta":${JSON.stringify(delta)},"logprobs":[]}`,
        "response.output_text.delta",
      )
    );
  }

  private openText(index: number): { part: TextState; text: string } {
    let out = "";
    if (this.message === undefined) {
      const itemId = randomId("msg_");
      const added = this.addItem(messageItem(itemId, "in_progress", []));
      this.message = { outputIndex: added.outputIndex, itemId, texts: [] };
      out = added.text;
    }
    const message = this.message;
    const part: TextState = {
      kind: "text",
      open: true,
      outputIndex: message.outputIndex,
      itemId: message.itemId,
      contentIndex: message.texts.length,
      text: "",
    };
    message.texts.push(part);
    this.parts.set(index, part);
    out += this.emit("response.content_part.added", {
      item_id: part.itemId,
      output_index: part.outputIndex,
      content_index: part.contentIndex,
      part: outputText(""),
    });
    return { part, text: out };
  }

  private endText(part: TextState): string {
    part.open = false;
    const ids = { item_id: part.itemId, output_index: part.outputIndex, content_index: part.contentIndex };
    return (
      this.emit("response.output_text.done", { ...ids, text: part.text, logprobs: [] }) +
      this.emit("response.content_part.done", { ...ids, part: outputText(part.text) })
    );
  }

  private closeMessage(status: ItemStatus = "completed"): string {
    const message = this.message;
    if (message === undefined) return "";
    this.message = undefined;
    let out = "";
    for (const part of message.texts) if (part.open) out += this.endText(part);
    const content = message.texts.map((part) => outputText(part.text));
    return out + this.finishItem(message.outputIndex, messageItem(message.itemId, status, content));
  }

  private openReasoning(index: number): { part: ReasoningState; text: string } {
    let out = this.closeMessage();
    const itemId = randomId("rs_");
    const added = this.addItem({ id: itemId, type: "reasoning", summary: [] });
    out += added.text;
    const part: ReasoningState = {
      kind: "reasoning",
      open: true,
      outputIndex: added.outputIndex,
      itemId,
      text: "",
      summaryOpen: false,
    };
    this.parts.set(index, part);
    return { part, text: out };
  }

  private reasoningPart(index: number): { part: PartState; text: string } {
    const part = this.parts.get(index);
    return part === undefined ? this.openReasoning(index) : { part, text: "" };
  }

  private reasoningDelta(index: number, delta: string): string {
    const { part, text } = this.reasoningPart(index);
    if (part.kind !== "reasoning" || !part.open) return text;
    let out = text;
    if (!part.summaryOpen) {
      part.summaryOpen = true;
      out += this.emit("response.reasoning_summary_part.added", {
        item_id: part.itemId,
        output_index: part.outputIndex,
        summary_index: 0,
        part: summaryText(""),
      });
    }
    part.text += delta;
    return (
      out +
      sseFrame(
        `{"type":"response.reasoning_summary_text.delta","sequence_number":${this.sequence++},"item_id":"${part.itemId}","output_index":${part.outputIndex},"summary_index":0,"delta":${JSON.stringify(delta)}}`,
        "response.reasoning_summary_text.delta",
      )
    );
  }

  private reasoningSignature(index: number, signature: string): string {
    const { part, text } = this.reasoningPart(index);
    if (part.kind === "reasoning") part.encrypted = signature;
    return text;
  }

  private endReasoning(part: ReasoningState, status: "completed" | "incomplete" = "completed"): string {
    part.open = false;
    let out = "";
    if (part.summaryOpen) {
      const ids = { item_id: part.itemId, output_index: part.outputIndex, summary_index: 0 };
      out +=
        this.emit("response.reasoning_summary_text.done", { ...ids, text: part.text }) +
        this.emit("response.reasoning_summary_part.done", { ...ids, part: summaryText(part.text) });
    }
    return (
      out + this.finishItem(part.outputIndex, reasoningItem(part.itemId, part.text, part.encrypted, status))
    );
  }

  private toolStart(index: number, callId: string, name: string): string {
    if (this.parts.has(index)) return "";
    let out = this.closeMessage();
    const itemId = randomId("fc_");
    const clientName = clientToolName(name, this.context.tools);
    const added = this.addItem(functionCallItem(itemId, callId, clientName, "", "in_progress"));
    out += added.text;
    this.parts.set(index, {
      kind: "tool",
      open: true,
      outputIndex: added.outputIndex,
      itemId,
      callId,
      name: clientName,
      args: "",
    });
    return out;
  }

  private toolDelta(index: number, delta: string): string {
    const part = this.parts.get(index);
    if (part?.kind !== "tool" || !part.open) return "";
    part.args += delta;
    return sseFrame(
      `{"type":"response.function_call_arguments.delta","sequence_number":${this.sequence++},"item_id":"${part.itemId}","output_index":${part.outputIndex},"delta":${JSON.stringify(delta)}}`,
      "response.function_call_arguments.delta",
    );
  }

  private endTool(part: ToolState, status: ItemStatus = "completed"): string {
    part.open = false;
    return (
      this.emit("response.function_call_arguments.done", {
        item_id: part.itemId,
        output_index: part.outputIndex,
        name: part.name.name,
        arguments: part.args,
      }) +
      this.finishItem(
        part.outputIndex,
        functionCallItem(part.itemId, part.callId, part.name, part.args, status),
      )
    );
  }

  private partEnd(index: number): string {
    const part = this.parts.get(index);
    if (part === undefined || !part.open) return "";
    if (part.kind === "text") return this.endText(part);
    return part.kind === "reasoning" ? this.endReasoning(part) : this.endTool(part);
  }

  private closeAll(status: "completed" | "incomplete"): string {
    let out = this.closeMessage(status);
    const open = [...this.parts.values()]
      .filter((part) => part.open)
      .sort((a, b) => a.outputIndex - b.outputIndex);
    for (const part of open) {
      if (part.kind === "reasoning") out += this.endReasoning(part, status);
      else if (part.kind === "tool") out += this.endTool(part, status);
    }
    return out;
  }

  private finish(stopReason: IRStopReason, usage: IRUsage | undefined): string {
    const out = this.closeAll("completed");
    this.closed = true;
    const response = this.envelope("completed", usage);
    applyStop(response, stopReason);
    const type =
      response.status === "incomplete"
        ? "response.incomplete"
        : response.status === "failed"
          ? "response.failed"
          : "response.completed";
    return out + this.emit(type, { response });
  }

  private fail(error: IRError): string {
    this.closed = true;
    if (!this.started) {
      return this.emit("error", {
        code: error.code ?? responseErrorCode(error),
        message: error.message,
        param: error.param ?? null,
      });
    }
    const out = this.closeAll("incomplete");
    const response = this.envelope("failed", this.usage);
    response.error = { code: responseErrorCode(error), message: error.message };
    return out + this.emit("response.failed", { response });
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding an upstream Responses stream into IR events

/** An IR part that one output item (or one content part of a message) became. */
interface DecodedPart {
  index: number;
  /** Characters already passed on as deltas, so that `.done` events add only what is missing. */
  streamed: number;
}

interface DecodedItem {
  type: string;
  /** IR parts by content index (messages) or at 0 (function calls, reasoning), opened lazily. */
  parts: Map<number, DecodedPart>;
  summaryParts: number;
}

export class ResponsesStreamDecoder extends SseStreamDecoder {
  private started = false;
  private nextIndex = 0;
  private readonly items = new Map<number, DecodedItem>();
  private sawToolCall = false;
  private sawRefusal = false;

  constructor() {
    super("response.completed");
  }

  protected frame(data: string, events: IRStreamEvent[]): void {
    const event = parseJsonOrUndefined(data);
    if (!isObject(event) || typeof event.type !== "string") {
      this.fail(streamMalformed(`not a Responses event: ${data.slice(0, 80)}`), events);
      return;
    }
    this.event(event.type, event, events);
  }

  private event(type: string, event: JsonObject, events: IRStreamEvent[]): void {
    switch (type) {
      case "response.created":
      case "response.queued":
      case "response.in_progress":
        this.start(objectField(event, "response"), events);
        return;
      case "response.output_item.added":
        this.itemAdded(event, events);
        return;
      case "response.content_part.added":
        this.contentAdded(event, events);
        return;
      case "response.output_text.delta":
      case "response.refusal.delta":
        if (type === "response.refusal.delta") this.sawRefusal = true;
        this.delta(event, "message", numberField(event, "content_index") ?? 0, "text_delta", events);
        return;
      case "response.function_call_arguments.delta":
        this.delta(event, "function_call", 0, "tool_call_delta", events);
        return;
      case "response.reasoning_summary_part.added":
        this.summaryPartAdded(event, events);
        return;
      case "response.reasoning_summary_text.delta":
      case "response.reasoning_text.delta":
        this.delta(event, "reasoning", 0, "reasoning_delta", events);
        return;
      case "response.output_item.done":
        this.itemDone(event, events);
        return;
      case "response.completed":
      case "response.incomplete":
        this.complete(objectField(event, "response") ?? {}, events);
        return;
      case "response.failed":
        this.fail(
          { type: "error", error: decodeResponseError(objectField(event, "response")?.error) },
          events,
        );
        return;
      case "error":
        this.fail(
          { type: "error", error: decodeResponseError(isObject(event.error) ? event.error : event) },
          events,
        );
        return;
      default:
        // Everything else (annotations, `.done` repeats of deltas, built-in tool progress) adds nothing.
        return;
    }
  }

  private start(response: JsonObject | undefined, events: IRStreamEvent[]): void {
    if (this.started) return;
    this.started = true;
    events.push({
      type: "start",
      id: stringField(response, "id") ?? randomId("resp_"),
      model: stringField(response, "model") ?? "",
      created: numberField(response, "created_at") ?? Math.floor(Date.now() / 1000),
    });
  }

  private item(event: JsonObject): DecodedItem | undefined {
    const outputIndex = numberField(event, "output_index");
    return outputIndex === undefined ? undefined : this.items.get(outputIndex);
  }

  private itemAdded(event: JsonObject, events: IRStreamEvent[]): void {
    const outputIndex = numberField(event, "output_index");
    const raw = objectField(event, "item");
    if (outputIndex === undefined || raw === undefined) return;
    const item: DecodedItem = { type: stringField(raw, "type") ?? "", parts: new Map(), summaryParts: 0 };
    this.items.set(outputIndex, item);
    if (item.type === "function_call") {
      this.openToolCall(item, raw, events);
      const args = stringField(raw, "arguments") ?? "";
      if (args !== "") this.emitDelta(item, 0, "tool_call_delta", args, events);
    }
  }

  private openToolCall(item: DecodedItem, raw: JsonObject, events: IRStreamEvent[]): DecodedPart {
    this.sawToolCall = true;
    const part = { index: this.nextIndex++, streamed: 0 };
    item.parts.set(0, part);
    const id = stringField(raw, "call_id") ?? stringField(raw, "id") ?? randomId("call_");
    events.push({ type: "tool_call_start", index: part.index, id, name: stringField(raw, "name") ?? "" });
    return part;
  }

  private contentAdded(event: JsonObject, events: IRStreamEvent[]): void {
    const item = this.item(event);
    const part = objectField(event, "part");
    if (item?.type !== "message" || part === undefined) return;
    const text = stringField(part, "text") ?? stringField(part, "refusal") ?? "";
    if (part.type === "refusal") this.sawRefusal = true;
    this.emitDelta(item, numberField(event, "content_index") ?? 0, "text_delta", text, events);
  }

  private summaryPartAdded(event: JsonObject, events: IRStreamEvent[]): void {
    const item = this.item(event);
    if (item?.type !== "reasoning") return;
    // Several summary parts read as one reasoning text, a paragraph each.
    if (item.summaryParts++ > 0 && (item.parts.get(0)?.streamed ?? 0) > 0) {
      this.emitDelta(item, 0, "reasoning_delta", "\n\n", events);
    }
  }

  private delta(
    event: JsonObject,
    itemType: string,
    slot: number,
    type: "text_delta" | "reasoning_delta" | "tool_call_delta",
    events: IRStreamEvent[],
  ): void {
    const item = this.item(event);
    const delta = stringField(event, "delta");
    if (item?.type !== itemType || delta === undefined) return;
    this.emitDelta(item, slot, type, delta, events);
  }

  private partFor(item: DecodedItem, slot: number): DecodedPart {
    let part = item.parts.get(slot);
    if (part === undefined) {
      part = { index: this.nextIndex++, streamed: 0 };
      item.parts.set(slot, part);
    }
    return part;
  }

  /** Parts open at their first character, so that an empty one never becomes an IR part. */
  private emitDelta(
    item: DecodedItem,
    slot: number,
    type: "text_delta" | "reasoning_delta" | "tool_call_delta",
    delta: string,
    events: IRStreamEvent[],
  ): void {
    if (delta === "") return;
    // A function call's part opens with its tool_call_start, never with a delta.
    if (type === "tool_call_delta" && !item.parts.has(slot)) return;
    const part = this.partFor(item, slot);
    part.streamed += delta.length;
    if (type === "tool_call_delta") events.push({ type, index: part.index, argumentsDelta: delta });
    else events.push({ type, index: part.index, text: delta });
  }

  /** `output_item.done` holds the item whole: pass on whatever the deltas left out, then end its parts. */
  private itemDone(event: JsonObject, events: IRStreamEvent[]): void {
    const outputIndex = numberField(event, "output_index");
    const raw = objectField(event, "item");
    if (outputIndex === undefined || raw === undefined) return;
    const item = this.items.get(outputIndex) ?? {
      type: stringField(raw, "type") ?? "",
      parts: new Map<number, DecodedPart>(),
      summaryParts: 0,
    };
    if (item.type === "message" && Array.isArray(raw.content)) {
      raw.content.forEach((content, slot) => {
        if (!isObject(content)) return;
        if (content.type === "refusal") this.sawRefusal = true;
        const text = stringField(content, "text") ?? stringField(content, "refusal") ?? "";
        this.emitRest(item, slot, "text_delta", text, events);
      });
    } else if (item.type === "function_call") {
      if (!item.parts.has(0)) this.openToolCall(item, raw, events);
      this.emitRest(item, 0, "tool_call_delta", stringField(raw, "arguments") ?? "", events);
    } else if (item.type === "reasoning") {
      if (!item.parts.has(0)) this.emitDelta(item, 0, "reasoning_delta", reasoningText(raw), events);
      const encrypted = stringField(raw, "encrypted_content");
      if (encrypted !== undefined) {
        events.push({
          type: "reasoning_signature",
          index: this.partFor(item, 0).index,
          signature: encrypted,
        });
      }
    }
    this.endItem(item, events);
    this.items.delete(outputIndex);
  }

  private emitRest(
    item: DecodedItem,
    slot: number,
    type: "text_delta" | "tool_call_delta",
    full: string,
    events: IRStreamEvent[],
  ): void {
    const streamed = item.parts.get(slot)?.streamed ?? 0;
    if (full.length > streamed) this.emitDelta(item, slot, type, full.slice(streamed), events);
  }

  private endItem(item: DecodedItem, events: IRStreamEvent[]): void {
    const indexes = [...item.parts.values()].map((part) => part.index).sort((a, b) => a - b);
    for (const index of indexes) events.push({ type: "part_end", index });
    item.parts.clear();
  }

  private complete(response: JsonObject, events: IRStreamEvent[]): void {
    this.start(response, events);
    for (const item of this.items.values()) this.endItem(item, events);
    this.items.clear();
    this.ended = true;
    const usage = decodeUsage(response.usage);
    const finish: IRStreamEvent = {
      type: "finish",
      stopReason: decodeStop(response, this.sawToolCall, this.sawRefusal),
    };
    if (usage) finish.usage = usage;
    events.push(finish);
  }
}
