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
import { ResolveError, type Target } from "../routing/resolve.ts";
import {
  type Codec,
  codecFor,
  type Dialect,
  type EncodeContext,
  encodeAnthropicRequest,
  type IRError,
  type IRRequest,
  rewriteModel,
  type StreamDecoder,
  type StreamEncoder,
  type UsageTap,
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

/** At most this many targets are tried for one request (routing will share this budget). */
export const MAX_ATTEMPTS = 3;

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
  const { body, bodyText, model } = call;

  let decoded: IRRequest | undefined;
  let lastFailure: IRError | undefined;
  let attempts = 0;
  for (const target of targets.slice(0, MAX_ATTEMPTS)) {
    attempts++;
    const passthrough = target.endpoint.dialect === dialect;
    let upstreamBody: string;
    try {
      if (passthrough) upstreamBody = dialect === "gemini" ? bodyText : rewriteModel(bodyText, target.model);
      else {
        decoded ??= call.codec.decodeRequest(body, { model, stream: call.stream });
        upstreamBody = JSON.stringify(
          encodeFor(target, { ...decoded, model: target.model, stream: call.stream }),
        );
      }
    } catch (error) {
      if (error instanceof WireError) return errorResponse(dialect, error.error);
      throw error;
    }
    const upstreamStartedAt = performance.now();
    const url = operationUrl(target.endpoint, call.stream ? "stream" : "generate", target.model);
    const proxy = proxyFor(target.endpoint, url, readProxySettings(context.settings));
    const upstreamRequest: UpstreamRequest = {
      url,
      ...(proxy ? { proxy } : {}),
      headers: passthrough
        ? { ...upstreamHeaders(target.endpoint), ...clientVersionHeaders(request) }
        : upstreamHeaders(target.endpoint),
      body: upstreamBody,
      stream: call.stream,
      signal: request.signal,
      timeouts: readGatewayLimits(context.settings).timeouts,
    };
    let answer: Response | IRError;
    try {
      const headers = () => gatewayHeaders(call, target, attempts, upstreamStartedAt);
      answer = call.stream
        ? await answerStream(call, target, await sendUpstream(upstreamRequest), passthrough, headers())
        : answerWhole(call, target, await fetchWhole(upstreamRequest), passthrough, headers());
    } catch (error) {
      if (!(error instanceof UpstreamFailure)) throw error;
      lastFailure = upstreamError(target, error);
      if (!movesOn(error)) {
        return errorResponse(dialect, lastFailure, gatewayHeaders(call, target, attempts, upstreamStartedAt));
      }
      continue;
    }
    if (answer instanceof Response) return answer;
    lastFailure = answer;
  }
  return errorResponse(
    dialect,
    lastFailure ?? { type: "api_error", message: "No target answered", status: 502 },
  );
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

/** Failures another target might not have: the network, timeouts, rate limits, server errors. */
function movesOn(failure: UpstreamFailure): boolean {
  if (failure.kind === "client_abort") return false;
  if (failure.kind !== "http_error") return true;
  const status = failure.status ?? 0;
  return (
    status === 408 ||
    status === 409 ||
    status === 429 ||
    status >= 500 ||
    status === 401 ||
    status === 402 ||
    status === 403
  );
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

/** A non-streaming answer: the upstream's bytes as they are, or translated; an IRError if it cannot be read. */
function answerWhole(
  call: Call,
  target: Target,
  upstream: { text: string },
  passthrough: boolean,
  headers: Record<string, string>,
): Response | IRError {
  if (passthrough) {
    return new Response(upstream.text, {
      status: 200,
      headers: { ...headers, "content-type": "application/json" },
    });
  }
  try {
    const decoded = codecFor(target.endpoint.dialect).decodeResponse(JSON.parse(upstream.text));
    return Response.json(call.codec.encodeResponse(decoded, encodeContext(call)), { headers });
  } catch (error) {
    return malformed(target, error instanceof Error ? error.message : String(error));
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
 * so that a target that fails first costs the client nothing but time.
 */
async function answerStream(
  call: Call,
  target: Target,
  response: UpstreamResponse,
  passthrough: boolean,
  headers: Record<string, string>,
): Promise<Response | IRError> {
  const reader = response.body.getReader();
  let first: Uint8Array;
  try {
    const { done, value } = await reader.read();
    if (done) return malformed(target, "the stream ended before it began");
    first = value;
  } catch (error) {
    return error instanceof UpstreamFailure ? upstreamError(target, error) : malformed(target, String(error));
  }
  const bridge = passthrough
    ? passthroughBridge(usageTap(call.shape.dialect), call)
    : translationBridge(
        codecFor(target.endpoint.dialect).decodeStream(),
        call.codec.encodeStream(encodeContext(call)),
      );
  const bytes = new TextEncoder();
  const out = new ReadableStream<Uint8Array>({
    start(controller) {
      const text = bridge.push(first);
      if (text) controller.enqueue(typeof text === "string" ? bytes.encode(text) : text);
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          const tail = bridge.end();
          if (tail) controller.enqueue(bytes.encode(tail));
          controller.close();
          return;
        }
        const text = bridge.push(value);
        if (text) controller.enqueue(typeof text === "string" ? bytes.encode(text) : text);
      } catch (error) {
        const failure =
          error instanceof UpstreamFailure
            ? upstreamError(target, error)
            : error instanceof WireError
              ? error.error
              : malformed(target, String(error));
        controller.enqueue(bytes.encode(bridge.fail(failure)));
        controller.close();
        await reader.cancel().catch(() => {});
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(out, {
    status: 200,
    headers: {
      ...headers,
      "content-type": STREAM_CONTENT_TYPE[call.shape.dialect],
      "cache-control": "no-cache",
    },
  });
}

/** Turns upstream chunks into client bytes, and ends the stream the dialect's way on failure. */
interface Bridge {
  push(chunk: Uint8Array): Uint8Array | string;
  end(): string;
  fail(error: IRError): string;
}

function passthroughBridge(tap: UsageTap, call: Call): Bridge {
  let errorEncoder: StreamEncoder | undefined;
  return {
    push(chunk) {
      tap.push(chunk);
      return chunk;
    },
    end() {
      tap.end();
      return "";
    },
    fail(error) {
      errorEncoder ??= call.codec.encodeStream(encodeContext(call));
      return errorEncoder.push({ type: "error", error }) + errorEncoder.end();
    },
  };
}

function translationBridge(decoder: StreamDecoder, encoder: StreamEncoder): Bridge {
  /** A finish or error reached the client: a later failure must not add a second ending. */
  let ended = false;
  const encode = (events: ReturnType<StreamDecoder["push"]>) => {
    let text = "";
    for (const event of events) {
      text += encoder.push(event);
      if (event.type === "finish" || event.type === "error") ended = true;
    }
    return text;
  };
  return {
    push: (chunk) => encode(decoder.push(chunk)),
    end: () => encode(decoder.end()) + encoder.end(),
    fail(error) {
      if (ended) return encoder.end();
      ended = true;
      return encoder.push({ type: "error", error }) + encoder.end();
    },
  };
}
