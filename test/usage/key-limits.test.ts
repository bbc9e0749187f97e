import { describe, expect, it } from "bun:test";
import type { AppContext } from "../../src/context.ts";
import { createApiKey } from "../../src/security/api-keys.ts";
import { ipPatternError, ipRules } from "../../src/security/ip-rules.ts";
import { allowsModel } from "../../src/security/model-patterns.ts";
import type { ApiKeyLimits } from "../../src/store/api-keys.ts";
import { outcome } from "../helpers/outcomes.ts";
import { usageContext } from "../helpers/usage-context.ts";

// Wednesday 2 December 2026, 23:59:00 UTC: a minute before the day turns.
const LATE = Date.UTC(2026, 11, 2, 23, 59);

function keyWith(context: AppContext, limits: Partial<ApiKeyLimits>): string {
  return createApiKey(context.apiKeys, "limited", false, limits).row.id;
}

function admit(context: AppContext, id: string, ip = "127.0.0.1") {
  return context.usage.admit(context.apiKeys.get(id)!, ip);
}

describe("key limits with a moving clock", () => {
  it("refuse past the per-minute limit until the oldest request leaves the window", () => {
    using usage = usageContext({}, LATE - 30_000);
    const id = keyWith(usage.context, { requestsPerMinute: 2 });
    expect(admit(usage.context, id)).toBeUndefined();
    usage.clock.now += 10_000;
    expect(admit(usage.context, id)).toBeUndefined();
    const refused = admit(usage.context, id);
    expect(refused?.error.status).toBe(429);
    expect(refused?.retryAfterSeconds).toBe(50);
    usage.clock.now += 50_000;
    expect(admit(usage.context, id)).toBeUndefined();
  });

  it("refuse past the daily limit until UTC midnight, and count what was recorded before a restart", () => {
    using usage = usageContext({}, LATE);
    const id = keyWith(usage.context, { requestsPerDay: 3 });
    for (let i = 0; i < 2; i++) {
      expect(admit(usage.context, id)).toBeUndefined();
      usage.context.usage.record(outcome({ apiKeyId: id, startedAt: usage.clock.now }));
    }
    const context = usage.reopen();
    expect(admit(context, id)).toBeUndefined();
    const refused = admit(context, id);
    expect(refused?.error.message).toContain("3 requests per day");
    expect(refused?.retryAfterSeconds).toBe(60);
    usage.clock.now += 60_000;
    expect(admit(context, id)).toBeUndefined();
  });

  it("refuse once the tokens of the last minute reach the limit", () => {
    using usage = usageContext({}, LATE - 120_000);
    const id = keyWith(usage.context, { tokensPerMinute: 1500 });
    expect(admit(usage.context, id)).toBeUndefined();
    // The default outcome used 1,000 input and 500 output tokens.
    usage.context.usage.record(outcome({ apiKeyId: id, startedAt: usage.clock.now }));
    expect(admit(usage.context, id)?.error.message).toContain("1500 tokens per minute");
    usage.clock.now += 60_001;
    expect(admit(usage.context, id)).toBeUndefined();
  });

  it("refuse an expired key and a key used from elsewhere", () => {
    using usage = usageContext({}, LATE);
    const expired = keyWith(usage.context, { expiresAt: new Date(LATE) });
    expect(admit(usage.context, expired)?.error.status).toBe(401);
    const office = keyWith(usage.context, { ipAllowlist: ["192.168.*"] });
    expect(admit(usage.context, office, "192.168.4.2")).toBeUndefined();
    expect(admit(usage.context, office, "10.0.0.1")?.error.status).toBe(403);
  });
});

describe("model patterns and address lists", () => {
  it("match models with * wildcards", () => {
    expect(allowsModel(null, "anything")).toBe(true);
    expect(allowsModel(["openai/*", "claude-*"], "openai/gpt-5")).toBe(true);
    expect(allowsModel(["openai/*", "claude-*"], "claude-sonnet-4-5")).toBe(true);
    expect(allowsModel(["openai/*"], "anthropic/claude")).toBe(false);
    expect(allowsModel(["gpt-4.1"], "gpt-441")).toBe(false);
  });

  it("match IPs, CIDR ranges, IPv4 wildcards and IPv4-mapped IPv6 addresses", () => {
    const rules = ipRules(["10.0.0.0/8", "192.168.1.*", "::1", "fd00::/8", "203.0.113.7"]);
    for (const ip of ["10.9.8.7", "192.168.1.200", "::1", "fd12::1", "203.0.113.7", "::ffff:10.1.1.1"])
      expect({ ip, matches: rules.matches(ip) }).toEqual({ ip, matches: true });
    for (const ip of ["11.0.0.1", "192.168.2.1", "::2", "203.0.113.8", "not-an-ip"])
      expect({ ip, matches: rules.matches(ip) }).toEqual({ ip, matches: false });
    for (const bad of ["10.0.0.0/33", "300.1.1.1", "10.*.1.*", "example.com", "10.0.0.0/"])
      expect(ipPatternError(bad)).toContain("is not");
    expect(ipPatternError("10.0.0.0/8")).toBeUndefined();
  });
});
