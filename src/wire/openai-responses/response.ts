/**
 * OpenAI Responses answers (the `response` object) to and from the IR, and the pieces the
 * stream codec shares with them: the response envelope, output items, usage and status.
 *
 * An answer's `status` carries what other dialects call a stop reason: `incomplete` with
 * `incomplete_details.reason` for length and content-filter stops; a finished tool call is
 * just `completed` with `function_call` items in `output`. A call to a function the client
 * declared in a namespace tool names its namespace and own name (namespaces.ts).
 */
import type { EncodeContext } from "../codec.ts";
import { WireError } from "../errors.ts";
import { randomId } from "../ids.ts";
import type {
  IRError,
  IRErrorType,
  IRPart,
  IRReasoningPart,
  IRResponse,
  IRStopReason,
  IRTool,
  IRUsage,
} from "../ir.ts";
import { isObject, type JsonObject, numberField, objectField, stringField } from "../json.ts";
import { malformedUpstream } from "../upstream-errors.ts";
import { type ClientToolName, clientToolName } from "./namespaces.ts";

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";

/** An output item's status; `incomplete` for an item the answer broke off in. */
export type ItemStatus = "in_progress" | "completed" | "incomplete";

/** The `response` object with the request echo fields set to their defaults (we answer statelessly). */
export function responseEnvelope(
  id: string,
  model: string,
  created: number,
  status: ResponseStatus,
  output: JsonObject[],
  usage: IRUsage | undefined,
): JsonObject {
  return {
    id,
    object: "response",
    created_at: created,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    metadata: {},
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: null,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: null,
    truncation: "disabled",
    usage: usage ? encodeUsage(usage) : null,
    user: null,
  };
}

/** Sets status, `incomplete_details` and `error` on an envelope for how the answer ended. */
export function applyStop(envelope: JsonObject, stopReason: IRStopReason): void {
  if (stopReason === "max_tokens") {
    envelope.status = "incomplete";
    envelope.incomplete_details = { reason: "max_output_tokens" };
  } else if (stopReason === "content_filter") {
    envelope.status = "incomplete";
    envelope.incomplete_details = { reason: "content_filter" };
  } else if (stopReason === "error") {
    envelope.status = "failed";
    envelope.error = { code: "server_error", message: "the model stopped with an error" };
  } else envelope.status = "completed";
}

export function responseId(id: string): string {
  return id.startsWith("resp_") ? id : randomId("resp_");
}

