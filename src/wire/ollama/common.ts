/**
 * What Ollama's requests, responses and stream lines share: images as bare base64, tool calls
 * with object arguments and no ids, `done_reason`, the counts, and `created_at` timestamps.
 */
import { parseDataUrl } from "../data-url.ts";
import { clientField, invalidField, recordClientField } from "../errors.ts";
import { randomId } from "../ids.ts";
import type { IRImagePart, IRPart, IRStopReason, IRTextPart, IRToolCallPart, IRUsage } from "../ir.ts";
import {
  argumentsObject,
  expectObject,
  isObject,
  type JsonObject,
  numberField,
  optionalArray,
} from "../json.ts";

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
  return recordClientField({ type: "image", source }, path);
}

export function decodeImages(value: unknown, path: string): IRImagePart[] {
  return (optionalArray(value, path) ?? []).map((image, i) => decodeImage(image, `${path}[${i}]`));
}

/** An image as Ollama takes it; a data URL is base64 already, a remote URL or a file id cannot be carried. */
export function encodeImage(part: IRImagePart, path: string): string {
  const { source } = part;
  if (source.kind === "base64") return source.data;
  const inline = source.kind === "url" ? parseDataUrl(source.url) : undefined;
  if (inline) return inline.data;
  const given = source.kind === "url" ? "as URLs" : "by file id";
  throw invalidField(clientField(part, path), `Ollama accepts images only as base64 data, not ${given}`);
}

function decodeArguments(value: unknown, path: string): string {
  if (value === undefined || value === null) return "{}";
  if (isObject(value)) return JSON.stringify(value);
  if (typeof value === "string" && argumentsObject(value)) return value;
  throw invalidField(path, "must be a JSON object");
}

function decodeToolCall(value: unknown, path: string): IRToolCallPart {
  const fn = expectObject(expectObject(value, path).function, `${path}.function`);
  const name = nonEmptyString(fn.name);
  if (name === undefined) throw invalidField(`${path}.function.name`, "must be a non-empty string");
  const argsPath = `${path}.function.arguments`;
  const call: IRToolCallPart = {
    type: "tool_call",
    id: randomId("call_"),
    name,
    arguments: decodeArguments(fn.arguments, argsPath),
  };
  recordClientField(call, path);
  return recordClientField(call, argsPath, "arguments");
}

export function decodeToolCalls(value: unknown, path: string): IRToolCallPart[] {
  return (optionalArray(value, path) ?? []).map((call, i) => decodeToolCall(call, `${path}[${i}]`));
}

export function toolCall(name: string, args: JsonObject): JsonObject {
  return { function: { name, arguments: args } };
}

/** The text of a message's `content` (at `path`) as parts: none for "". */
export function textParts(text: string, path: string): IRTextPart[] {
  return text === "" ? [] : [recordClientField({ type: "text", text }, path)];
}

/** The IR parts of an assistant message (request history or answer), in the order Ollama implies. */
export function assistantParts(message: JsonObject, path: string): IRPart[] {
  const thinking = nonEmptyString(message.thinking);
  const content = typeof message.content === "string" ? message.content : "";
  return [
    ...(thinking === undefined
      ? []
      : [recordClientField({ type: "reasoning" as const, text: thinking }, `${path}.thinking`)]),
    ...textParts(content, `${path}.content`),
    ...decodeImages(message.images, `${path}.images`),
    ...decodeToolCalls(message.tool_calls, `${path}.tool_calls`),
  ];
}

/** Ollama only says `stop` or `length`; a tool call ends with `stop`. */
export function decodeDoneReason(reason: unknown, sawToolCall: boolean): IRStopReason {
  if (reason === "length") return "max_tokens";
  return sawToolCall ? "tool_use" : "end_turn";
}

function encodeDoneReason(reason: IRStopReason): string {
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
