/**
 * One client request as the pipeline carries it: the key, body and model checked and the key's
 * limits admitted (prepareCall), and the facts about it every stage asks: whether a target gets
 * the client's bytes, whether its answer goes back byte for byte, how the client's answer is
 * encoded and which headers say where it went.
 */

import type { StoredAnswer } from "../cache/replay.ts";
import { CACHE_HEADER } from "../cache/replay.ts";
import type { AppContext } from "../context.ts";
import { readGatewayLimits } from "../limits.ts";
import type { Target } from "../routing/resolve.ts";
import type { ApiKeyRow } from "../store/schema.ts";
import {
  type Codec,
  codecFor,
  type Dialect,
  type EncodeContext,
  type IRError,
  type IRRequest,
  rewriteModel,
  WireError,
} from "../wire/index.ts";
import { BodyTooLarge, readBody } from "./body.ts";
import { checkClientKey } from "./client-key.ts";
import { CallReport } from "./report.ts";
import { readShaping, type Shaping, shapes } from "./shaping.ts";

/** How the client's URL shapes the call (Gemini carries model and streaming in the path). */
export interface CallShape {
  dialect: Dialect;
  /** The model from the path, when the dialect puts it there. */
  pathModel?: string;
  /** Streaming decided by the path (Gemini's :streamGenerateContent). */
  pathStream?: boolean;
  /** Pin the provider (`/v1/providers/{provider}/...`). */
  provider?: string;
}

export function errorResponse(
  dialect: Dialect,
  error: IRError,
  headers: Record<string, string> = {},
): Response {
  const { status, body } = codecFor(dialect).encodeError(error);
  return Response.json(body, { status, headers });
}

export interface Call {
  context: AppContext;
  request: Request;
  shape: CallShape;
  codec: Codec;
  bodyText: string;
  body: Record<string, unknown>;
  model: string;
  stream: boolean;
  framing: "sse" | "json-array";
  startedAt: number;
  key: ApiKeyRow;
  report: CallReport;
  /** The request as the IR, decoded on first need (a target in another dialect, an estimate). */
  ir(): IRRequest;
  /** System prompt and thinking policy from settings; while they change requests, nothing passes through. */
  shaping: Shaping;
  /** Set when the answer is to be kept (cache, idempotency key): called once with it, or undefined when there is none. */
  keep?: (answer: StoredAnswer | undefined) => void;
  /** The cache key when the request may be answered from the cache. */
  cacheKey?: string;
  /** The model string to route instead of `model`, when a policy sends the request to a combo. */
  resolveAs?: string;
}

export interface CallOptions {
  /** The client's address, for the key's IP allowlist. */
  clientIp?: string;
  /** False for requests that cost nothing and are no usage (count_tokens). */
  metered?: boolean;
  /** The id app.ts gave the request (its log line and x-request-id); one is made when absent. */
  requestId?: string;
}

/**
 * Key, body and model checked, the key's limits admitted; the call as the rest of the pipeline
 * sees it, or the client's error answer (recorded as the request's usage row).
 */
