/**
 * The APIs beyond chat through the chat pipeline's pieces: the same key check, limits and
 * budget (prepareCall), routing with combos and policies (planTargets), the one attempt loop
 * (walkPlan) and the same usage report. What differs per API is an operation: how the client's
 * body is read, encoded in a target's style, and how the upstream's answer is turned back into
 * OpenAI's shape with the usage it reported. Errors are OpenAI's envelope.
 */
import type { AppContext } from "../../context.ts";
import { readGatewayLimits } from "../../limits.ts";
import type { MediaApi } from "../../providers/catalog.ts";
import { upstreamHeaders } from "../../providers/endpoint.ts";
import { type MediaUrl, mediaUrl } from "../../providers/media-apis.ts";
import { proxyFor, readProxySettings } from "../../providers/proxy.ts";
import {
  fetchWhole,
  sendUpstream,
  UpstreamFailure,
  type UpstreamRequest,
  type UpstreamResponse,
} from "../../providers/upstream.ts";
import { type AttemptResult, walkPlan } from "../../routing/attempt.ts";
import { decide, readPolicies } from "../../routing/policies.ts";
import type { Target } from "../../routing/resolve.ts";
import { readResilience } from "../../routing/settings.ts";
import type { CallUnits } from "../../usage/outcome.ts";
import { type IRError, type IRRequest, type IRUsage, WireError } from "../../wire/index.ts";
import { type Call, type CallOptions, errorResponse, gatewayHeaders, prepareCall, refuse } from "../call.ts";
import { checkClientKey } from "../client-key.ts";
import { failed, malformedAttempt } from "../failures.ts";
import { disableConnection, planTargets, recordComboStep, unanswered } from "../pipeline.ts";

const DIALECT = "openai-chat";

/** What one target is sent. */
export interface MediaRequest {
  url: string;
  body: string | FormData;
  /** The body as the call log shows it, when it is a form (its file described, not copied). */
  logged?: string;
}

/** The client's answer, read from the upstream's. */
export interface MediaAnswer {
  body: string | ReadableStream<Uint8Array>;
  contentType: string;
  usage?: IRUsage;
  /** What the answer shows the call is billed by besides tokens (images returned, audio heard). */
  units?: CallUnits;
  /** Text the answer carries, for an estimate of its tokens when the upstream reports none. */
  outputText?: string;
}

/**
 * One API beyond chat. `read` and `encode` throw a WireError for what cannot be served (a bad
 * body; a target that cannot carry the request, which is then skipped); `decode` throws on an
 * upstream answer it cannot read.
 */
export interface MediaOperation<Input> {
  api: MediaApi;
  /**
   * The client's request as the JSON request prepareCall reads, when it is not one as it comes
   * (a moderation without its optional model, a multipart upload), with the uploaded files.
   */
  preread?(request: Request, maxBodyBytes: number): Promise<Preread | IRError>;
  read(body: Record<string, unknown>, files: ReadonlyMap<string, File>): Input;
  encode(input: Input, route: MediaUrl, target: Target): MediaRequest;
  /** Reads the upstream's whole answer; without it, the answer streams through as it comes (speech). */
  decode?(
    input: Input,
    route: MediaUrl,
    upstream: { text: string; headers: Headers },
  ): MediaAnswer | Promise<MediaAnswer>;
  /** The text the request carries, for an estimate of its tokens when the upstream reports none. */
  inputText(input: Input): string;
  /** What the request alone shows the call is billed by besides tokens (speech: its characters). */
  requestUnits?(input: Input): CallUnits;
}

export interface Preread {
  request: Request;
  files?: ReadonlyMap<string, File>;
}

