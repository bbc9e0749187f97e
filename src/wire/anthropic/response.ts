/**
 * Anthropic Messages response bodies (`type: "message"`) to and from the IR, and the usage and
 * stop-reason mappings the stream codecs share.
 *
 * Anthropic's `input_tokens` leaves out cache reads and cache writes; the IR's `inputTokens`
 * counts them, so both directions convert.
 */
import type { EncodeContext } from "../codec.ts";
import { randomId } from "../ids.ts";
import type { IRPart, IRResponse, IRStopReason, IRUsage } from "../ir.ts";
import {
  argumentsObject,
  isObject,
  type JsonObject,
  numberField,
  objectField,
  stringField,
} from "../json.ts";
import { malformedUpstream } from "../upstream-errors.ts";

const STOP_REASONS: ReadonlySet<string> = new Set([
  "end_turn",
  "max_tokens",
  "stop_sequence",
  "tool_use",
  "pause_turn",
  "refusal",
]);

export function decodeStopReason(reason: unknown): IRStopReason {
  if (typeof reason === "string" && STOP_REASONS.has(reason)) return reason as IRStopReason;
  if (reason === "model_context_window_exceeded") return "max_tokens";
  return "end_turn";
}

export const STOP_REASON: Record<IRStopReason, string> = {
  end_turn: "end_turn",
  max_tokens: "max_tokens",
  stop_sequence: "stop_sequence",
  tool_use: "tool_use",
  pause_turn: "pause_turn",
  refusal: "refusal",
  content_filter: "refusal",
  error: "end_turn",
};

/** Anthropic's counters as they stand; streams overwrite them field by field. */
export interface AnthropicCounts {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  thinking: number;
}

export function emptyCounts(): AnthropicCounts {
  return { input: 0, cacheRead: 0, cacheWrite: 0, output: 0, thinking: 0 };
}

/** Overwrites the counts `usage` reports; message_delta repeats only what applies. */
export function mergeCounts(counts: AnthropicCounts, usage: JsonObject): void {
  counts.input = numberField(usage, "input_tokens") ?? counts.input;
  counts.cacheRead = numberField(usage, "cache_read_input_tokens") ?? counts.cacheRead;
  counts.cacheWrite = numberField(usage, "cache_creation_input_tokens") ?? counts.cacheWrite;
  counts.output = numberField(usage, "output_tokens") ?? counts.output;
  counts.thinking =
    numberField(objectField(usage, "output_tokens_details"), "thinking_tokens") ?? counts.thinking;
}

export function countsToUsage(counts: AnthropicCounts): IRUsage {
  const usage: IRUsage = {
    inputTokens: counts.input + counts.cacheRead + counts.cacheWrite,
    outputTokens: counts.output,
  };
  if (counts.cacheRead > 0) usage.cachedInputTokens = counts.cacheRead;
  if (counts.cacheWrite > 0) usage.cacheWriteTokens = counts.cacheWrite;
  if (counts.thinking > 0) usage.reasoningTokens = counts.thinking;
  return usage;
}

export function decodeUsage(value: unknown): IRUsage | undefined {
  if (!isObject(value)) return undefined;
  const counts = emptyCounts();
  mergeCounts(counts, value);
  return countsToUsage(counts);
}

export function encodeUsage(usage: IRUsage): JsonObject {
  const cacheRead = usage.cachedInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const encoded: JsonObject = {
    input_tokens: Math.max(0, usage.inputTokens - cacheRead - cacheWrite),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
    output_tokens: usage.outputTokens,
  };
  if (usage.reasoningTokens !== undefined)
    encoded.output_tokens_details = { thinking_tokens: usage.reasoningTokens };
  return encoded;
}

export function decodeResponse(body: unknown): IRResponse {
  if (!isObject(body)) throw malformedUpstream("message is not an object");
  if (!Array.isArray(body.content)) throw malformedUpstream("message has no content");
  const parts: IRPart[] = [];
  for (const block of body.content) {
    const part = isObject(block) ? decodeContentBlock(block) : undefined;
    if (part !== undefined) parts.push(part);
  }
  const response: IRResponse = {
    id: stringField(body, "id") ?? randomId("msg_"),
    model: stringField(body, "model") ?? "",
    created: Math.floor(Date.now() / 1000),
    parts,
    stopReason: decodeStopReason(body.stop_reason),
  };
  const stopSequence = stringField(body, "stop_sequence");
  if (stopSequence !== undefined) response.stopSequence = stopSequence;
  const usage = decodeUsage(body.usage);
  if (usage !== undefined) response.usage = usage;
  return response;
}

/** Server-tool blocks (web search …) have no IR counterpart and are left out. */
function decodeContentBlock(block: JsonObject): IRPart | undefined {
  switch (block.type) {
    case "text":
      return { type: "text", text: stringField(block, "text") ?? "" };
    case "thinking": {
      const part: IRPart = { type: "reasoning", text: stringField(block, "thinking") ?? "" };
      const signature = stringField(block, "signature");
      if (signature) part.signature = signature;
      return part;
    }
    case "redacted_thinking":
      return { type: "reasoning", text: "", redactedData: stringField(block, "data") ?? "" };
    case "tool_use":
      return {
        type: "tool_call",
        id: stringField(block, "id") ?? randomId("toolu_"),
        name: stringField(block, "name") ?? "",
        arguments: JSON.stringify(block.input ?? {}),
      };
    default:
      return undefined;
  }
}

export function encodeResponse(response: IRResponse, context: EncodeContext): JsonObject {
  const content: JsonObject[] = [];
  for (const part of response.parts) {
    if (part.type === "text") content.push({ type: "text", text: part.text });
    else if (part.type === "reasoning")
      content.push(encodeReasoningBlock(part.text, part.signature, part.redactedData));
    else if (part.type === "tool_call") {
      content.push({ type: "tool_use", id: part.id, name: part.name, input: toolInput(part.arguments) });
    }
  }
  return {
    id: response.id,
    type: "message",
    role: "assistant",
    model: context.model,
    content,
    stop_reason: STOP_REASON[response.stopReason],
    stop_sequence: response.stopSequence ?? null,
    usage: encodeUsage(response.usage ?? { inputTokens: 0, outputTokens: 0 }),
  };
}

/** Another provider's reasoning shows as thinking with an empty signature, so clients can display it. */
function encodeReasoningBlock(text: string, signature?: string, redactedData?: string): JsonObject {
  if (redactedData !== undefined) return { type: "redacted_thinking", data: redactedData };
  return { type: "thinking", thinking: text, signature: signature ?? "" };
}

/** A tool call's input object; arguments that are not a JSON object (a cut-off call) become `{}`. */
function toolInput(argumentsText: string): JsonObject {
  return argumentsObject(argumentsText) ?? {};
}