export async function prepareCall(
  context: AppContext,
  request: Request,
  shape: CallShape,
  options: CallOptions = {},
): Promise<Call | Response> {
  const startedAt = performance.now();
  const url = new URL(request.url);
  const { dialect } = shape;
  const key = checkClientKey(context, request, url);
  if (!key.ok) {
    return errorResponse(dialect, { type: "authentication", message: key.message, status: 401 });
  }
  const report = new CallReport(context, {
    requestId: options.requestId ?? crypto.randomUUID(),
    apiKeyId: key.key.id,
    clientDialect: dialect,
    startedAt,
    metered: options.metered !== false,
  });
  const fail = (type: IRError["type"], message: string, extra: Partial<IRError> = {}) =>
    refuse(report, dialect, { type, message, status: extra.status ?? statusOf(type), ...extra });

  let bodyText: string;
  try {
    bodyText = await readBody(request, readGatewayLimits(context.settings).maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLarge) return fail("request_too_large", error.message);
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    report.requested("", bodyText, false);
    return fail("invalid_request", "The request body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    report.requested("", bodyText, false);
    return fail("invalid_request", "The request body must be a JSON object");
  }
  const body = parsed as Record<string, unknown>;
  const model = shape.pathModel ?? (typeof body.model === "string" ? body.model : undefined);
  const stream = shape.pathStream ?? streamRequested(dialect, body);
  report.requested(model ?? "", bodyText, stream);
  if (!model || model.trim() === "") return fail("invalid_request", "model: required", { param: "model" });
  if (options.metered !== false) {
    const refusal = context.usage.admit(key.key, options.clientIp);
    if (refusal) {
      const retryAfter = refusal.retryAfterSeconds;
      return refuse(report, dialect, refusal.error, retryAfter ? { "retry-after": String(retryAfter) } : {});
    }
  }
  const codec = codecFor(dialect);
  let ir: IRRequest | undefined;
  return {
    context,
    request,
    shape,
    codec,
    bodyText,
    body,
    model,
    stream,
    framing: dialect === "gemini" && url.searchParams.get("alt") !== "sse" ? "json-array" : "sse",
    startedAt,
    key: key.key,
    report,
    shaping: readShaping(context.settings),
    ir: () => {
      ir ??= codec.decodeRequest(body, { model, stream });
      return ir;
    },
  };
}

/** The client's error answer, recorded as the end of its request. */
export function refuse(
  report: CallReport,
  dialect: Dialect,
  error: IRError,
  headers: Record<string, string> = {},
): Response {
  report.finish({ status: error.status, error, complete: true });
  return errorResponse(dialect, error, headers);
}

function statusOf(type: IRError["type"]): number {
  return new WireError(type, "").error.status;
}

/** Each API's own default: absent `stream` is not streaming, except Ollama, which streams by default. */
function streamRequested(dialect: Dialect, body: Record<string, unknown>): boolean {
  if (dialect === "ollama") return body.stream !== false;
  return body.stream === true;
}

/**
 * The client's body for an upstream of its own dialect: as it came, with the target's model.
 * An OpenAI chat stream is the exception: the upstream is always asked for its usage (the
 * answer is then re-encoded, so a client that did not ask for the usage chunk does not get it).
 */
export function sameDialectBody(call: Call, target: Target): string {
  if (call.shape.dialect === "gemini") return call.bodyText;
  if (call.shape.dialect === "openai-chat" && call.stream && !hasIncludeUsage(call.body)) {
    const options = typeof call.body.stream_options === "object" ? call.body.stream_options : {};
    return JSON.stringify({
      ...call.body,
      model: target.model,
      stream_options: { ...options, include_usage: true },
    });
  }
  return rewriteModel(call.bodyText, target.model);
}

/** Whether the client's body goes to the upstream as bytes (model rewritten), not through the IR. */
export function sendsBytes(call: Call, target: Target): boolean {
  return target.endpoint.dialect === call.shape.dialect && !shapes(call.shaping, comboPromptOf(call, target));
}

/** The system prompt of the combo the target came from, if it has one. */
export function comboPromptOf(call: Call, target: Target): string | undefined {
  if (target.combo === undefined) return undefined;
  return call.context.combos.findByName(target.combo.name)?.systemPrompt ?? undefined;
}

/**
 * Whether the upstream's answer goes to the client byte for byte. Not for an OpenAI chat stream
 * whose usage chunk we asked for, nor a Gemini stream the client wants as one JSON array (the
 * upstream is always asked for SSE).
 */
export function passesThrough(call: Call, target: Target): boolean {
  if (!sendsBytes(call, target)) return false;
  if (!call.stream) return true;
  if (call.framing === "json-array") return false;
  return !(call.shape.dialect === "openai-chat" && !hasIncludeUsage(call.body));
}

function hasIncludeUsage(body: Record<string, unknown>): boolean {
  const options = body.stream_options;
  return (
    typeof options === "object" &&
    options !== null &&
    (options as { include_usage?: unknown }).include_usage === true
  );
}

export function encodeContext(call: Call): EncodeContext {
  const includeUsage = call.shape.dialect === "openai-chat" && hasIncludeUsage(call.body);
  const tools = decodedTools(call);
  return { model: call.model, includeUsage, framing: call.framing, ...(tools ? { tools } : {}) };
}

/** The client's tools (a Responses client's namespaced tools are mapped back by name). */
function decodedTools(call: Call): IRRequest["tools"] {
  try {
    return call.ir().tools;
  } catch (error) {
    if (error instanceof WireError) return undefined;
    throw error;
  }
}

export function gatewayHeaders(
  call: Call,
  target: Target,
  attempts: number,
  upstreamStartedAt: number,
): Record<string, string> {
  return {
    "x-request-id": call.report.requestId,
    "x-switchyard-provider": target.endpoint.prefix,
    "x-switchyard-model": target.model,
    "x-switchyard-connection": target.connection.id,
    "x-switchyard-attempts": String(attempts),
    "x-switchyard-overhead-ms": (upstreamStartedAt - call.startedAt).toFixed(2),
    ...(call.cacheKey !== undefined ? { [CACHE_HEADER]: "miss" } : {}),
  };
}
