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
import { type AttemptResult, targetKey, walkPlan } from "../routing/attempt.ts";
import { classify } from "../routing/classify.ts";
import type { Unavailable } from "../routing/health.ts";
import { ResolveError, type Target } from "../routing/resolve.ts";
import { readResilience } from "../routing/settings.ts";
import {
  type Codec,
  codecFor,
  type Dialect,
  type EncodeContext,
  EndWatch,
  encodeAnthropicRequest,
  type IRError,
  type IRRequest,
  rewriteModel,
  type StreamDecoder,
  type StreamEncoder,
  usageTap,
  WireError,
} from "../wire/index.ts";
import { BodyTooLarge, readBody } from "./body.ts";
import { checkClientKey } from "./client-key.ts";

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
  apiKeyId: string;
}

/** Key, body and model checked; the call as the rest of the pipeline sees it, or the client's error answer. */
export async function prepareCall(
  context: AppContext,
  request: Request,
  shape: CallShape,
): Promise<Call | Response> {
  const startedAt = performance.now();
  const url = new URL(request.url);
  const { dialect } = shape;
  const fail = (type: IRError["type"], message: string, extra: Partial<IRError> = {}) =>
    errorResponse(dialect, { type, message, status: extra.status ?? statusOf(type), ...extra });

  const key = checkClientKey(context, request, url);
  if (!key.ok) return fail("authentication", key.message);

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
    return fail("invalid_request", "The request body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return fail("invalid_request", "The request body must be a JSON object");
  }
  const body = parsed as Record<string, unknown>;
  const model = shape.pathModel ?? (typeof body.model === "string" ? body.model : undefined);
  if (!model || model.trim() === "") return fail("invalid_request", "model: required", { param: "model" });
  return {
    context,
    request,
    shape,
    codec: codecFor(dialect),
    bodyText,
    body,
    model,
    stream: shape.pathStream ?? streamRequested(dialect, body),
    framing: dialect === "gemini" && url.searchParams.get("alt") !== "sse" ? "json-array" : "sse",
    startedAt,
    apiKeyId: key.key.id,
  };
}

/** The targets for the call's model, or the client's error answer when there are none. */
export function planTargets(call: Call): Target[] | Response {
  const { dialect } = call.shape;
  try {
    const targets = call.context.resolver.resolve(call.model, call.shape.provider).targets;
    if (targets.length > 0) return targets;
  } catch (error) {
    if (error instanceof ResolveError) {
      return errorResponse(dialect, {
        type: "invalid_request",
        message: error.message,
        status: 400,
        param: "model",
      });
    }
    throw error;
  }
  const where = call.shape.provider ? ` at provider '${call.shape.provider}'` : "";
  return errorResponse(dialect, {
    type: "not_found",
    message: `Model '${call.model}' is not served by any active connection${where}. GET /v1/models lists the models you can use.`,
    status: 404,
    param: "model",
  });
}

export async function handleCall(context: AppContext, request: Request, shape: CallShape): Promise<Response> {
  const call = await prepareCall(context, request, shape);
  if (call instanceof Response) return call;
  const targets = planTargets(call);
  if (targets instanceof Response) return targets;
  const { dialect } = shape;
  const profile = readResilience(context.settings).profile;
  const sessionId = request.headers.get("x-session-id") ?? undefined;
  const ordered = sessionId ? context.sessions.preferred(sessionId, targets) : targets;
  let decoded: IRRequest | undefined;
  if (ordered.some((target) => target.endpoint.dialect !== dialect)) {
    try {
      decoded = call.codec.decodeRequest(call.body, { model: call.model, stream: call.stream });
    } catch (error) {
      if (error instanceof WireError) return errorResponse(dialect, error.error);
      throw error;
    }
  }
  const walk = await walkPlan<string, Response, IRError>(ordered, context.health, profile, call.startedAt, {
    prepare(target) {
      if (target.endpoint.dialect === dialect) {
        return {
          ok: true,
          payload: dialect === "gemini" ? call.bodyText : rewriteModel(call.bodyText, target.model),
        };
      }
      try {
        return {
          ok: true,
          payload: JSON.stringify(
            encodeFor(target, { ...decoded!, model: target.model, stream: call.stream }),
          ),
        };
      } catch (error) {
        if (error instanceof WireError) return { ok: false, error: error.error };
        throw error;
      }
    },
    attempt: (target, body, attempt, remainingMs) =>
      sendAttempt(call, target, body, target.endpoint.dialect === dialect, attempt, remainingMs),
    onAuthFailure(target, message) {
      context.providers.updateConnection(target.connection.id, {
        testStatus: "error",
        lastError: `disabled: ${message}`,
      });
    },
    describe: (error) => error.message,
  });
  if (walk.target?.combo) {
    context.comboMetrics.record(
      walk.target.combo.name,
      walk.value ? walk.target.combo.step : undefined,
      walk.value !== undefined,
      walk.attempts,
      performance.now() - call.startedAt,
    );
  }
  if (walk.value) {
    if (sessionId && walk.target)
      context.sessions.remember(sessionId, walk.target.connection.id, call.apiKeyId);
    return walk.value;
  }
  if (walk.lastError) {
    const headers = walk.target ? gatewayHeaders(call, walk.target, walk.attempts, performance.now()) : {};
    return errorResponse(dialect, walk.lastError, headers);
  }
  return unavailableResponse(dialect, walk.unavailable);
}

