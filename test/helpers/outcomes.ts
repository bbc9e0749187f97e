/**
 * CallOutcome objects as the gateway will report them, for feeding the usage recorder directly.
 */
import type { CallOutcome } from "../../src/usage/outcome.ts";

let sequence = 0;

/** A successful non-streaming request answered by openai/gpt-6.2-sol on connection `conn-1`. */
export function outcome(overrides: Partial<CallOutcome> = {}): CallOutcome {
  sequence++;
  return {
    startedAt: Date.now(),
    requestId: `req-${sequence}`,
    apiKeyId: "key-1",
    clientDialect: "openai-chat",
    requestedModel: "openai/gpt-6.2-sol",
    provider: "openai",
    connectionId: "conn-1",
    model: "gpt-6.2-sol",
    stream: false,
    status: 200,
    attempts: [
      { provider: "openai", connectionId: "conn-1", model: "gpt-6.2-sol", status: 200, latencyMs: 80 },
    ],
    latencyMs: 100,
    ttfbMs: 90,
    overheadMs: 2,
    usage: { inputTokens: 1000, outputTokens: 500 },
    aborted: false,
    ...overrides,
  };
}

/** A request that failed over: the first connection answered 503, the second 200. */
export function fellOver(overrides: Partial<CallOutcome> = {}): CallOutcome {
  return outcome({
    connectionId: "conn-2",
    attempts: [
      {
        provider: "openai",
        connectionId: "conn-1",
        model: "gpt-6.2-sol",
        status: 503,
        failure: "http_error",
        error: "overloaded",
        latencyMs: 30,
      },
      { provider: "openai", connectionId: "conn-2", model: "gpt-6.2-sol", status: 200, latencyMs: 60 },
    ],
    ...overrides,
  });
}

/** A request refused upstream with a 429 after one attempt. */
export function failed(overrides: Partial<CallOutcome> = {}): CallOutcome {
  return outcome({
    status: 429,
    errorType: "rate_limit",
    errorMessage: "rate limited",
    usage: undefined,
    attempts: [
      {
        provider: "openai",
        connectionId: "conn-1",
        model: "gpt-6.2-sol",
        status: 429,
        failure: "http_error",
        error: "rate limited",
        latencyMs: 20,
      },
    ],
    ...overrides,
  });
}
