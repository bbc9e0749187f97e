/**
 * Spending limits per API key: USD per UTC day, ISO week (from Monday) and calendar month. The
 * spend of every key with a budget is kept in memory (summed from the hourly rollups at start,
 * then added to as requests are recorded), so the gateway's check before each upstream call
 * never reads the disk. The clock is injectable.
 */
import { and, eq, gte, sql } from "drizzle-orm";
import type { Store } from "../store/db.ts";
import { type UsageBudgetRow, usageBudgets, usageHourly } from "../store/schema.ts";

export const BUDGET_PERIODS = ["day", "week", "month"] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

const DAY_MS = 86_400_000;

const LIMIT_FIELD = {
  day: "dailyUsd",
  week: "weeklyUsd",
  month: "monthlyUsd",
} as const satisfies Record<BudgetPeriod, keyof UsageBudgetRow>;

const ADJECTIVE: Record<BudgetPeriod, string> = { day: "daily", week: "weekly", month: "monthly" };

export const DEFAULT_WARN_AT = 0.8;

export function periodStart(period: BudgetPeriod, at: number): number {
  const day = Math.floor(at / DAY_MS) * DAY_MS;
  if (period === "day") return day;
  if (period === "week") return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS;
  const date = new Date(at);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

export function nextPeriodStart(period: BudgetPeriod, at: number): number {
  const start = periodStart(period, at);
  if (period === "day") return start + DAY_MS;
  if (period === "week") return start + 7 * DAY_MS;
  const date = new Date(start);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

export interface BudgetLimits {
  dailyUsd: number | null;
  weeklyUsd: number | null;
  monthlyUsd: number | null;
  warnAt: number;
}

export interface PeriodStatus {
  period: BudgetPeriod;
  limitUsd: number | null;
  spentUsd: number;
  remainingUsd: number | null;
  startedAt: number;
  resetsAt: number;
  warning: boolean;
  exceeded: boolean;
}

export interface BudgetStatus extends BudgetLimits {
  apiKeyId: string;
  periods: PeriodStatus[];
  warning: boolean;
  /** Why requests are refused now, or null. */
  exceeded: string | null;
}

/** One period's spend; `resetsAt` is when it starts over from 0. */
interface PeriodSpend {
  startedAt: number;
  resetsAt: number;
  usd: number;
}

type Spend = Record<BudgetPeriod, PeriodSpend>;

function money(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

export class Budgets {
  private readonly limits = new Map<string, UsageBudgetRow>();
  private readonly spend = new Map<string, Spend>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {
    for (const row of store.db.select().from(usageBudgets).all()) {
      this.limits.set(row.apiKeyId, row);
      this.spend.set(row.apiKeyId, this.spendFromStore(row.apiKeyId));
    }
  }

  /** Counts a recorded request's cost; only keys with a budget are tracked. */
  add(apiKeyId: string, startedAt: number, costUsd: number | null): void {
    if (!costUsd) return;
    const spend = this.current(apiKeyId);
    if (spend === undefined) return;
    for (const period of BUDGET_PERIODS)
      if (startedAt >= spend[period].startedAt) spend[period].usd += costUsd;
  }

  /** Why the key may not spend more now (naming the limit and its reset) and when that ends, or undefined. */
  exceeded(apiKeyId: string): { message: string; resetsAt: number } | undefined {
    const row = this.limits.get(apiKeyId);
    const spend = this.current(apiKeyId);
    if (row === undefined || spend === undefined) return undefined;
    for (const period of BUDGET_PERIODS) {
      const limit = row[LIMIT_FIELD[period]];
      const { usd, resetsAt } = spend[period];
      if (limit !== null && usd >= limit) {
        return {
          message: `${ADJECTIVE[period]} budget of ${money(limit)} reached (${money(usd)} spent); it resets at ${new Date(resetsAt).toISOString()}`,
          resetsAt,
        };
      }
    }
    return undefined;
  }

  status(apiKeyId: string): BudgetStatus | undefined {
    const row = this.limits.get(apiKeyId);
    const spend = this.current(apiKeyId);
    if (row === undefined || spend === undefined) return undefined;
    const periods = BUDGET_PERIODS.map((period): PeriodStatus => {
      const limitUsd = row[LIMIT_FIELD[period]];
      const { usd, startedAt, resetsAt } = spend[period];
      return {
        period,
        limitUsd,
        spentUsd: usd,
        remainingUsd: limitUsd === null ? null : Math.max(0, limitUsd - usd),
        startedAt,
        resetsAt,
        warning: limitUsd !== null && usd >= limitUsd * row.warnAt,
        exceeded: limitUsd !== null && usd >= limitUsd,
      };
    });
    return {
      apiKeyId,
      dailyUsd: row.dailyUsd,
      weeklyUsd: row.weeklyUsd,
      monthlyUsd: row.monthlyUsd,
      warnAt: row.warnAt,
      periods,
      warning: periods.some((period) => period.warning),
      exceeded: this.exceeded(apiKeyId)?.message ?? null,
    };
  }

  list(): BudgetStatus[] {
    return [...this.limits.keys()].flatMap((apiKeyId) => this.status(apiKeyId) ?? []);
  }

  /**
   * Saves the key's limits (all null removes the budget). A key that had no budget gets its spend
   * summed from the store, so queued usage must be flushed first.
   */
  set(apiKeyId: string, limits: BudgetLimits): BudgetStatus | undefined {
    if (limits.dailyUsd === null && limits.weeklyUsd === null && limits.monthlyUsd === null) {
      this.store.db.delete(usageBudgets).where(eq(usageBudgets.apiKeyId, apiKeyId)).run();
      this.limits.delete(apiKeyId);
      this.spend.delete(apiKeyId);
      return undefined;
    }
    const values = { apiKeyId, ...limits, updatedAt: new Date() };
    const row = this.store.db
      .insert(usageBudgets)
      .values(values)
      .onConflictDoUpdate({ target: usageBudgets.apiKeyId, set: values })
      .returning()
      .get();
    this.limits.set(apiKeyId, row);
    if (!this.spend.has(apiKeyId)) this.spend.set(apiKeyId, this.spendFromStore(apiKeyId));
    return this.status(apiKeyId);
  }

  /** The key's spend with every period that has ended started over. */
  private current(apiKeyId: string): Spend | undefined {
    const spend = this.spend.get(apiKeyId);
    if (spend === undefined) return undefined;
    const now = this.now();
    for (const period of BUDGET_PERIODS) {
      if (now >= spend[period].resetsAt) spend[period] = this.emptyPeriod(period, now);
    }
    return spend;
  }

  private emptyPeriod(period: BudgetPeriod, at: number): PeriodSpend {
    return { startedAt: periodStart(period, at), resetsAt: nextPeriodStart(period, at), usd: 0 };
  }

  private spendFromStore(apiKeyId: string): Spend {
    const now = this.now();
    const spend = {} as Spend;
    for (const period of BUDGET_PERIODS) spend[period] = this.emptyPeriod(period, now);
    const earliest = Math.min(...BUDGET_PERIODS.map((period) => spend[period].startedAt));
    const since = (period: BudgetPeriod) =>
      sql<number>`coalesce(sum(case when ${usageHourly.hour} >= ${spend[period].startedAt} then ${usageHourly.costUsd} end), 0)`;
    const sums = this.store.db
      .select({ day: since("day"), week: since("week"), month: since("month") })
      .from(usageHourly)
      .where(and(eq(usageHourly.apiKeyId, apiKeyId), gte(usageHourly.hour, new Date(earliest))))
      .get();
    for (const period of BUDGET_PERIODS) spend[period].usd = sums?.[period] ?? 0;
    return spend;
  }
}
