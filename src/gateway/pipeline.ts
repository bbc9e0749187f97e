/**
 * One client request through the house: read and decode the body in the client's dialect,
 * resolve the model into targets, try them in order, and answer in the client's dialect.
 * Same dialect on both sides passes the bytes through (model name rewritten); otherwise the
 * request, the answer and the stream are translated through the IR.
 *
 * A target that fails before anything reached the client is skipped for the next one; a stream
 * is only committed to once its first bytes arrived. After that, an upstream failure ends the
 * stream with the client dialect's error event, never with a normal stop.
 */

import {
  CACHE_HEADER,
  cacheKey,
  cacheWish,
  deterministic,
  readCacheSettings,
  replayed,
  type StoredAnswer,
} from "../cache/replay.ts";
import type { AppContext } from "../context.ts";
import { readGatewayLimits } from "../limits.ts";
import { operationUrl, upstreamHeaders } from "../providers/endpoint.ts";
import { proxyFor, readProxySettings } from "../providers/proxy.ts";
import {
  fetchWhole,
  sendUpstream,
  UpstreamFailure,
  type UpstreamRequest,
  type UpstreamResponse,
} from "../providers/upstream.ts";
import { type AttemptResult, targetKey, type Walk, walkPlan } from "../routing/attempt.ts";
import { type Needs, needsOf, someLackCapabilities, someMayBeTooSmall } from "../routing/capabilities.ts";
import { classify } from "../routing/classify.ts";
import type { Unavailable } from "../routing/health.ts";
import { decide, readPolicies } from "../routing/policies.ts";
import { ResolveError, type Target } from "../routing/resolve.ts";
import { readResilience } from "../routing/settings.ts";
import { allowsModel } from "../security/model-patterns.ts";
import type { ApiKeyRow } from "../store/schema.ts";
import { estimateRequestTokens } from "../usage/estimate.ts";
import {
  type Codec,
  codecFor,
  type Dialect,
  type EncodeContext,
  encodeAnthropicRequest,
  type IRError,
  type IRPart,
  type IRRequest,
  type IRStreamEvent,
  type IRUsage,
  rewriteModel,
  type StreamDecoder,
  type StreamEncoder,
  WireError,
} from "../wire/index.ts";
import { BodyTooLarge, readBody } from "./body.ts";
import { checkClientKey } from "./client-key.ts";
import { BodyCapture, CallReport } from "./report.ts";
import { readShaping, type Shaping, shapeRequest, shapes } from "./shaping.ts";

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

const STREAM_CONTENT_TYPE: Record<Dialect, string> = {
  "openai-chat": "text/event-stream",
  "openai-responses": "text/event-stream",
  anthropic: "text/event-stream",
  gemini: "text/event-stream",
  ollama: "application/x-ndjson",
};

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

/** The targets for the call's model that its key may use, or why there are none. */
export function planTargets(call: Call): Target[] | IRError {
  let targets: Target[];
  try {
    targets = call.context.resolver.resolve(call.resolveAs ?? call.model, call.shape.provider).targets;
  } catch (error) {
    if (error instanceof ResolveError)
      return { type: "invalid_request", message: error.message, status: 400, param: "model" };
    throw error;
  }
  if (targets.length === 0) {
    const where = call.shape.provider ? ` at provider '${call.shape.provider}'` : "";
    return {
      type: "not_found",
      message: `Model '${call.model}' is not served by any active connection${where}. GET /v1/models lists the models you can use.`,
      status: 404,
      param: "model",
    };
  }
  const { allowedModels } = call.key;
  if (allowsModel(allowedModels, call.model)) return targets;
  const allowed = targets.filter(
    (target) =>
      allowsModel(allowedModels, `${target.endpoint.prefix}/${target.model}`) ||
      allowsModel(allowedModels, target.model),
  );
  if (allowed.length > 0) return allowed;
  return {
    type: "permission",
    message: `This API key may not use model '${call.model}'`,
    status: 403,
    param: "model",
  };
}

