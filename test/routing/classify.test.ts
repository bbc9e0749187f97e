import { describe, expect, it } from "bun:test";
import { classify, parseDuration, retryAfter } from "../../src/routing/classify.ts";

const http = (status: number, body = "", headers: Record<string, string> = {}) =>
  classify({ kind: "http_error", status, body, headers: new Headers(headers) }, 1_000_000);

describe("classifying upstream failures", () => {
  it("moves on from network failures and timeouts", () => {
    expect(classify({ kind: "connect_error" })).toEqual({ class: "connect", movesOn: true });
    for (const kind of ["connect_timeout", "first_byte_timeout", "idle_timeout", "deadline"] as const) {
      expect(classify({ kind })).toEqual({ class: "timeout", movesOn: true });
    }
    expect(classify({ kind: "client_abort" }).movesOn).toBe(false);
  });

  it("tells rate limits, quota, auth, server errors, context length, content filter and client errors apart", () => {
    expect(http(429, "slow down", { "retry-after": "7" })).toEqual({
      class: "rate_limit",
      movesOn: true,
      retryAfterMs: 7000,
    });
    expect(http(429, '{"error":{"code":"insufficient_quota"}}').class).toBe("quota");
    expect(http(402).class).toBe("quota");
    expect(http(401).class).toBe("auth");
    expect(http(403, "forbidden").class).toBe("auth");
    expect(http(503)).toMatchObject({ class: "server", movesOn: true });
    expect(http(400, "This model's maximum context length is 8192 tokens")).toEqual({
      class: "context_length",
      movesOn: true,
    });
    expect(http(400, "prompt is too long: 210000 tokens > 200000 maximum").class).toBe("context_length");
    expect(http(400, "blocked by content_filter")).toEqual({ class: "content_filter", movesOn: false });
    expect(http(400, "unknown field foo")).toEqual({ class: "client", movesOn: false });
    expect(http(404)).toEqual({ class: "client", movesOn: false });
  });

  it("reads every way providers say when to come back, keeping the longest", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfter(new Headers({ "retry-after": "3" }), now)).toBe(3000);
    expect(retryAfter(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:10 GMT" }), now)).toBe(10_000);
    expect(retryAfter(new Headers({ "retry-after-ms": "250" }), now)).toBe(250);
    expect(
      retryAfter(
        new Headers({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "6m0s" }),
        now,
      ),
    ).toBe(360_000);
    expect(
      retryAfter(
        new Headers({ "x-ratelimit-remaining-requests": "5", "x-ratelimit-reset-requests": "6m0s" }),
        now,
      ),
    ).toBeUndefined();
    expect(
      retryAfter(
        new Headers({
          "anthropic-ratelimit-tokens-remaining": "0",
          "anthropic-ratelimit-tokens-reset": "2026-01-01T00:00:30Z",
        }),
        now,
      ),
    ).toBe(30_000);
    expect(retryAfter(new Headers({ "retry-after": "2", "retry-after-ms": "5000" }), now)).toBe(5000);
    expect(retryAfter(new Headers({}), now)).toBeUndefined();
  });

  it("parses OpenAI's reset durations", () => {
    expect(parseDuration("1s")).toBe(1000);
    expect(parseDuration("120ms")).toBe(120);
    expect(parseDuration("1h2m3.5s")).toBe(3_723_500);
    expect(parseDuration("soon")).toBeUndefined();
  });
});