/** Every target is cooling down, open, disabled or at its limit: say so at once, with when to come back. */
function unavailableResponse(dialect: Dialect, unavailable: Unavailable[]): Response {
  const now = Date.now();
  const earliest = Math.min(...unavailable.map((entry) => entry.until));
  const headers: Record<string, string> = Number.isFinite(earliest)
    ? { "retry-after": String(Math.max(1, Math.ceil((earliest - now) / 1000))) }
    : {};
  const limited = unavailable.some(
    (entry) => entry.reason === "cooldown" || entry.reason === "rate_limit" || entry.reason === "concurrency",
  );
  const reasons = [...new Set(unavailable.map((entry) => entry.reason))].join(", ");
  const error: IRError = limited
    ? {
        type: "rate_limit",
        status: 429,
        message: `Every target for this model is cooling down or at its limit (${reasons}); retry after the Retry-After header`,
      }
    : { type: "overloaded", status: 503, message: `Every target for this model is unavailable (${reasons})` };
  return errorResponse(dialect, error, headers);
}

/** One attempt at one target: the request goes out, the answer is read or its stream committed to. */
async function sendAttempt(
  call: Call,
  target: Target,
  upstreamBody: string,
  passthrough: boolean,
  attempt: number,
  remainingMs: number,
): Promise<AttemptResult<Response, IRError>> {
  const { context, request } = call;
  const upstreamStartedAt = performance.now();
  const url = operationUrl(target.endpoint, call.stream ? "stream" : "generate", target.model);
  const proxy = proxyFor(target.endpoint, url, readProxySettings(context.settings));
  const limits = readGatewayLimits(context.settings).timeouts;
  const upstreamRequest: UpstreamRequest = {
    url,
    ...(proxy ? { proxy } : {}),
    headers: passthrough
      ? { ...upstreamHeaders(target.endpoint), ...clientVersionHeaders(request) }
      : upstreamHeaders(target.endpoint),
    body: upstreamBody,
    stream: call.stream,
    signal: request.signal,
    timeouts: { ...limits, totalMs: Math.min(limits.totalMs, remainingMs) },
  };
  const headers = () => gatewayHeaders(call, target, attempt, upstreamStartedAt);
  try {
    if (!call.stream)
      return answerWhole(call, target, await fetchWhole(upstreamRequest), passthrough, headers());
    return await answerStream(call, target, await sendUpstream(upstreamRequest), passthrough, headers());
  } catch (error) {
    if (!(error instanceof UpstreamFailure)) throw error;
    return failed(target, error);
  }
}