export async function handleCall(
  context: AppContext,
  request: Request,
  shape: CallShape,
  options: CallOptions = {},
): Promise<Response> {
  const call = await prepareCall(context, request, shape, options);
  if (call instanceof Response) return call;
  const { dialect } = shape;
  const { report } = call;
  const policy = decide(readPolicies(context.settings), call.key.id, call.model);
  if (policy.action === "deny")
    return refuse(report, dialect, { type: "permission", message: policy.message, status: 403 });
  if (policy.action === "route") call.resolveAs = policy.combo;
  const earlier = await answerAgain(call);
  if (earlier) return earlier;
  const targets = planTargets(call);
  if (!Array.isArray(targets)) {
    call.keep?.(undefined);
    return refuse(report, dialect, targets);
  }
  const profile = readResilience(context.settings).profile;
  const sessionId = request.headers.get("x-session-id") ?? undefined;
  const ordered = sessionId ? context.sessions.preferred(sessionId, targets) : targets;
  const checkCapabilities = someLackCapabilities(ordered);
  const checkSize = someMayBeTooSmall(ordered, call.bodyText.length);
  if (checkCapabilities || checkSize || ordered.some((target) => !sendsBytes(call, target))) {
    try {
      call.ir();
    } catch (error) {
      if (error instanceof WireError) {
        call.keep?.(undefined);
        return refuse(report, dialect, error.error);
      }
      throw error;
    }
  }
  const needs: Needs = {
    ...(checkCapabilities ? needsOf(call.ir()) : {}),
    ...(checkSize ? { inputTokens: await estimateRequestTokens(call.ir()) } : {}),
  };
  const walk = await walkPlan<string, Response, IRError>(
    ordered,
    context.health,
    profile,
    call.startedAt,
    {
      prepare(target) {
        if (sendsBytes(call, target)) return { ok: true, payload: sameDialectBody(call, target) };
        try {
          const comboPrompt = comboPromptOf(call, target);
          const request = shapes(call.shaping, comboPrompt)
            ? shapeRequest(call.ir(), target, call.shaping, comboPrompt)
            : call.ir();
          return {
            ok: true,
            payload: JSON.stringify(
              encodeFor(target, { ...request, model: target.model, stream: call.stream }),
            ),
          };
        } catch (error) {
          if (error instanceof WireError) return { ok: false, error: error.error };
          throw error;
        }
      },
      attempt: (target, body, attempt, remainingMs) => sendAttempt(call, target, body, attempt, remainingMs),
      onAuthFailure: (target, message) => disableConnection(context, target, message),
      describe: (error) => error.message,
    },
    needs,
  );
  recordComboStep(call, walk);
  if (walk.value) {
    if (sessionId && walk.target)
      context.sessions.remember(sessionId, walk.target.connection.id, call.key.id);
    return walk.value;
  }
  call.keep?.(undefined);
  return unanswered(call, walk);
}

/** A connection whose key the upstream refused is disabled until it is fixed, saying why. */
export function disableConnection(context: AppContext, target: Target, message: string): void {
  context.providers.updateConnection(target.connection.id, {
    testStatus: "error",
    lastError: `disabled: ${message}`,
  });
}

/** Counts a walk that came from a combo in the combo's metrics. */
export function recordComboStep(call: Call, walk: Walk<Response, IRError>): void {
  if (!walk.target?.combo) return;
  call.context.comboMetrics.record(
    walk.target.combo.name,
    walk.value ? walk.target.combo.step : undefined,
    walk.value !== undefined,
    walk.attempts,
    performance.now() - call.startedAt,
  );
}

/** A walk that found no answer: its last error, or why every target was skipped; recorded. */
export function unanswered(call: Call, walk: Walk<Response, IRError>): Response {
  const { dialect } = call.shape;
  if (walk.lastError) {
    const aborted = walk.stoppedBy?.class === "client_abort";
    call.report.finish({ status: walk.lastError.status, error: walk.lastError, complete: true, aborted });
    const headers = walk.target ? gatewayHeaders(call, walk.target, walk.attempts, performance.now()) : {};
    return errorResponse(dialect, walk.lastError, headers);
  }
  if (walk.unavailable.length === 0 && walk.unfit.length > 0) {
    return refuse(call.report, dialect, {
      type: "invalid_request",
      status: 400,
      param: "model",
      message: `No target for model '${call.model}' can carry this request: ${walk.unfit.join("; ")}`,
    });
  }
  const { error, headers } = unavailable(walk.unavailable);
  return refuse(call.report, dialect, error, headers);
}

/**
 * The answer given before, when there is one to give again: a cache hit, or the first answer
 * to the same idempotency key (waited for while it runs). Otherwise arranges for this answer to
 * be kept, and returns undefined.
 */
