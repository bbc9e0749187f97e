/**
 * Gemini `GenerateContentResponse` bodies to and from the IR, and what the stream codec shares
 * with them: usage, finish reasons and the JSON of output parts.
 *
 * Usage differs in one way that matters: Gemini's `candidatesTokenCount` excludes thinking
 * (`thoughtsTokenCount`), while IR `outputTokens` includes it. Function calls may come without
 * an `id` (older models); we make one up so that tool results can refer to it.
 */
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
import { invalidToolArguments, malformedUpstream } from "../upstream-errors.ts";

const STOP_REASONS: Readonly<Record<string, IRStopReason>> = {
  STOP: "end_turn",
  MAX_TOKENS: "max_tokens",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
  BLOCKLIST: "content_filter",
  PROHIBITED_CONTENT: "content_filter",
  SPII: "content_filter",
  IMAGE_SAFETY: "content_filter",
  IMAGE_PROHIBITED_CONTENT: "content_filter",
  IMAGE_RECITATION: "content_filter",
  MODEL_ARMOR: "content_filter",
  MALFORMED_FUNCTION_CALL: "error",
  UNEXPECTED_TOOL_CALL: "error",
  TOO_MANY_TOOL_CALLS: "error",
  MISSING_THOUGHT_SIGNATURE: "error",
  MALFORMED_RESPONSE: "error",
};

export function decodeFinishReason(reason: string, sawToolCall: boolean): IRStopReason {
  const stop = STOP_REASONS[reason] ?? "end_turn";
  return stop === "end_turn" && sawToolCall ? "tool_use" : stop;
}

export function encodeFinishReason(reason: IRStopReason): string {
  if (reason === "max_tokens") return "MAX_TOKENS";
  if (reason === "content_filter") return "SAFETY";
  if (reason === "error") return "OTHER";
  return "STOP";
}

export function decodeUsage(value: unknown): IRUsage | undefined {
  if (!isObject(value)) return undefined;
  const thoughts = numberField(value, "thoughtsTokenCount");
  const cached = numberField(value, "cachedContentTokenCount");
  const usage: IRUsage = {
    inputTokens:
      (numberField(value, "promptTokenCount") ?? 0) + (numberField(value, "toolUsePromptTokenCount") ?? 0),
    outputTokens: (numberField(value, "candidatesTokenCount") ?? 0) + (thoughts ?? 0),
  };
  if (cached !== undefined) usage.cachedInputTokens = cached;
  if (thoughts !== undefined) usage.reasoningTokens = thoughts;
  return usage;
}

export function encodeUsage(usage: IRUsage): JsonObject {
  const reasoning = usage.reasoningTokens ?? 0;
  const encoded: JsonObject = {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: Math.max(0, usage.outputTokens - reasoning),
    totalTokenCount: usage.inputTokens + usage.outputTokens,
  };
  if (usage.cachedInputTokens) encoded.cachedContentTokenCount = usage.cachedInputTokens;
  if (reasoning > 0) encoded.thoughtsTokenCount = reasoning;
  return encoded;
}

/** An upstream's tool call whose arguments are no JSON object is the upstream's fault (502). */
function answerArguments(args: string, name: string): JsonObject {
  const object = argumentsObject(args);
  if (object === undefined) throw invalidToolArguments(name);
  return object;
}

export function functionCallPart(
  id: string,
  name: string,
  args: JsonObject,
  signature: string | undefined,
): JsonObject {
  const part: JsonObject = { functionCall: { id, name, args } };
  if (signature !== undefined) part.thoughtSignature = signature;
  return part;
}

function textPart(text: string, thought: boolean, signature: string | undefined): JsonObject {
  const part: JsonObject = { text };
  if (thought) part.thought = true;
  if (signature !== undefined) part.thoughtSignature = signature;
  return part;
}