export async function handleMedia<Input>(
  context: AppContext,
  request: Request,
  provider: string | undefined,
  operation: MediaOperation<Input>,
  options: CallOptions = {},
): Promise<Response> {
  let files: ReadonlyMap<string, File> = new Map();
  if (operation.preread) {
    // The key is checked before an upload is read; prepareCall checks it again from memory.
    const key = checkClientKey(context, request, new URL(request.url));
    if (!key.ok) return errorResponse(DIALECT, { type: "authentication", message: key.message, status: 401 });
    const preread = await operation.preread(request, readGatewayLimits(context.settings).maxBodyBytes);
    if (!("request" in preread)) return errorResponse(DIALECT, preread);
    request = preread.request;
    files = preread.files ?? files;
  }
  const shape = { dialect: DIALECT, ...(provider ? { provider } : {}) } as const;
  const call = await prepareCall(context, request, shape, options);
  if (call instanceof Response) return call;
  const { report } = call;
  const policy = decide(readPolicies(context.settings), call.key.id, call.model);
  if (policy.action === "deny")
    return refuse(report, DIALECT, { type: "permission", message: policy.message, status: 403 });
  if (policy.action === "route") call.resolveAs = policy.combo;
  let input: Input;
  try {
    input = operation.read(call.body, files);
  } catch (error) {
    if (error instanceof WireError) return refuse(report, DIALECT, error.error);
    throw error;
  }
  const targets = planTargets(call);
  if (!Array.isArray(targets)) return refuse(report, DIALECT, targets);
  const profile = readResilience(context.settings).profile;
  const walk = await walkPlan<Routed, Response, IRError>(targets, context.health, profile, call.startedAt, {
    prepare(target) {
      const route = mediaUrl(target.endpoint, operation.api, target.model);
      if (!route) return { ok: false, error: notServed(target, operation.api) };
      try {
        return { ok: true, payload: { route, request: operation.encode(input, route, target) } };
      } catch (error) {
        if (error instanceof WireError) return { ok: false, error: error.error };
        throw error;
      }
    },
    attempt: (target, routed, attempt, remainingMs) =>
      sendMedia(call, operation, input, target, routed, attempt, remainingMs),
    onAuthFailure: (target, message) => disableConnection(context, target, message),
    describe: (error) => error.message,
  });
  recordComboStep(call, walk);
  return walk.value ?? unanswered(call, walk);
}

interface Routed {
  route: MediaUrl;
  request: MediaRequest;
}

function notServed(target: Target, api: MediaApi): IRError {
  return {
    type: "invalid_request",
    message: `${target.endpoint.prefix}/${target.model} does not serve the ${api} API`,
    status: 400,
    param: "model",
  };
}