export function encodeUsage(usage: IRUsage): JsonObject {
  const inputDetails: JsonObject = { cached_tokens: usage.cachedInputTokens ?? 0 };
  if (usage.cacheWriteTokens !== undefined) inputDetails.cache_write_tokens = usage.cacheWriteTokens;
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: inputDetails,
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

export function decodeUsage(value: unknown): IRUsage | undefined {
  if (!isObject(value)) return undefined;
  const usage: IRUsage = {
    inputTokens: numberField(value, "input_tokens") ?? 0,
    outputTokens: numberField(value, "output_tokens") ?? 0,
  };
  const cached = numberField(objectField(value, "input_tokens_details"), "cached_tokens");
  if (cached !== undefined) usage.cachedInputTokens = cached;
  const cacheWrite = numberField(objectField(value, "input_tokens_details"), "cache_write_tokens");
  if (cacheWrite !== undefined) usage.cacheWriteTokens = cacheWrite;
  const reasoning = numberField(objectField(value, "output_tokens_details"), "reasoning_tokens");
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

/** The stop reason a finished `response` object stands for. */
export function decodeStop(response: JsonObject, sawToolCall: boolean, sawRefusal: boolean): IRStopReason {
  const status = response.status;
  if (status === "failed") return "error";
  if (status === "incomplete") {
    const reason = stringField(objectField(response, "incomplete_details"), "reason");
    if (reason === "max_output_tokens") return "max_tokens";
    if (reason === "content_filter") return "content_filter";
    return "end_turn";
  }
  if (sawToolCall) return "tool_use";
  return sawRefusal ? "refusal" : "end_turn";
}

const ERROR_TYPE_BY_CODE: Readonly<Record<string, IRErrorType>> = {
  rate_limit_exceeded: "rate_limit",
  server_error: "api_error",
  invalid_prompt: "invalid_request",
};

/** An IRError for a `response.error` object or an `error` stream event. */
export function decodeResponseError(value: unknown): IRError {
  const error = isObject(value) ? value : {};
  const code = stringField(error, "code");
  const type =
    (code === undefined ? undefined : ERROR_TYPE_BY_CODE[code]) ??
    (code?.startsWith("invalid_") ? "invalid_request" : "api_error");
  const wire = new WireError(type, stringField(error, "message") ?? "the upstream response failed", {
    ...(code !== undefined ? { code } : {}),
    ...(typeof error.param === "string" ? { param: error.param } : {}),
  });
  return wire.error;
}

/** `response.error.code` is a closed list; rate limits and everything else. */
export function responseErrorCode(error: IRError): string {
  return error.type === "rate_limit" ? "rate_limit_exceeded" : "server_error";
}

// ---------------------------------------------------------------------------------------------
// Output items

export function messageItem(id: string, status: ItemStatus, content: JsonObject[]): JsonObject {
  return { id, type: "message", status, role: "assistant", content };
}

export function functionCallItem(
  id: string,
  callId: string,
  name: ClientToolName,
  args: string,
  status: ItemStatus,
): JsonObject {
  const item: JsonObject = {
    id,
    type: "function_call",
    status,
    arguments: args,
    call_id: callId,
    name: name.name,
  };
  if (name.namespace !== undefined) item.namespace = name.namespace;
  return item;
}

/** Reasoning items carry a status only when they broke off. */
export function reasoningItem(
  id: string,
  summary: string,
  encrypted: string | undefined,
  status: "completed" | "incomplete" = "completed",
): JsonObject {
  const item: JsonObject = { id, type: "reasoning", summary: summary === "" ? [] : [summaryText(summary)] };
  if (encrypted !== undefined) item.encrypted_content = encrypted;
  if (status === "incomplete") item.status = status;
  return item;
}

export function outputText(text: string): JsonObject {
  return { type: "output_text", text, annotations: [] };
}

export function summaryText(text: string): JsonObject {
  return { type: "summary_text", text };
}

/** IR parts as output items: consecutive text parts share one assistant message. */
function outputItems(parts: IRPart[], tools: readonly IRTool[] | undefined): JsonObject[] {
  const items: JsonObject[] = [];
  let message: JsonObject[] | undefined;
  for (const part of parts) {
    if (part.type === "text") {
      if (!message) {
        message = [];
        items.push(messageItem(randomId("msg_"), "completed", message));
      }
      message.push(outputText(part.text));
      continue;
    }
    message = undefined;
    if (part.type === "tool_call") {
      const name = clientToolName(part.name, tools);
      items.push(functionCallItem(randomId("fc_"), part.id, name, part.arguments, "completed"));
    } else if (part.type === "reasoning" && (part.text !== "" || part.encryptedContent !== undefined)) {
      items.push(reasoningItem(part.itemId ?? randomId("rs_"), part.text, part.encryptedContent));
    }
  }
  return items;
}

export function encodeResponse(response: IRResponse, context: EncodeContext): JsonObject {
  const envelope = responseEnvelope(
    responseId(response.id),
    context.model,
    response.created,
    "completed",
    outputItems(response.parts, context.tools),
    response.usage,
  );
  applyStop(envelope, response.stopReason);
  return envelope;
}

export function decodeResponse(body: unknown): IRResponse {
  if (!isObject(body) || !Array.isArray(body.output))
    throw malformedUpstream("not a Responses response object");
  const response = body;
  const parts: IRPart[] = [];
  let sawToolCall = false;
  let sawRefusal = false;
  for (const item of body.output) {
    if (!isObject(item)) continue;
    if (item.type === "message") {
      for (const content of Array.isArray(item.content) ? item.content : []) {
        if (!isObject(content)) continue;
        if (content.type === "output_text")
          parts.push({ type: "text", text: stringField(content, "text") ?? "" });
        else if (content.type === "refusal") {
          sawRefusal = true;
          parts.push({ type: "text", text: stringField(content, "refusal") ?? "" });
        }
      }
    } else if (item.type === "function_call") {
      sawToolCall = true;
      parts.push({
        type: "tool_call",
        id: stringField(item, "call_id") ?? stringField(item, "id") ?? randomId("call_"),
        name: stringField(item, "name") ?? "",
        arguments: stringField(item, "arguments") ?? "",
      });
    } else if (item.type === "reasoning") parts.push(decodeReasoningItem(item));
  }
  const ir: IRResponse = {
    id: stringField(response, "id") ?? randomId("resp_"),
    model: stringField(response, "model") ?? "",
    created: numberField(response, "created_at") ?? Math.floor(Date.now() / 1000),
    parts,
    stopReason: decodeStop(response, sawToolCall, sawRefusal),
  };
  const usage = decodeUsage(response.usage);
  if (usage) ir.usage = usage;
  return ir;
}

/** Summary parts (and raw reasoning text, where an upstream sends it) joined as one reasoning text. */
export function reasoningText(item: JsonObject): string {
  const texts: string[] = [];
  for (const key of ["summary", "content"]) {
    const list = item[key];
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      const text = isObject(entry) ? stringField(entry, "text") : undefined;
      if (text) texts.push(text);
    }
  }
  return texts.join("\n\n");
}

/** A reasoning item, in a request's input or an answer's output. */
export function decodeReasoningItem(item: JsonObject): IRReasoningPart {
  const part: IRReasoningPart = { type: "reasoning", text: reasoningText(item) };
  const id = stringField(item, "id");
  if (id !== undefined) part.itemId = id;
  const encrypted = stringField(item, "encrypted_content");
  if (encrypted !== undefined) part.encryptedContent = encrypted;
  return part;
}