function outputParts(parts: IRPart[]): JsonObject[] {
  const encoded: JsonObject[] = [];
  for (const part of parts) {
    if (part.type === "text") encoded.push(textPart(part.text, false, part.thoughtSignature));
    else if (part.type === "reasoning" && (part.text !== "" || part.thoughtSignature !== undefined)) {
      encoded.push(textPart(part.text, true, part.thoughtSignature));
    } else if (part.type === "tool_call") {
      encoded.push(
        functionCallPart(
          part.id,
          part.name,
          answerArguments(part.arguments, part.name),
          part.thoughtSignature,
        ),
      );
    } else if (part.type === "image" && part.source.kind === "base64") {
      encoded.push({ inlineData: { mimeType: part.source.mediaType, data: part.source.data } });
    }
  }
  return encoded;
}

export function encodeResponse(response: IRResponse, model: string): JsonObject {
  const parts = outputParts(response.parts);
  const body: JsonObject = {
    candidates: [
      {
        content: parts.length > 0 ? { parts, role: "model" } : { role: "model" },
        finishReason: encodeFinishReason(response.stopReason),
        index: 0,
      },
    ],
  };
  if (response.usage) body.usageMetadata = encodeUsage(response.usage);
  body.modelVersion = model;
  body.responseId = response.id;
  return body;
}

/** One output part of a candidate as IR, or undefined for parts the IR has no place for. */
function decodeOutputPart(part: JsonObject): IRPart | undefined {
  const signature = stringField(part, "thoughtSignature");
  const call = objectField(part, "functionCall");
  if (call) {
    const decoded: IRPart = {
      type: "tool_call",
      id: stringField(call, "id") ?? randomId("call_"),
      name: stringField(call, "name") ?? "",
      arguments: JSON.stringify(objectField(call, "args") ?? {}),
    };
    if (signature !== undefined) decoded.thoughtSignature = signature;
    return decoded;
  }
  const text = stringField(part, "text");
  if (text !== undefined) {
    const decoded: IRPart = part.thought === true ? { type: "reasoning", text } : { type: "text", text };
    if (signature !== undefined) decoded.thoughtSignature = signature;
    return decoded;
  }
  const inline = objectField(part, "inlineData");
  const data = stringField(inline, "data");
  if (inline && data !== undefined) {
    return {
      type: "image",
      source: { kind: "base64", mediaType: stringField(inline, "mimeType") ?? "image/png", data },
    };
  }
  return undefined;
}

/** The answer's first candidate (candidate `index` 0), where the IR's single answer lives. */
export function firstCandidate(body: JsonObject): JsonObject | undefined {
  const candidates = body.candidates;
  if (!Array.isArray(candidates)) return undefined;
  const candidate = candidates.find((each) => isObject(each) && (numberField(each, "index") ?? 0) === 0);
  return isObject(candidate) ? candidate : undefined;
}

export function decodeCreated(body: JsonObject): number {
  const millis = Date.parse(stringField(body, "createTime") ?? "");
  return Math.floor((Number.isNaN(millis) ? Date.now() : millis) / 1000);
}

export function decodeResponse(body: unknown): IRResponse {
  if (!isObject(body) || (body.candidates === undefined && body.promptFeedback === undefined)) {
    throw malformedUpstream("not a Gemini GenerateContentResponse");
  }
  const candidate = firstCandidate(body);
  const parts: IRPart[] = [];
  const rawParts = objectField(candidate, "content")?.parts;
  for (const raw of Array.isArray(rawParts) ? rawParts : []) {
    const part = isObject(raw) ? decodeOutputPart(raw) : undefined;
    if (part) parts.push(part);
  }
  const reason = stringField(candidate, "finishReason");
  // No candidate at all means the prompt itself was blocked (`promptFeedback.blockReason`).
  const stopReason =
    candidate === undefined
      ? "content_filter"
      : decodeFinishReason(
          reason ?? "STOP",
          parts.some((part) => part.type === "tool_call"),
        );
  const response: IRResponse = {
    id: stringField(body, "responseId") ?? randomId("resp_"),
    model: stringField(body, "modelVersion") ?? "",
    created: decodeCreated(body),
    parts,
    stopReason,
  };
  const usage = decodeUsage(body.usageMetadata);
  if (usage) response.usage = usage;
  return response;
}