async function answerAgain(call: Call): Promise<Response | undefined> {
  const { context, request, report } = call;
  const settings = readCacheSettings(context.settings);
  const wish = cacheWish(request);
  if (
    settings.enabled &&
    wish !== "bypass" &&
    (wish === "force" || deterministic(call.shape.dialect, call.body))
  ) {
    const shape = { ...call.shape, framing: call.framing, resolveAs: call.resolveAs };
    call.cacheKey = cacheKey(call.key.id, shape, call.body);
    const hit = context.cache.get(call.cacheKey);
    if (hit) {
      report.finish({ status: hit.status, complete: true, replayed: true });
      return replayed(hit, "hit", report.requestId);
    }
  }
  const idempotencyKey = request.headers.get("idempotency-key");
  let settle: ((answer?: StoredAnswer) => void) | undefined;
  if (idempotencyKey) {
    const claim = context.idempotency.claim(`${call.key.id}\n${idempotencyKey}`);
    if ("earlier" in claim) {
      const earlier = await claim.earlier;
      if (earlier) {
        report.finish({ status: earlier.status, complete: true, replayed: true });
        return replayed(earlier, "replay", report.requestId);
      }
    } else settle = claim.settle;
  }
  const { cacheKey: key } = call;
  if (key === undefined && settle === undefined) return undefined;
  let kept = false;
  call.keep = (answer) => {
    if (kept) return;
    kept = true;
    if (answer && key !== undefined) context.cache.set(key, answer);
    settle?.(answer);
  };
  return undefined;
}

/**
 * The client's body for an upstream of its own dialect: as it came, with the target's model.
 * An OpenAI chat stream is the exception: the upstream is always asked for its usage (the
 * answer is then re-encoded, so a client that did not ask for the usage chunk does not get it).
 */
