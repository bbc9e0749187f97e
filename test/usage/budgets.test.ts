import { describe, expect, it } from "bun:test";
import type { AppContext } from "../../src/context.ts";
import { createApiKey } from "../../src/security/api-keys.ts";
import { nextPeriodStart, periodStart } from "../../src/usage/budgets.ts";
import type { CallOutcome } from "../../src/usage/outcome.ts";
import { outcome } from "../helpers/outcomes.ts";
import { type UsageContext, usageContext } from "../helpers/usage-context.ts";

// Wednesday 2 December 2026, 12:00 UTC.
const NOON = Date.UTC(2026, 11, 2, 12);
const LIMITS = { dailyUsd: null, weeklyUsd: null, monthlyUsd: null, warnAt: 0.8 };
/** Each request of the default outcome costs $0.007 (1,000 in, 500 out at gpt-6.2-sol). */
const COST = 0.007;

function withKey(usage: UsageContext): string {
  return createApiKey(usage.context.apiKeys, "metered", false).row.id;
}

/** Why the key's next request would be refused, if it would. */
function refusal(context: AppContext, apiKeyId: string): string | undefined {
  return context.usage.admit(context.apiKeys.get(apiKeyId)!, "127.0.0.1")?.error.message;
}

function spend(
  usage: UsageContext,
  apiKeyId: string,
  requests: number,
  overrides: Partial<CallOutcome> = {},
) {
  for (let i = 0; i < requests; i++)
    usage.context.usage.record(outcome({ apiKeyId, startedAt: usage.clock.now, ...overrides }));
}

describe("budget periods", () => {
  it("start at UTC midnight, on Monday and on the first of the month", () => {
    expect(new Date(periodStart("day", NOON)).toISOString()).toBe("2026-12-02T00:00:00.000Z");
    expect(new Date(periodStart("week", NOON)).toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(new Date(periodStart("month", NOON)).toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(new Date(nextPeriodStart("week", Date.UTC(2026, 10, 30))).toISOString()).toBe(
      "2026-12-07T00:00:00.000Z",
    );
    expect(new Date(nextPeriodStart("month", Date.UTC(2026, 11, 31, 23))).toISOString()).toBe(
      "2027-01-01T00:00:00.000Z",
    );
  });
});

describe("budgets per API key", () => {
  it("refuse the request after the one that reached the daily limit, naming the limit and its reset", () => {
    using usage = usageContext({}, NOON);
    const key = withKey(usage);
    usage.context.usage.setBudget(key, { ...LIMITS, dailyUsd: COST * 3 });
    spend(usage, key, 2);
    expect(refusal(usage.context, key)).toBeUndefined();
    spend(usage, key, 1);
    const reason = refusal(usage.context, key);
    expect(reason).toContain("daily budget of $0.02 reached");
    expect(reason).toContain("2026-12-03T00:00:00.000Z");
  });

  it("start over when the period ends", () => {
    using usage = usageContext({}, NOON);
    const key = withKey(usage);
    usage.context.usage.setBudget(key, { ...LIMITS, dailyUsd: COST, monthlyUsd: COST * 10 });
    spend(usage, key, 1);
    expect(refusal(usage.context, key)).toContain("daily");
    usage.clock.now = Date.UTC(2026, 11, 3);
    expect(refusal(usage.context, key)).toBeUndefined();
    const month = usage.context.usage.budgets
      .status(key)!
      .periods.find((period) => period.period === "month")!;
    expect(month.spentUsd).toBeCloseTo(COST, 12);
  });

  it("apply the weekly and monthly limits on their own", () => {
    using usage = usageContext({}, NOON);
    const key = withKey(usage);
    usage.context.usage.setBudget(key, { ...LIMITS, weeklyUsd: COST * 2 });
    spend(usage, key, 1);
    usage.clock.now = Date.UTC(2026, 11, 4, 9);
    spend(usage, key, 1);
    expect(refusal(usage.context, key)).toContain("weekly budget");
    usage.clock.now = Date.UTC(2026, 11, 7);
    expect(refusal(usage.context, key)).toBeUndefined();
  });

  it("count what was spent before the budget was set, queued rows included", () => {
    using usage = usageContext({}, NOON);
    const key = withKey(usage);
    spend(usage, key, 2);
    usage.context.usage.flush();
    spend(usage, key, 1);
    const status = usage.context.usage.setBudget(key, { ...LIMITS, dailyUsd: 1 })!;
    expect(status.periods[0]!.spentUsd).toBeCloseTo(COST * 3, 12);
  });

  it("keep their spend across a restart", () => {
    using usage = usageContext({}, NOON);
    const key = withKey(usage);
    usage.context.usage.setBudget(key, { ...LIMITS, monthlyUsd: COST });
    spend(usage, key, 1);
    const context = usage.reopen();
    expect(refusal(context, key)).toContain("monthly budget");
  });

  it("warn from the warning share of a limit, and ignore free and unpriced requests", () => {
    using usage = usageContext({}, NOON);
    const key = withKey(usage);
    usage.context.usage.setBudget(key, { ...LIMITS, dailyUsd: COST * 2, warnAt: 0.5 });
    spend(usage, key, 3, { provider: "deepseek", model: "deepseek-flash" });
    expect(usage.context.usage.budgets.status(key)!.warning).toBe(false);
    spend(usage, key, 1);
    const status = usage.context.usage.budgets.status(key)!;
    expect(status.warning).toBe(true);
    expect(status.exceeded).toBeNull();
  });

  it("are removed when every limit is lifted; keys without a budget are never refused", () => {
    using usage = usageContext({}, NOON);
    const key = withKey(usage);
    usage.context.usage.setBudget(key, { ...LIMITS, dailyUsd: 0 });
    expect(refusal(usage.context, key)).toContain("daily budget of $0.00");
    expect(usage.context.usage.setBudget(key, LIMITS)).toBeUndefined();
    expect(refusal(usage.context, key)).toBeUndefined();
    expect(usage.context.usage.budgets.list()).toEqual([]);
  });
});
