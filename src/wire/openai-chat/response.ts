/**
 * OpenAI Chat Completions response bodies (`chat.completion`) to and from the IR, and the
 * usage and finish-reason mappings the stream codecs share.
 */
import type { EncodeContext } from "../codec.ts";
import { randomId } from "../ids.ts";
import type { IRPart, IRResponse, IRStopReason, IRToolCallPart, IRUsage } from "../ir.ts";
import { isObject, type JsonObject, numberField, objectField, stringField } from "../json.ts";
import { malformedUpstream } from "../upstream-errors.ts";

export const FINISH_REASON: Record<IRStopReason, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  error: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  content_filter: "content_filter",
  refusal: "content_filter",
};

/**
 * OpenAI says "stop" for both a natural end and a stop sequence. Some OpenAI-compatible servers
 * say "stop" after tool calls too; agent loops need to hear `tool_use` then.
 */
export function decodeFinishReason(reason: unknown, sawToolCall: boolean): IRStopReason {
  if (reason === "length") return "max_tokens";
  if (reason === "content_filter") return "content_filter";
  if (reason === "tool_calls" || reason === "function_call" || sawToolCall) return "tool_use";
  return "end_turn";
}

/** OpenAI usage, also DeepSeek's `prompt_cache_hit_tokens`; undefined when it holds no counts. */
export function decodeUsage(value: unknown): IRUsage | undefined {
  if (!isObject(value)) return undefined;
  const inputTokens = numberField(value, "prompt_tokens");
  const outputTokens = numberField(value, "completion_tokens");
  if (inputTokens === undefined && outputTokens === undefined) return undefined;
  const usage: IRUsage = { inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0 };
  const promptDetails = objectField(value, "prompt_tokens_details");
  const cached = numberField(promptDetails, "cached_tokens") ?? numberField(value, "prompt_cache_hit_tokens");
  if (cached !== undefined && cached > 0) usage.cachedInputTokens = cached;
  const cacheWrite = numberField(promptDetails, "cache_write_tokens");
  if (cacheWrite !== undefined && cacheWrite > 0) usage.cacheWriteTokens = cacheWrite;
  const reasoning = numberField(objectField(value, "completion_tokens_details"), "reasoning_tokens");
  if (reasoning !== undefined && reasoning > 0) usage.reasoningTokens = reasoning;
  return usage;
}

export function encodeUsage(usage: IRUsage): JsonObject {
  const promptDetails: JsonObject = { cached_tokens: usage.cachedInputTokens ?? 0 };
  if (usage.cacheWriteTokens !== undefined) promptDetails.cache_write_tokens = usage.cacheWriteTokens;
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: promptDetails,
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
}

/** DeepSeek names the reasoning text `reasoning_content`, OpenRouter `reasoning`. */
export function reasoningText(message: JsonObject): string | undefined {
  return stringField(message, "reasoning_content") ?? stringField(message, "reasoning");
}

export function decodeResponse(body: unknown): IRResponse {
  if (!isObject(body)) throw malformedUpstream("chat completion is not an object");
  const choices = body.choices;
  if (!Array.isArray(choices)) throw malformedUpstream("chat completion has no choices");
  const choice = firstChoice(choices);
  const message = objectField(choice, "message") ?? {};

  const parts: IRPart[] = [];
  const reasoning = reasoningText(message);
  if (reasoning) parts.push({ type: "reasoning", text: reasoning });
  const text = contentText(message.content);
  if (text) parts.push({ type: "text", text });
  const refusal = stringField(message, "refusal");
  if (refusal) parts.push({ type: "text", text: refusal });
  const toolCalls = decodeToolCalls(message);
  parts.push(...toolCalls);

  const response: IRResponse = {
    id: stringField(body, "id") ?? randomId("chatcmpl-"),
    model: stringField(body, "model") ?? "",
    created: numberField(body, "created") ?? Math.floor(Date.now() / 1000),
    parts,
    stopReason: refusal ? "refusal" : decodeFinishReason(choice?.finish_reason, toolCalls.length > 0),
  };
  const usage = decodeUsage(body.usage);
  if (usage !== undefined) response.usage = usage;
  return response;
}

/** The IR holds one answer: choice 0 (clients asking for `n` > 1 get the first). */
export function firstChoice(choices: unknown[]): JsonObject | undefined {
  for (const choice of choices) if (isObject(choice) && (choice.index ?? 0) === 0) return choice;
  return undefined;
}

/** Message content is a string, or (from some compatible servers) an array of text parts. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const part of content) if (isObject(part) && typeof part.text === "string") text += part.text;
  return text;
}

function decodeToolCalls(message: JsonObject): IRToolCallPart[] {
  const calls: IRToolCallPart[] = [];
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      const fn = objectField(isObject(call) ? call : undefined, "function");
      if (fn === undefined) continue;
      calls.push({
        type: "tool_call",
        id: stringField(call, "id") ?? randomId("call_"),
        name: stringField(fn, "name") ?? "",
        arguments: stringField(fn, "arguments") ?? "{}",
      });
    }
  }
  const legacy = objectField(message, "function_call");
  if (legacy !== undefined) {
    calls.push({
      type: "tool_call",
      id: randomId("call_"),
      name: stringField(legacy, "name") ?? "",
      arguments: stringField(legacy, "arguments") ?? "{}",
    });
  }
  return calls;
}

export function encodeResponse(response: IRResponse, context: EncodeContext): JsonObject {
  let text = "";
  let reasoning = "";
  const toolCalls: JsonObject[] = [];
  for (const part of response.parts) {
    if (part.type === "text") text += part.text;
    else if (part.type === "reasoning") reasoning += part.text;
    else if (part.type === "tool_call") {
      toolCalls.push({
        id: part.id,
        type: "function",
        function: { name: part.name, arguments: part.arguments },
      });
    }
  }
  const message: JsonObject = {
    role: "assistant",
    content: text === "" && toolCalls.length > 0 ? null : text,
    refusal: null,
  };
  if (reasoning !== "") message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const body: JsonObject = {
    id: response.id,
    object: "chat.completion",
    created: response.created,
    model: context.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH_REASON[response.stopReason] }],
  };
  if (response.usage !== undefined) body.usage = encodeUsage(response.usage);
  return body;
}