function sameDialectBody(call: Call, target: Target): string {
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
function sendsBytes(call: Call, target: Target): boolean {
  return target.endpoint.dialect === call.shape.dialect && !shapes(call.shaping, comboPromptOf(call, target));
}

/** The system prompt of the combo the target came from, if it has one. */
function comboPromptOf(call: Call, target: Target): string | undefined {
  if (target.combo === undefined) return undefined;
  return call.context.combos.findByName(target.combo.name)?.systemPrompt ?? undefined;
}

/**
 * Whether the upstream's answer goes to the client byte for byte. Not for an OpenAI chat stream
 * whose usage chunk we asked for, nor a Gemini stream the client wants as one JSON array (the
 * upstream is always asked for SSE).
 */
function passesThrough(call: Call, target: Target): boolean {
  if (!sendsBytes(call, target)) return false;
  if (!call.stream) return true;
  if (call.framing === "json-array") return false;
  return !(call.shape.dialect === "openai-chat" && !hasIncludeUsage(call.body));
}

/** Every target is cooling down, open, disabled or at its limit: say so at once, with when to come back. */
function unavailable(entries: Unavailable[]): { error: IRError; headers: Record<string, string> } {
  const now = Date.now();
  const earliest = Math.min(...entries.map((entry) => entry.until));
  const headers: Record<string, string> = Number.isFinite(earliest)
    ? { "retry-after": String(Math.max(1, Math.ceil((earliest - now) / 1000))) }
    : {};
  const limited = entries.some(
    (entry) => entry.reason === "cooldown" || entry.reason === "rate_limit" || entry.reason === "concurrency",
  );
  const reasons = [...new Set(entries.map((entry) => entry.reason))].join(", ");
  const error: IRError = limited
    ? {
        type: "rate_limit",
        status: 429,
        message: `Every target for this model is cooling down or at its limit (${reasons}); retry after the Retry-After header`,
      }
    : { type: "overloaded", status: 503, message: `Every target for this model is unavailable (${reasons})` };
  return { error, headers };
}

/** One attempt at one target: the request goes out, the answer is read or its stream committed to. */
async function sendAttempt(
  call: Call,
  target: Target,
  upstreamBody: string,
  attempt: number,
  remainingMs: number,
): Promise<AttemptResult<Response, IRError>> {
  const { context, request, report } = call;
  const upstreamStartedAt = performance.now();
  const url = operationUrl(target.endpoint, call.stream ? "stream" : "generate", target.model);
  const proxy = proxyFor(target.endpoint, url, readProxySettings(context.settings));
  const limits = readGatewayLimits(context.settings).timeouts;
  const upstreamRequest: UpstreamRequest = {
    url,
    ...(proxy ? { proxy } : {}),
    headers: sendsBytes(call, target)
      ? { ...upstreamHeaders(target.endpoint), ...clientVersionHeaders(request) }
      : upstreamHeaders(target.endpoint),
    body: upstreamBody,
    stream: call.stream,
    signal: request.signal,
    timeouts: { ...limits, totalMs: Math.min(limits.totalMs, remainingMs) },
  };
  report.attemptStarted(target, upstreamBody, upstreamStartedAt);
  const headers = () => gatewayHeaders(call, target, attempt, upstreamStartedAt);
  let result: AttemptResult<Response, IRError>;
  try {
    result = call.stream
      ? await answerStream(call, target, await sendUpstream(upstreamRequest), headers())
      : answerWhole(call, target, await fetchWhole(upstreamRequest), headers());
  } catch (error) {
    if (!(error instanceof UpstreamFailure)) throw error;
    result = failed(target, error);
  }
  report.attemptEnded(
    target,
    upstreamStartedAt,
    result.ok
      ? { status: 200 }
      : {
          ...(result.facts.status !== undefined ? { status: result.facts.status } : {}),
          failure: result.facts.kind,
          error: result.error.message,
        },
  );
  return result;
}

export function failed(target: Target, failure: UpstreamFailure): AttemptResult<Response, IRError> {
  return {
    ok: false,
    facts: {
      kind: failure.kind,
      ...(failure.status !== undefined ? { status: failure.status } : {}),
      ...(failure.body !== undefined ? { body: failure.body } : {}),
      ...(failure.headers ? { headers: failure.headers } : {}),
    },
    error: upstreamError(target, failure),
  };
}

export function malformedAttempt(target: Target, detail: string): AttemptResult<Response, IRError> {
  return { ok: false, facts: { kind: "malformed" }, error: malformed(target, detail) };
}

/**
 * Headers that say which version of the API the client's body is written for; a passthrough body
 * must reach the upstream under the same version (Anthropic's SDKs send a newer one than ours).
 */
const VERSION_HEADERS = ["anthropic-version", "anthropic-beta", "openai-beta"];

function clientVersionHeaders(request: Request): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of VERSION_HEADERS) {
    const value = request.headers.get(name);
    if (value) headers[name] = value;
  }
  return headers;
}

function statusOf(type: IRError["type"]): number {
  return new WireError(type, "").error.status;
}

/** Each API's own default: absent `stream` is not streaming, except Ollama, which streams by default. */
function streamRequested(dialect: Dialect, body: Record<string, unknown>): boolean {
  if (dialect === "ollama") return body.stream !== false;
  return body.stream === true;
}

function encodeFor(target: Target, request: IRRequest): Record<string, unknown> {
  if (target.endpoint.dialect === "anthropic") {
    const version = target.endpoint.headers["anthropic-version"];
    return encodeAnthropicRequest(
      request,
      version === "2023-06-01" || version === "2026-10-21" ? { apiVersion: version } : {},
    );
  }
  return codecFor(target.endpoint.dialect).encodeRequest(request);
}

