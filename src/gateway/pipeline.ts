/**
 * One client request through the house: read and decode the body in the client's dialect
 * (call.ts), resolve the model into targets, try them in order, and answer in the client's
 * dialect. Same dialect on both sides passes the bytes through (model name rewritten); otherwise
 * the request, the answer and the stream are translated through the IR.
 *
 * A target that fails before anything reached the client is skipped for the next one; a stream
 * is only committed to once its first bytes arrived (stream.ts). After that, an upstream failure
 * goes on at a later target that can continue the answer, or ends the stream with the client
 * dialect's error event; never with a normal stop.
 */
import {
  cacheKey,
  cacheWish,
  deterministic,
  readCacheSettings,
  replayed,
  type StoredAnswer,
} from "../cache/replay.ts";
import type { AppContext } from "../context.ts";
import { readGatewayLimits } from "../limits.ts";
import { providerSpec } from "../providers/catalog.ts";
import { operationUrl, upstreamHeaders } from "../providers/endpoint.ts";
import { proxyFor, readProxySettings } from "../providers/proxy.ts";
import { fetchWhole, sendUpstream, UpstreamFailure, type UpstreamRequest } from "../providers/upstream.ts";
import { type AttemptResult, type Prepared, type Walk, walkPlan } from "../routing/attempt.ts";
import { type Needs, neededCapabilities, someLackCapabilities } from "../routing/capabilities.ts";
import type { ResilienceProfile, Unavailable } from "../routing/health.ts";
import { decide, readPolicies } from "../routing/policies.ts";
import { ResolveError, type Target } from "../routing/resolve.ts";
import { readResilience } from "../routing/settings.ts";
import { allowsModel } from "../security/model-patterns.ts";
import { estimateRequestTokens } from "../usage/estimate.ts";
import {
  codecFor,
  encodeAnthropicRequest,
  type IRError,
  type IRPart,
  type IRRequest,
  type IRUsage,
  WireError,
} from "../wire/index.ts";
import {
  type Call,
  type CallOptions,
  type CallShape,
  comboPromptOf,
  encodeContext,
  errorResponse,
  gatewayHeaders,
  passesThrough,
  prepareCall,
  refuse,
  sameDialectBody,
  sendsBytes,
} from "./call.ts";
import { withoutReasoning } from "./continuation.ts";
import { failed, malformedAttempt } from "./failures.ts";
import { shapeRequest, shapes } from "./shaping.ts";
import { answerStream, type OpenedStream, openStream, type Resume } from "./stream.ts";

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
  const needs = await needsOf(call, ordered);
  if ("type" in needs) {
    call.keep?.(undefined);
    return refuse(report, dialect, needs);
  }
  const resume = resumeAfter(call, ordered, needs, profile);
  const walk = await walkPlan<string, Response, IRError>(
    ordered,
    context.health,
    profile,
    call.startedAt,
    {
      ...walkSteps(context),
      prepare(target) {
        if (sendsBytes(call, target)) return { ok: true, payload: sameDialectBody(call, target) };
        return encodedFor(call, target, shapedFor(call, target, call.ir()));
      },
      attempt: (target, body, attempt, remainingMs) =>
        sendAttempt(
          call,
          target,
          body,
          sendsBytes(call, target),
          attempt,
          remainingMs,
          async (upstream, headers) => {
            if (!call.stream) return answerWhole(call, target, await fetchWhole(upstream), headers());
            const opened = await openStream(target, attempt, await sendUpstream(upstream));
            const later = ordered.indexOf(target) < ordered.length - 1;
            return opened.ok
              ? answerStream(call, opened.value, headers(), later ? resume : undefined)
              : opened;
          },
        ),
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

/**
 * What the request needs of a target: tools and images when some target is known to lack them,
 * and room for its prompt (counted only if a target's window may be too small); or the request's
 * own error when it cannot be decoded and a target needs it decoded.
 */
async function needsOf(call: Call, targets: readonly Target[]): Promise<Needs | IRError> {
  const checkCapabilities = someLackCapabilities(targets);
  if (checkCapabilities || targets.some((target) => !sendsBytes(call, target))) {
    try {
      call.ir();
    } catch (error) {
      if (error instanceof WireError) return error.error;
      throw error;
    }
  }
  let tokens: Promise<number> | undefined;
  return {
    ...(checkCapabilities ? neededCapabilities(call.ir()) : {}),
    prompt: {
      bytes: Buffer.byteLength(call.bodyText),
      tokens: () => (tokens ??= promptTokens(call)),
    },
  };
}

/** The prompt's estimated tokens; 0 (fits anywhere) when the body cannot be decoded to count them. */
async function promptTokens(call: Call): Promise<number> {
  let request: IRRequest;
  try {
    request = call.ir();
  } catch (error) {
    if (error instanceof WireError) return 0;
    throw error;
  }
  return estimateRequestTokens(request);
}

/** How a walk handles an auth failure and names an error, the same for every walk. */
function walkSteps(context: AppContext) {
  return {
    onAuthFailure: (target: Target, message: string) => disableConnection(context, target, message),
    describe: (error: IRError) => error.message,
  };
}

/**
 * Opens a cut stream's continuation at the targets after the one it was cut at, within what is
 * left of the request's attempt budget and deadline.
 */
function resumeAfter(
  call: Call,
  ordered: readonly Target[],
  needs: Needs,
  profile: ResilienceProfile,
): Resume {
  return async (after, continuation, mustContinue) => {
    const rest = ordered.slice(ordered.indexOf(after.target) + 1);
    const budget = { ...profile, maxAttempts: profile.maxAttempts - after.attempt };
    const walk = await walkPlan<string, OpenedStream, IRError>(
      rest,
      call.context.health,
      budget,
      call.startedAt,
      {
        ...walkSteps(call.context),
        prepare: (target) =>
          encodedFor(call, target, withoutReasoning(shapedFor(call, target, continuation))),
        attempt: (target, body, attempt, remainingMs) =>
          sendAttempt(call, target, body, false, after.attempt + attempt, remainingMs, async (upstream) =>
            openStream(target, after.attempt + attempt, await sendUpstream(upstream)),
          ),
      },
      { ...needs, ...(mustContinue ? { continuation: true } : {}) },
    );
    return walk.value;
  };
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

/**
 * One attempt at one target: the request goes out (with the client's API version headers when
 * the body is the client's own), and `answer` reads the answer or commits to its stream.
 */
async function sendAttempt<T>(
  call: Call,
  target: Target,
  upstreamBody: string,
  clientBytes: boolean,
  attempt: number,
  remainingMs: number,
  answer: (
    upstream: UpstreamRequest,
    headers: () => Record<string, string>,
  ) => Promise<AttemptResult<T, IRError>>,
): Promise<AttemptResult<T, IRError>> {
  const { context, request, report } = call;
  const upstreamStartedAt = performance.now();
  const url = operationUrl(target.endpoint, call.stream ? "stream" : "generate", target.model);
  const proxy = proxyFor(target.endpoint, url, readProxySettings(context.settings));
  const limits = readGatewayLimits(context.settings).timeouts;
  const upstreamRequest: UpstreamRequest = {
    url,
    ...(proxy ? { proxy } : {}),
    headers: clientBytes
      ? { ...upstreamHeaders(target.endpoint), ...clientVersionHeaders(request) }
      : upstreamHeaders(target.endpoint),
    body: upstreamBody,
    stream: call.stream,
    signal: request.signal,
    timeouts: { ...limits, totalMs: Math.min(limits.totalMs, remainingMs) },
  };
  report.attemptStarted(target, upstreamBody, upstreamStartedAt);
  let result: AttemptResult<T, IRError>;
  try {
    result = await answer(upstreamRequest, () => gatewayHeaders(call, target, attempt, upstreamStartedAt));
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

/** The request as this target should get it: the system prompts and thinking policy applied. */
function shapedFor(call: Call, target: Target, request: IRRequest): IRRequest {
  const comboPrompt = comboPromptOf(call, target);
  return shapes(call.shaping, comboPrompt)
    ? shapeRequest(request, target, call.shaping, comboPrompt)
    : request;
}

/** The request in the target's dialect, or why it cannot carry it. */
function encodedFor(call: Call, target: Target, request: IRRequest): Prepared<string, IRError> {
  try {
    return {
      ok: true,
      payload: JSON.stringify(encodeFor(target, { ...request, model: target.model, stream: call.stream })),
    };
  } catch (error) {
    if (error instanceof WireError) return { ok: false, error: error.error };
    throw error;
  }
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

function encodeFor(target: Target, request: IRRequest): Record<string, unknown> {
  if (target.endpoint.dialect === "anthropic") {
    const version = target.endpoint.headers["anthropic-version"];
    return encodeAnthropicRequest(
      request,
      version === "2023-06-01" || version === "2026-10-21" ? { apiVersion: version } : {},
    );
  }
  const encoded = codecFor(target.endpoint.dialect).encodeRequest(request);
  const prefillField = providerSpec(target.endpoint.providerId)?.prefillField;
  const last = Array.isArray(encoded.messages) ? encoded.messages.at(-1) : undefined;
  // A final assistant message (the client's prefill, or a cut answer's text) is to be continued.
  if (
    prefillField &&
    request.messages.at(-1)?.role === "assistant" &&
    typeof last === "object" &&
    last !== null
  )
    (last as Record<string, unknown>)[prefillField] = true;
  return encoded;
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

/** The text an answer carries (text, reasoning, tool arguments), for an estimate of its tokens. */
function answerText(parts: readonly IRPart[]): string {
  let text = "";
  for (const part of parts) {
    if (part.type === "text" || part.type === "reasoning") text += part.text;
    else if (part.type === "tool_call") text += part.name + part.arguments;
  }
  return text;
}
