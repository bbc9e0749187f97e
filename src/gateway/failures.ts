/**
 * An upstream attempt that failed, as the attempt loop classifies it (its facts) and as the client
 * is told (an IRError that keeps the upstream's own message and status where there is one).
 */
import type { UpstreamFailure } from "../providers/upstream.ts";
import type { AttemptResult } from "../routing/attempt.ts";
import type { Target } from "../routing/resolve.ts";
import { codecFor, type IRError } from "../wire/index.ts";

export function failed(target: Target, failure: UpstreamFailure): AttemptResult<never, IRError> {
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

export function malformedAttempt(target: Target, detail: string): AttemptResult<never, IRError> {
  return { ok: false, facts: { kind: "malformed" }, error: malformed(target, detail) };
}

export function malformed(target: Target, detail: string): IRError {
  return {
    type: "api_error",
    message: `${target.endpoint.prefix}/${target.model} sent an answer that could not be read: ${detail}`,
    status: 502,
    code: "malformed_upstream",
  };
}

/** The upstream's failure as an IRError, the upstream's own message and status kept where there is one. */
export function upstreamError(target: Target, failure: UpstreamFailure): IRError {
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