/** The upstream's failure as an IRError, the upstream's own message and status kept where there is one. */
function upstreamError(target: Target, failure: UpstreamFailure): IRError {
  const where = `${target.endpoint.prefix}/${target.model}`;
  if (failure.kind === "http_error" && failure.status !== undefined) {
    let body: unknown = failure.body;
    try {
      body = JSON.parse(failure.body ?? "");
    } catch {
      // keep the text
    }
    const decoded = codecFor(target.endpoint.dialect).decodeError(failure.status, body);
    return { ...decoded, message: `${where}: ${decoded.message}` };
  }
  if (failure.kind === "client_abort")
    return { type: "api_error", message: "The client went away", status: 499 };
  const timeout = failure.kind !== "connect_error";
  return {
    type: timeout ? "timeout" : "api_error",
    message: `${where}: ${failure.message}`,
    status: timeout ? 504 : 502,
    code: failure.kind,
  };
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

function encodeContext(call: Call): EncodeContext {
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

function hasIncludeUsage(body: Record<string, unknown>): boolean {
  const options = body.stream_options;
  return (
    typeof options === "object" &&
    options !== null &&
    (options as { include_usage?: unknown }).include_usage === true
  );
}

/** A non-streaming answer: the upstream's bytes as they are, or translated; recorded with its usage and cost. */
function answerWhole(
  call: Call,
  target: Target,
  upstream: { text: string },
  headers: Record<string, string>,
): AttemptResult<Response, IRError> {
  let usage: IRUsage | undefined;
  let decodedParts: IRPart[] = [];
  let text: string;
  try {
    const decoded = codecFor(target.endpoint.dialect).decodeResponse(JSON.parse(upstream.text));
    usage = decoded.usage;
    decodedParts = decoded.parts;
    text = passesThrough(call, target)
      ? upstream.text
      : JSON.stringify(call.codec.encodeResponse(decoded, encodeContext(call)));
  } catch (error) {
    if (!passesThrough(call, target))
      return malformedAttempt(target, error instanceof Error ? error.message : String(error));
    // Passed through as it came: the client's SDK may read what our decoder cannot.
    text = upstream.text;
  }
  const cost = call.context.usage.costOf({
    provider: target.endpoint.providerId,
    connectionId: target.connection.id,
    model: target.model,
    ...(usage ? { usage } : {}),
  });
  const bodyCap = call.report.bodyCap;
  call.report.finish({
    status: 200,
    complete: true,
    firstByteAt: performance.now(),
    ...(usage ? { usage } : {}),
    request: () => call.ir(),
    outputText: () => answerText(decodedParts),
    ...(bodyCap > 0
      ? {
          upstreamResponse: upstream.text.slice(0, bodyCap),
          clientResponse: text.slice(0, bodyCap),
          bodiesTruncated: Math.max(upstream.text.length, text.length) > bodyCap,
        }
      : {}),
  });
  const answerHeaders = {
    ...headers,
    ...(cost !== null ? { "x-switchyard-cost-usd": cost.toFixed(6) } : {}),
    "content-type": "application/json",
  };
  call.keep?.({ status: 200, headers: answerHeaders, body: new TextEncoder().encode(text), stream: false });
  return { ok: true, deferred: false, value: new Response(text, { status: 200, headers: answerHeaders }) };
}

function malformed(target: Target, detail: string): IRError {
  return {
    type: "api_error",
    message: `${target.endpoint.prefix}/${target.model} sent an answer that could not be read: ${detail}`,
    status: 502,
    code: "malformed_upstream",
  };
}

/** The text an answer carries (text, reasoning, tool arguments), for an estimate of its tokens. */
function answerText(parts: readonly IRPart[]): string {
  let text = "";
  for (const part of parts) {
    if (part.type === "text" || part.type === "reasoning") text += part.text;
    else if (part.type === "tool_call") text += part.name + part.arguments;
  }
  return text;
}

/**
 * A streaming answer. The first upstream chunk is awaited before the client's response starts,
 * so that a target that fails first costs the client nothing but time. The stream reports its
 * own outcome to health and to the usage report when it ends: complete, cut (an error event went
 * to the client), or left by the client.
 */
async function answerStream(
  call: Call,
  target: Target,
  response: UpstreamResponse,
  headers: Record<string, string>,
): Promise<AttemptResult<Response, IRError>> {
  const reader = response.body.getReader();
  let first: Uint8Array;
  try {
    const { done, value } = await reader.read();
    if (done) {
      await reader.cancel().catch(() => {});
      return malformedAttempt(target, "the stream ended before it began");
    }
    first = value;
  } catch (error) {
    return error instanceof UpstreamFailure ? failed(target, error) : malformedAttempt(target, String(error));
  }
  const { health } = call.context;
  const { report } = call;
  const key = targetKey(target);
  const watch = new StreamWatch(report.bodyCap);
  const bridge = passesThrough(call, target)
    ? passthroughBridge(call, codecFor(target.endpoint.dialect).decodeStream(), watch)
    : translationBridge(
        codecFor(target.endpoint.dialect).decodeStream(),
        call.codec.encodeStream(encodeContext(call)),
        watch,
      );
  let firstByteAt: number | undefined;
  let settled = false;
  const responseHeaders = {
    ...headers,
    "content-type": STREAM_CONTENT_TYPE[call.shape.dialect],
    "cache-control": "no-cache",
  };
  const kept = call.keep ? new StreamKeeper(readCacheSettings(call.context.settings).maxBytes) : undefined;
  const settle = (outcome: "ok" | "abandoned" | IRError) => {
    if (settled) return;
    settled = true;
    const body = outcome === "ok" ? kept?.bytes() : undefined;
    call.keep?.(body ? { status: 200, headers: responseHeaders, body, stream: true } : undefined);
    if (outcome === "ok") health.succeeded(key);
    else if (outcome === "abandoned") health.abandoned(key);
    else {
      health.failed(key, classify({ kind: "stream_cut" }), outcome.message);
      report.attemptFailedLater("stream_cut", outcome.message);
    }
    report.finish({
      status: 200,
      complete: outcome === "ok",
      aborted: outcome === "abandoned",
      ...(typeof outcome === "object" ? { error: outcome } : {}),
      ...(watch.usage ? { usage: watch.usage } : {}),
      ...(firstByteAt !== undefined ? { firstByteAt } : {}),
      request: () => call.ir(),
      outputText: () => watch.outputText,
      ...watch.bodies(),
    });
  };
  const bytes = new TextEncoder();
  /** Enqueues what there is to send; false when there was nothing. */
  const send = (
    controller: ReadableStreamDefaultController<Uint8Array>,
    out: Uint8Array | string,
  ): boolean => {
    if (out === "" || out.length === 0) return false;
    const chunk = typeof out === "string" ? bytes.encode(out) : out;
    controller.enqueue(chunk);
    watch.sent(chunk);
    kept?.add(chunk);
    firstByteAt ??= performance.now();
    return true;
  };
  const out = new ReadableStream<Uint8Array>({
    start(controller) {
      send(controller, bridge.push(first));
      const failure = bridge.failure();
      if (failure) {
        controller.close();
        settle(failure);
        void reader.cancel().catch(() => {});
      }
    },
    // Reads until there is something to send: Bun does not call pull again after a pull that enqueued nothing.
    async pull(controller) {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            const ending = bridge.end();
            send(controller, ending.text);
            controller.close();
            settle(ending.failure ?? "ok");
            return;
          }
          const sent = send(controller, bridge.push(value));
          const failure = bridge.failure();
          if (failure) {
            // The upstream's own error event reached the client: the stream is over.
            controller.close();
            settle(failure);
            await reader.cancel().catch(() => {});
            return;
          }
          if (sent) return;
        }
      } catch (error) {
        const failure =
          error instanceof UpstreamFailure
            ? upstreamError(target, error)
            : error instanceof WireError
              ? error.error
              : malformed(target, String(error));
        if (error instanceof UpstreamFailure && error.kind === "client_abort") {
          settle("abandoned");
          controller.close();
          return;
        }
        send(controller, bridge.fail(failure));
        controller.close();
        settle(failure);
        await reader.cancel().catch(() => {});
      }
    },
    cancel(reason) {
      settle("abandoned");
      return reader.cancel(reason);
    },
  });
  return {
    ok: true,
    deferred: true,
    value: new Response(out, { status: 200, headers: responseHeaders }),
  };
}

