/**
 * What Ollama's requests, responses and stream lines share: images as bare base64, tool calls
 * with object arguments and no ids, `done_reason`, the counts, and `created_at` timestamps.
 */
import { parseDataUrl } from "../data-url.ts";
import { invalidField } from "../errors.ts";
import { randomId } from "../ids.ts";
import type { IRImagePart, IRPart, IRStopReason, IRTextPart, IRToolCallPart, IRUsage } from "../ir.ts";
import { isObject, type JsonObject, numberField } from "../json.ts";

export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Ollama sends no media type; the first bytes of the image (seen through base64) tell it. */
const IMAGE_SIGNATURES: ReadonlyArray<[prefix: string, mediaType: string]> = [
  ["iVBORw0KGgo", "image/png"],
  ["/9j/", "image/jpeg"],
  ["R0lGOD", "image/gif"],
  ["UklGR", "image/webp"],
];

function sniffImageType(base64: string): string {
  for (const [prefix, mediaType] of IMAGE_SIGNATURES) if (base64.startsWith(prefix)) return mediaType;
  return "image/jpeg";
}

function decodeImage(value: unknown, path: string): IRImagePart {
  const text = nonEmptyString(value);
  if (text === undefined) throw invalidField(path, "must be a base64-encoded image");
  const inline = parseDataUrl(text);
  const source = inline
    ? { kind: "base64" as const, ...inline }
    : { kind: "base64" as const, mediaType: sniffImageType(text), data: text };
  return { type: "image", source };
}

export function decodeImages(value: unknown, path: string): IRImagePart[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidField(path, "must be an array of base64-encoded images");
  return value.map((image, i) => decodeImage(image, `${path}[${i}]`));
}

/** An image as Ollama takes it; a data URL is base64 already, a remote URL cannot be carried. */
export function encodeImage(part: IRImagePart, path: string): string {
  if (part.source.kind === "base64") return part.source.data;
  const inline = parseDataUrl(part.source.url);
  if (inline) return inline.data;
  throw invalidField(path, "Ollama accepts images only as base64 data, not as URLs");
}

/** The JSON object that IR arguments text stands for, or undefined when it is not one. */
export function argumentsObject(text: string): JsonObject | undefined {
  if (text.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function decodeArguments(value: unknown, path: string): string {
  if (value === undefined || value === null) return "{}";
  if (isObject(value)) return JSON.stringify(value);
  if (typeof value === "string" && argumentsObject(value)) return value;
  throw invalidField(path, "must be a JSON object");
}

export function decodeToolCall(value: unknown, path: string): IRToolCallPart {
  if (!isObject(value) || !isObject(value.function)) {
    throw invalidField(`${path}.function`, "must be an object");
  }
  const name = nonEmptyString(value.function.name);
  if (name === undefined) throw invalidField(`${path}.function.name`, "must be a non-empty string");
  const args = decodeArguments(value.function.arguments, `${path}.function.arguments`);
  return { type: "tool_call", id: randomId("call_"), name, arguments: args };
}

export function decodeToolCalls(value: unknown, path: string): IRToolCallPart[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidField(path, "must be an array");
  return value.map((call, i) => decodeToolCall(call, `${path}[${i}]`));
}

export function toolCall(name: string, args: JsonObject): JsonObject {
  return { function: { name, arguments: args } };
}

export function textParts(text: string): IRTextPart[] {
  return text === "" ? [] : [{ type: "text", text }];
}

/** The IR parts of an assistant message (request history or answer), in the order Ollama implies. */
export function assistantParts(message: JsonObject, path: string): IRPart[] {
  const thinking = nonEmptyString(message.thinking);
  const content = typeof message.content === "string" ? message.content : "";
  return [
    ...(thinking === undefined ? [] : [{ type: "reasoning" as const, text: thinking }]),
    ...textParts(content),
    ...decodeImages(message.images, `${path}.images`),
    ...decodeToolCalls(message.tool_calls, `${path}.tool_calls`),
  ];
}

export function joinText(parts: IRPart[]): string {
  let text = "";
  for (const part of parts) if (part.type === "text") text += text === "" ? part.text : `\n${part.text}`;
  return text;
}

/** Ollama only says `stop` or `length`; a tool call ends with `stop`. */
export function decodeDoneReason(reason: unknown, sawToolCall: boolean): IRStopReason {
  if (reason === "length") return "max_tokens";
  return sawToolCall ? "tool_use" : "end_turn";
}

export function encodeDoneReason(reason: IRStopReason): string {
  return reason === "max_tokens" ? "length" : "stop";
}

export function decodeUsage(body: JsonObject): IRUsage {
  return {
    inputTokens: numberField(body, "prompt_eval_count") ?? 0,
    outputTokens: numberField(body, "eval_count") ?? 0,
  };
}

/** The closing fields of an answer. Durations are Ollama's own timings: a translated answer has none, hence zeros. */
export function doneFields(stopReason: IRStopReason, usage: IRUsage | undefined): JsonObject {
  return {
    done_reason: encodeDoneReason(stopReason),
    done: true,
    total_duration: 0,
    load_duration: 0,
    prompt_eval_count: usage?.inputTokens ?? 0,
    prompt_eval_duration: 0,
    eval_count: usage?.outputTokens ?? 0,
    eval_duration: 0,
  };
}

export function decodeCreated(value: unknown): number {
  const millis = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Math.floor((Number.isNaN(millis) ? Date.now() : millis) / 1000);
}

export function encodeCreated(created: number): string {
  return new Date(created * 1000).toISOString();
}