function failed(target: Target, failure: UpstreamFailure): AttemptResult<Response, IRError> {
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

function malformedAttempt(target: Target, detail: string): AttemptResult<Response, IRError> {
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

function gatewayHeaders(
  call: Call,
  target: Target,
  attempts: number,
  upstreamStartedAt: number,
): Record<string, string> {
  return {
    "x-switchyard-provider": target.endpoint.prefix,
    "x-switchyard-model": target.model,
    "x-switchyard-connection": target.connection.id,
    "x-switchyard-attempts": String(attempts),
    "x-switchyard-overhead-ms": (upstreamStartedAt - call.startedAt).toFixed(2),
  };
}

function encodeContext(call: Call): EncodeContext {
  const includeUsage = call.shape.dialect === "openai-chat" && hasIncludeUsage(call.body);
  return { model: call.model, includeUsage, framing: call.framing };
}

function hasIncludeUsage(body: Record<string, unknown>): boolean {
  const options = body.stream_options;
  return (
    typeof options === "object" &&
    options !== null &&
    (options as { include_usage?: unknown }).include_usage === true
  );
}

/** A non-streaming answer: the upstream's bytes as they are, or translated. */
function answerWhole(
  call: Call,
  target: Target,
  upstream: { text: string },
  passthrough: boolean,
  headers: Record<string, string>,
): AttemptResult<Response, IRError> {
  if (passthrough) {
    return {
      ok: true,
      deferred: false,
      value: new Response(upstream.text, {
        status: 200,
        headers: { ...headers, "content-type": "application/json" },
      }),
    };
  }
  try {
    const decoded = codecFor(target.endpoint.dialect).decodeResponse(JSON.parse(upstream.text));
    return {
      ok: true,
      deferred: false,
      value: Response.json(call.codec.encodeResponse(decoded, encodeContext(call)), { headers }),
    };
  } catch (error) {
    return malformedAttempt(target, error instanceof Error ? error.message : String(error));
  }
}

function malformed(target: Target, detail: string): IRError {
  return {
    type: "api_error",
    message: `${target.endpoint.prefix}/${target.model} sent an answer that could not be read: ${detail}`,
    status: 502,
    code: "malformed_upstream",
  };
}

/**
 * A streaming answer. The first upstream chunk is awaited before the client's response starts,
 * so that a target that fails first costs the client nothing but time. The stream reports its
 * own outcome to health when it ends: complete, cut (an error event went to the client), or left
 * by the client.
 */
async function answerStream(
  call: Call,
  target: Target,
  response: UpstreamResponse,
  passthrough: boolean,
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
  const key = targetKey(target);
  let settled = false;
  const settle = (outcome: "ok" | "abandoned" | IRError) => {
    if (settled) return;
    settled = true;
    if (outcome === "ok") health.succeeded(key);
    else if (outcome === "abandoned") health.abandoned(key);
    else health.failed(key, classify({ kind: "stream_cut" }), outcome.message);
  };
  const bridge = passthrough
    ? passthroughBridge(call, target)
    : translationBridge(
        codecFor(target.endpoint.dialect).decodeStream(),
        call.codec.encodeStream(encodeContext(call)),
      );
  const bytes = new TextEncoder();
  /** Enqueues what there is to send; false when there was nothing. */
  const send = (
    controller: ReadableStreamDefaultController<Uint8Array>,
    out: Uint8Array | string,
  ): boolean => {
    if (typeof out !== "string") controller.enqueue(out);
    else if (out !== "") controller.enqueue(bytes.encode(out));
    else return false;
    return true;
  };
  const out = new ReadableStream<Uint8Array>({
    start(controller) {
      send(controller, bridge.push(first));
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
    value: new Response(out, {
      status: 200,
      headers: {
        ...headers,
        "content-type": STREAM_CONTENT_TYPE[call.shape.dialect],
        "cache-control": "no-cache",
      },
    }),
  };
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

function passthroughBridge(call: Call, target: Target): Bridge {
  const tap = usageTap(call.shape.dialect);
  const watch = new EndWatch(call.shape.dialect);
  let errorEncoder: StreamEncoder | undefined;
  const fail = (error: IRError) => {
    errorEncoder ??= call.codec.encodeStream(encodeContext(call));
    return errorEncoder.push({ type: "error", error }) + errorEncoder.end();
  };
  return {
    push(chunk) {
      tap.push(chunk);
      watch.push(chunk);
      return chunk;
    },
    end() {
      tap.end();
      if (watch.terminated()) return { text: "" };
      const failure: IRError = {
        type: "api_error",
        message: `${target.endpoint.prefix}/${target.model}: the stream ended before it was complete`,
        status: 502,
        code: "stream_truncated",
      };
      return { text: fail(failure), failure };
    },
    fail,
    failure: () => undefined,
  };
}

function translationBridge(decoder: StreamDecoder, encoder: StreamEncoder): Bridge {
  /** A finish or error reached the client: a later failure must not add a second ending. */
  let ended = false;
  let failure: IRError | undefined;
  const encode = (events: ReturnType<StreamDecoder["push"]>) => {
    let text = "";
    for (const event of events) {
      text += encoder.push(event);
      if (event.type === "error") failure = event.error;
      if (event.type === "finish" || event.type === "error") ended = true;
    }
    return text;
  };
  return {
    push: (chunk) => encode(decoder.push(chunk)),
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