/** The bytes a stream sent, kept up to a limit (beyond it, nothing is kept). */
class StreamKeeper {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  add(chunk: Uint8Array): void {
    this.size += chunk.byteLength;
    if (this.size <= this.maxBytes) this.chunks.push(chunk);
  }

  bytes(): Uint8Array<ArrayBuffer> | undefined {
    return this.size <= this.maxBytes ? Buffer.concat(this.chunks) : undefined;
  }
}

/** Answer text kept for an estimate beyond this is only counted, and the estimate scaled. */
const MAX_WATCHED_TEXT = 65_536;

/**
 * What a stream said, as the upstream's events show it: the latest usage (decoders report it
 * cumulatively), the answer text for an estimate when usage never came, and — when the call is
 * logged — the first bytes each side saw.
 */
class StreamWatch {
  usage: IRUsage | undefined;
  private text = "";
  private textLength = 0;
  private readonly upstream: BodyCapture | undefined;
  private readonly client: BodyCapture | undefined;
  private readonly decoder = new TextDecoder();
  private readonly clientDecoder = new TextDecoder();

  constructor(bodyCap: number) {
    if (bodyCap > 0) {
      this.upstream = new BodyCapture(bodyCap);
      this.client = new BodyCapture(bodyCap);
    }
  }

  received(chunk: Uint8Array): void {
    if (this.upstream && !this.upstream.truncated)
      this.upstream.add(this.decoder.decode(chunk, { stream: true }));
  }

