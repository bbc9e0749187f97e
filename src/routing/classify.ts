/**
 * What an upstream failure means for routing: its class, whether another target could do better,
 * and how long the upstream asked us to stay away (Retry-After and the providers' rate-limit reset
 * headers). Pure: it reads the failure, it decides nothing about state.
 */
import type { FailureKind } from "../providers/upstream.ts";

export type FailureClass =
  | "connect"
  | "timeout"
  | "rate_limit"
  | "quota"
  | "auth"
  | "server"
  | "context_length"
  | "content_filter"
  | "client"
  | "malformed"
  | "stream_cut"
  | "client_abort";

export interface Classified {
  class: FailureClass;
  /** Another target may succeed where this one failed. */
  movesOn: boolean;
  /** What the upstream said about when to come back, in ms from now. */
  retryAfterMs?: number;
}

export interface FailureFacts {
  kind: FailureKind | "malformed" | "stream_cut";
  status?: number;
  body?: string;
  headers?: Headers;
}

const CONTEXT_LENGTH =
  /context[_ ]length|context window|maximum context|prompt is too long|too many tokens|input is too long|exceeds the (model'?s? )?(maximum|context)|max_tokens.*too large|request too large for model/i;
const CONTENT_FILTER =
  /content[_ ]?filter|content management policy|content_policy|safety (system|settings)|flagged|blocked by|responsible ai/i;
const QUOTA = /insufficient_quota|quota|billing|credit balance|payment required|exceeded your current/i;

export function classify(failure: FailureFacts, now = Date.now()): Classified {
  const retryAfterMs = failure.headers ? retryAfter(failure.headers, now) : undefined;
  const withRetry = (result: Classified): Classified =>
    retryAfterMs === undefined ? result : { ...result, retryAfterMs };
  switch (failure.kind) {
    case "client_abort":
      return { class: "client_abort", movesOn: false };
    case "connect_error":
      return { class: "connect", movesOn: true };
    case "connect_timeout":
    case "first_byte_timeout":
    case "idle_timeout":
    case "deadline":
      return { class: "timeout", movesOn: true };
    case "malformed":
      return { class: "malformed", movesOn: true };
    case "stream_cut":
      return { class: "stream_cut", movesOn: true };
    case "http_error":
      break;
  }
  const status = failure.status ?? 0;
  const body = failure.body ?? "";
  if (status === 401 || (status === 403 && !QUOTA.test(body))) return { class: "auth", movesOn: true };
  if (status === 402 || ((status === 429 || status === 403) && QUOTA.test(body)))
    return withRetry({ class: "quota", movesOn: true });
  if (status === 429) return withRetry({ class: "rate_limit", movesOn: true });
  if (status === 408 || status >= 500) return withRetry({ class: "server", movesOn: true });
  if (status === 400 || status === 413 || status === 422) {
    if (CONTEXT_LENGTH.test(body)) return { class: "context_length", movesOn: true };
    if (CONTENT_FILTER.test(body)) return { class: "content_filter", movesOn: false };
  }
  return { class: "client", movesOn: false };
}

/**
 * The longest wait any of the upstream's headers asks for: Retry-After (seconds or a date),
 * retry-after-ms, OpenAI's x-ratelimit-reset-* durations ("6m0s", "1.5s", "120ms") — only when
 * that limit is exhausted — and Anthropic's *-reset timestamps.
 */
export function retryAfter(headers: Headers, now = Date.now()): number | undefined {
  const waits: number[] = [];
  const retryAfterValue = headers.get("retry-after");
  if (retryAfterValue) {
    const seconds = Number(retryAfterValue);
    const date = Date.parse(retryAfterValue);
    if (Number.isFinite(seconds)) waits.push(seconds * 1000);
    else if (!Number.isNaN(date)) waits.push(date - now);
  }
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.has("retry-after-ms") && Number.isFinite(ms)) waits.push(ms);
  for (const limit of ["requests", "tokens"]) {
    const remaining = headers.get(`x-ratelimit-remaining-${limit}`);
    const reset = headers.get(`x-ratelimit-reset-${limit}`);
    if (reset && remaining === "0") {
      const duration = parseDuration(reset);
      if (duration !== undefined) waits.push(duration);
    }
    const anthropicRemaining = headers.get(`anthropic-ratelimit-${limit}-remaining`);
    const anthropicReset = headers.get(`anthropic-ratelimit-${limit}-reset`);
    if (anthropicReset && anthropicRemaining === "0") {
      const date = Date.parse(anthropicReset);
      if (!Number.isNaN(date)) waits.push(date - now);
    }
  }
  const positive = waits.filter((wait) => wait > 0);
  return positive.length === 0 ? undefined : Math.max(...positive);
}

/** "1h2m3.5s", "6m0s", "120ms", "2s" → milliseconds. */
export function parseDuration(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join("") !== text.trim()) return undefined;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  return parts.reduce((total, part) => total + Number(part[1]) * unit[part[2]!]!, 0);
}