async function sendMedia<Input>(
  call: Call,
  operation: MediaOperation<Input>,
  input: Input,
  target: Target,
  { route, request }: Routed,
  attempt: number,
  remainingMs: number,
): Promise<AttemptResult<Response, IRError>> {
  const { context, report } = call;
  const upstreamStartedAt = performance.now();
  const proxy = proxyFor(target.endpoint, request.url, readProxySettings(context.settings));
  const limits = readGatewayLimits(context.settings).timeouts;
  const upstreamRequest: UpstreamRequest = {
    url: request.url,
    ...(proxy ? { proxy } : {}),
    headers: typeof request.body === "string" ? upstreamHeaders(target.endpoint) : formHeaders(target),
    body: request.body,
    stream: operation.decode === undefined,
    signal: call.request.signal,
    timeouts: { ...limits, totalMs: Math.min(limits.totalMs, remainingMs) },
  };
  report.attemptStarted(
    target,
    request.logged ?? (typeof request.body === "string" ? request.body : ""),
    upstreamStartedAt,
  );
  let result: AttemptResult<Response, IRError>;
  try {
    const decoded = operation.decode
      ? await operation.decode(input, route, await fetchWhole(upstreamRequest))
      : streamedAnswer(await sendUpstream(upstreamRequest));
    const answer = { ...decoded, units: { ...operation.requestUnits?.(input), ...decoded.units } };
    result = answered(
      call,
      operation.inputText(input),
      target,
      answer,
      gatewayHeaders(call, target, attempt, upstreamStartedAt),
    );
  } catch (error) {
    if (error instanceof UpstreamFailure) result = failed(target, error);
    else result = malformedAttempt(target, error instanceof Error ? error.message : String(error));
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

/** The endpoint's headers without the JSON content type: fetch sets a form's, with its boundary. */
function formHeaders(target: Target): Record<string, string> {
  const { "content-type": _json, ...headers } = upstreamHeaders(target.endpoint);
  return headers;
}

function streamedAnswer(upstream: UpstreamResponse): MediaAnswer {
  return {
    body: upstream.body,
    contentType: upstream.headers.get("content-type") ?? "application/octet-stream",
  };
}

/** The client's response; the call is recorded once the whole answer went out (or the client left). */
function answered(
  call: Call,
  inputText: string,
  target: Target,
  answer: MediaAnswer,
  headers: Record<string, string>,
): AttemptResult<Response, IRError> {
  const { report } = call;
  const cost = call.context.usage.costOf({
    provider: target.endpoint.providerId,
    connectionId: target.connection.id,
    model: target.model,
    ...(answer.usage ? { usage: answer.usage } : {}),
    ...(answer.units ? { units: answer.units } : {}),
  });
  const finish = (end: { firstByteAt: number; error?: IRError; aborted?: boolean }) =>
    report.finish({
      status: 200,
      complete: end.error === undefined && end.aborted !== true,
      ...end,
      ...(answer.usage ? { usage: answer.usage } : {}),
      ...(answer.units ? { units: answer.units } : {}),
      request: () => textRequest(target.model, inputText),
      outputText: () => answer.outputText ?? "",
    });
  let body = answer.body;
  if (typeof body === "string") finish({ firstByteAt: performance.now() });
  else body = recordedAtEnd(body, target, finish);
  const responseHeaders = {
    ...headers,
    ...(cost !== null ? { "x-switchyard-cost-usd": cost.toFixed(6) } : {}),
    "content-type": answer.contentType,
  };
  // A streamed answer's health is told at its head: a cut audio stream is rare and not retried.
  return { ok: true, deferred: false, value: new Response(body, { status: 200, headers: responseHeaders }) };
}

/** The upstream's bytes as they come, the call recorded when they end. */
function recordedAtEnd(
  upstream: ReadableStream<Uint8Array>,
  target: Target,
  finish: (end: { firstByteAt: number; error?: IRError; aborted?: boolean }) => void,
): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  let firstByteAt: number | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          finish({ firstByteAt: firstByteAt ?? performance.now() });
          return;
        }
        firstByteAt ??= performance.now();
        controller.enqueue(value);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        finish({
          firstByteAt: firstByteAt ?? performance.now(),
          error: {
            type: "api_error",
            message: `${target.endpoint.prefix}/${target.model}: ${message}`,
            status: 502,
          },
        });
        controller.error(error);
      }
    },
    cancel(reason) {
      finish({ firstByteAt: firstByteAt ?? performance.now(), aborted: true });
      return reader.cancel(reason);
    },
  });
}

/** The request's text as a chat request, for the report's token estimate. */
function textRequest(model: string, text: string): IRRequest {
  return {
    model,
    system: [],
    messages: [{ role: "user", parts: [{ type: "text", text }] }],
    sampling: {},
    stream: false,
  };
}

/** The client's body for an OpenAI-style upstream: as it came, with the target's model. */
export function asSent(body: Record<string, unknown>, route: MediaUrl, target: Target): MediaRequest {
  return { url: route.url, body: JSON.stringify({ ...body, model: target.model }) };
}

/** A JSON object field that must be a non-empty string. */
export function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "")
    throw new WireError("invalid_request", `${field}: required, a non-empty string`, { param: field });
  return value;
}

/** The body without the fields an operation maps itself: what is forwarded as the client wrote it. */
export function otherFields(
  body: Record<string, unknown>,
  mapped: readonly string[],
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key]) => !mapped.includes(key)));
}

/** The client's request with another body (same URL, headers and abort signal). */
export function withBody(request: Request, body: string): Request {
  const headers = new Headers(request.headers);
  headers.set("content-type", "application/json");
  headers.delete("content-length");
  return new Request(request.url, { method: "POST", headers, body, signal: request.signal });
}