  sent(chunk: Uint8Array): void {
    if (this.client && !this.client.truncated)
      this.client.add(this.clientDecoder.decode(chunk, { stream: true }));
  }

  saw(event: IRStreamEvent): void {
    switch (event.type) {
      case "text_delta":
      case "reasoning_delta":
        this.addText(event.text);
        break;
      case "tool_call_start":
        this.addText(event.name);
        break;
      case "tool_call_delta":
        this.addText(event.argumentsDelta);
        break;
      case "start":
      case "finish":
        if (event.usage) this.usage = event.usage;
        break;
      case "usage":
        this.usage = event.usage;
        break;
    }
  }

  /** The answer text; when longer than what was kept, the kept part repeated to its length's scale. */
  get outputText(): string {
    if (this.textLength <= this.text.length || this.text === "") return this.text;
    return this.text.repeat(Math.ceil(this.textLength / this.text.length)).slice(0, this.textLength);
  }

  bodies(): { upstreamResponse?: string; clientResponse?: string; bodiesTruncated?: boolean } {
    if (!this.upstream || !this.client) return {};
    return {
      upstreamResponse: this.upstream.text,
      clientResponse: this.client.text,
      bodiesTruncated: this.upstream.truncated || this.client.truncated,
    };
  }

  private addText(text: string): void {
    this.textLength += text.length;
    if (this.text.length < MAX_WATCHED_TEXT) this.text += text;
  }
}

/** Turns upstream chunks into client bytes, and ends the stream the dialect's way on failure. */
interface Bridge {
  push(chunk: Uint8Array): Uint8Array | string;
  /** The upstream ended: the last bytes, and the failure if it ended without its terminator. */
  end(): { text: string; failure?: IRError };
  fail(error: IRError): string;
  /** The error the stream already told the client, if any (then nothing more may follow). */
  failure(): IRError | undefined;
}

/**
 * The upstream's bytes go to the client unchanged; a decoder of the same dialect reads them
 * alongside for usage, the answer text and the ending (a missing terminator, an error event).
 */
function passthroughBridge(call: Call, decoder: StreamDecoder, watch: StreamWatch): Bridge {
  let failure: IRError | undefined;
  let errorEncoder: StreamEncoder | undefined;
  const observe = (events: IRStreamEvent[]) => {
    for (const event of events) {
      watch.saw(event);
      if (event.type === "error") failure ??= event.error;
    }
  };
  const fail = (error: IRError) => {
    errorEncoder ??= call.codec.encodeStream(encodeContext(call));
    return errorEncoder.push({ type: "error", error }) + errorEncoder.end();
  };
  let told: IRError | undefined;
  return {
    push(chunk) {
      watch.received(chunk);
      observe(decoder.push(chunk));
      // An error event inside the upstream's stream is passed on as the upstream wrote it.
      told = failure;
      return chunk;
    },
    end() {
      observe(decoder.end());
      if (failure === undefined) return { text: "" };
      return told ? { text: "", failure } : { text: fail(failure), failure };
    },
    fail: (error) => (told ? "" : fail(error)),
    failure: () => told,
  };
}

function translationBridge(decoder: StreamDecoder, encoder: StreamEncoder, watch: StreamWatch): Bridge {
  /** A finish or error reached the client: a later failure must not add a second ending. */
  let ended = false;
  let failure: IRError | undefined;
  const encode = (events: IRStreamEvent[]) => {
    let text = "";
    for (const event of events) {
      watch.saw(event);
      text += encoder.push(event);
      if (event.type === "error") failure = event.error;
      if (event.type === "finish" || event.type === "error") ended = true;
    }
    return text;
  };
  return {
    push(chunk) {
      watch.received(chunk);
      return encode(decoder.push(chunk));
    },
    end() {
      const text = encode(decoder.end()) + encoder.end();
      return failure ? { text, failure } : { text };
    },
    fail(error) {
      if (ended) return encoder.end();
      ended = true;
      return encoder.push({ type: "error", error }) + encoder.end();
    },
    failure: () => failure,
  };
}
