/**
 * The usage queries. Totals, breakdowns, trends and latency percentiles read the hourly rollups
 * and histograms (a month is a few thousand rows whatever the traffic); the logs page through
 * the raw rows newest first, on indexes that start with the filtered column.
 */
import { and, asc, desc, eq, gte, isNotNull, isNull, lt, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../store/db.ts";
import {
  type CallLogRow,
  callLogs,
  type UsageAttemptRow,
  type UsageRecordRow,
  usageAttempts,
  usageHourly,
  usageLatency,
  usageRecords,
} from "../store/schema.ts";
import { type BucketCount, PERCENTILES, quantiles } from "./histogram.ts";
import { HOUR_MS, hourOf, type LatencyMetric } from "./rollup.ts";

const DAY_MS = 24 * HOUR_MS;

export const RANGES = { "24h": DAY_MS, "7d": 7 * DAY_MS, "30d": 30 * DAY_MS } as const;
export type Range = keyof typeof RANGES;

/** Rollup filters; `since` is rounded down to its hour, the rollups' resolution. */
export interface RollupFilter {
  since: number;
  apiKeyId?: string;
  provider?: string;
  model?: string;
  connectionId?: string;
}

const total = (column: SQLiteColumn) => sql<number>`coalesce(sum(${column}), 0)`;

const SUMS = {
  requests: total(usageHourly.requests),
  successes: total(usageHourly.successes),
  aborted: total(usageHourly.aborted),
  fallbacks: total(usageHourly.fallbacks),
  attempts: total(usageHourly.attempts),
  inputTokens: total(usageHourly.inputTokens),
  outputTokens: total(usageHourly.outputTokens),
  cachedInputTokens: total(usageHourly.cachedInputTokens),
  cacheWriteTokens: total(usageHourly.cacheWriteTokens),
  reasoningTokens: total(usageHourly.reasoningTokens),
  costUsd: total(usageHourly.costUsd),
  unpricedRequests: total(usageHourly.unpriced),
  latencyMsSum: total(usageHourly.latencyMsSum),
};

type Sums = { [K in keyof typeof SUMS]: number };

interface Rates {
  errors: number;
  successRate: number | null;
  /** The share of requests that needed more than one attempt. */
  fallbackRate: number | null;
  avgLatencyMs: number | null;
}

export type Totals = Omit<Sums, "latencyMsSum"> & Rates;

/** The sums with the rates derived from them; other fields (a group's key) pass through. */
function withRates<T extends Sums>({ latencyMsSum, ...sums }: T): Omit<T, "latencyMsSum"> & Rates {
  const share = (count: number) => (sums.requests === 0 ? null : count / sums.requests);
  return {
    ...sums,
    errors: sums.requests - sums.successes,
    successRate: share(sums.successes),
    fallbackRate: share(sums.fallbacks),
    avgLatencyMs: sums.requests === 0 ? null : latencyMsSum / sums.requests,
  };
}

/** The breakdowns: the rollup columns each one groups by. */
const GROUPS = {
  model: { provider: usageHourly.provider, model: usageHourly.model },
  provider: { provider: usageHourly.provider },
  apiKey: { apiKeyId: usageHourly.apiKeyId },
  connection: { connectionId: usageHourly.connectionId, provider: usageHourly.provider },
  errorType: { errorType: usageHourly.errorType },
} as const;

export type Breakdown = keyof typeof GROUPS;
type GroupKey<B extends Breakdown> = { [K in keyof (typeof GROUPS)[B]]: string };

const BREAKDOWNS = Object.keys(GROUPS) as Breakdown[];

export type Granularity = "hour" | "day";
const GRANULARITY_MS: Record<Granularity, number> = { hour: HOUR_MS, day: DAY_MS };

/** The start of the rollup row's period, in Unix ms. */
function periodOf(granularity: Granularity) {
  const size = sql.raw(String(GRANULARITY_MS[granularity]));
  return sql<number>`(${usageHourly.hour} / ${size}) * ${size}`;
}

const SUM_KEYS = Object.keys(SUMS) as Array<keyof Sums>;

function emptySums(): Sums {
  return Object.fromEntries(SUM_KEYS.map((key) => [key, 0])) as Sums;
}

function addSums(into: Sums, from: Sums): void {
  for (const key of SUM_KEYS) into[key] += from[key];
}

export interface Overview {
  totals: Totals;
  trend: Array<{ at: number } & Totals>;
  breakdowns: { [B in Breakdown]: Array<GroupKey<B> & Totals> };
}

export interface LogFilter {
  from?: number;
  to?: number;
  apiKeyId?: string;
  provider?: string;
  model?: string;
  connectionId?: string;
  /** "success" (< 400), "error" (>= 400) or one HTTP status. */
  status?: "success" | "error" | number;
  limit: number;
  offset: number;
}

export interface Page<T> {
  rows: T[];
  hasMore: boolean;
}

/** The columns a log's filters apply to, and what success and failure mean for it. */
interface Filterable {
  startedAt: SQLiteColumn;
  provider: SQLiteColumn;
  model: SQLiteColumn;
  connectionId: SQLiteColumn;
  apiKeyId?: SQLiteColumn;
  status: SQLiteColumn;
  succeeded: SQL;
  failed: SQL;
}

const RECORD_FILTERS: Filterable = {
  startedAt: usageRecords.startedAt,
  provider: usageRecords.provider,
  model: usageRecords.model,
  connectionId: usageRecords.connectionId,
  apiKeyId: usageRecords.apiKeyId,
  status: usageRecords.status,
  succeeded: lt(usageRecords.status, 400),
  // Spelled as the partial index's condition, so that SQLite uses it.
  failed: gte(usageRecords.status, 400),
};

const ATTEMPT_FILTERS: Filterable = {
  startedAt: usageAttempts.startedAt,
  provider: usageAttempts.provider,
  model: usageAttempts.model,
  connectionId: usageAttempts.connectionId,
  status: usageAttempts.status,
  succeeded: isNull(usageAttempts.failure),
  failed: isNotNull(usageAttempts.failure),
};

/** An equality condition, or none when the filter leaves the value open. */
function equals(column: SQLiteColumn | undefined, value: string | undefined): SQL | undefined {
  return column === undefined || value === undefined ? undefined : eq(column, value);
}

function logConditions(filter: LogFilter, columns: Filterable): SQL | undefined {
  const conditions: Array<SQL | undefined> = [
    filter.from === undefined ? undefined : gte(columns.startedAt, new Date(filter.from)),
    filter.to === undefined ? undefined : lt(columns.startedAt, new Date(filter.to)),
    equals(columns.provider, filter.provider),
    equals(columns.model, filter.model),
    equals(columns.connectionId, filter.connectionId),
    equals(columns.apiKeyId, filter.apiKeyId),
    filter.status === "success"
      ? columns.succeeded
      : filter.status === "error"
        ? columns.failed
        : filter.status === undefined
          ? undefined
          : eq(columns.status, filter.status),
  ];
  return and(...conditions);
}

/** One row more than the page is asked for tells whether there is a next page. */
function page<T>(rows: T[], limit: number): Page<T> {
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}

export interface CallLogDetail {
  record: UsageRecordRow;
  log: CallLogRow;
  attempts: UsageAttemptRow[];
}

export class UsageAnalytics {
  constructor(private readonly db: Db) {}

  totals(filter: RollupFilter): Totals {
    // An aggregate without GROUP BY always yields one row.
    return withRates(this.db.select(SUMS).from(usageHourly).where(this.rollupConditions(filter)).get()!);
  }

  breakdown<B extends Breakdown>(
    filter: RollupFilter,
    by: B,
  ): Array<Omit<GroupKey<B> & Sums, "latencyMsSum"> & Rates> {
    const columns = Object.values(GROUPS[by]);
    const rows = this.db
      .select({ ...GROUPS[by], ...SUMS })
      .from(usageHourly)
      .where(this.rollupConditions(filter))
      .groupBy(...columns)
      .orderBy(desc(SUMS.requests))
      .all() as unknown as Array<GroupKey<B> & Sums>;
    return rows.map(withRates);
  }

  /**
   * Totals, trend and every breakdown from ONE read of the rollups, grouped by period and by
   * every dimension and summed here: asked one by one, each would scan the range again.
   */
  overview(filter: RollupFilter, granularity: Granularity): Overview {
    const period = periodOf(granularity);
    const dimensions = {
      apiKeyId: usageHourly.apiKeyId,
      provider: usageHourly.provider,
      model: usageHourly.model,
      connectionId: usageHourly.connectionId,
      errorType: usageHourly.errorType,
    };
    const slices = this.db
      .select({ at: period, ...dimensions, ...SUMS })
      .from(usageHourly)
      .where(this.rollupConditions(filter))
      .groupBy(period, ...Object.values(dimensions))
      .all();
    const totals = emptySums();
    const trend = new Map<number, Sums>();
    type Group = { fields: Record<string, string>; sums: Sums };
    const groups = Object.fromEntries(BREAKDOWNS.map((by) => [by, new Map<string, Group>()])) as Record<
      Breakdown,
      Map<string, Group>
    >;
    const fieldsOf = BREAKDOWNS.map(
      (by) => [by, Object.keys(GROUPS[by]) as Array<keyof typeof dimensions>] as const,
    );
    for (const slice of slices) {
      addSums(totals, slice);
      let point = trend.get(slice.at);
      if (point === undefined) {
        point = emptySums();
        trend.set(slice.at, point);
      }
      addSums(point, slice);
      for (const [by, fields] of fieldsOf) {
        const id =
          fields.length === 1 ? slice[fields[0]!] : fields.map((field) => slice[field]).join("\u0000");
        let group = groups[by].get(id);
        if (group === undefined) {
          group = {
            fields: Object.fromEntries(fields.map((field) => [field, slice[field]])),
            sums: emptySums(),
          };
          groups[by].set(id, group);
        }
        addSums(group.sums, slice);
      }
    }
    return {
      totals: withRates(totals),
      trend: [...trend.entries()].sort(([a], [b]) => a - b).map(([at, sums]) => ({ at, ...withRates(sums) })),
      breakdowns: Object.fromEntries(
        BREAKDOWNS.map((by) => [
          by,
          [...groups[by].values()]
            .sort((a, b) => b.sums.requests - a.sums.requests)
            .map((group) => ({ ...group.fields, ...withRates(group.sums) })),
        ]),
      ) as unknown as Overview["breakdowns"],
    };
  }

  trend(filter: RollupFilter, granularity: Granularity): Array<{ at: number } & Totals> {
    const period = periodOf(granularity);
    return this.db
      .select({ at: period, ...SUMS })
      .from(usageHourly)
      .where(this.rollupConditions(filter))
      .groupBy(period)
      .orderBy(period)
      .all()
      .map(withRates);
  }

  /** p50/p95/p99 in ms from the histograms (within 5% above the exact value); all requests. */
  latency(metric: LatencyMetric, since: number): Record<keyof typeof PERCENTILES, number | null> {
    const counts: BucketCount[] = this.db
      .select({ bucket: usageLatency.bucket, count: sql<number>`sum(${usageLatency.count})` })
      .from(usageLatency)
      .where(and(eq(usageLatency.metric, metric), gte(usageLatency.hour, new Date(hourOf(since)))))
      .groupBy(usageLatency.bucket)
      .orderBy(asc(usageLatency.bucket))
      .all();
    return quantiles(counts, PERCENTILES);
  }

  usageLogs(filter: LogFilter): Page<UsageRecordRow> {
    const rows = this.db
      .select()
      .from(usageRecords)
      .where(logConditions(filter, RECORD_FILTERS))
      .orderBy(desc(usageRecords.startedAt), desc(usageRecords.id))
      .limit(filter.limit + 1)
      .offset(filter.offset)
      .all();
    return page(rows, filter.limit);
  }

  attemptLogs(filter: LogFilter): Page<UsageAttemptRow> {
    const rows = this.db
      .select()
      .from(usageAttempts)
      .where(logConditions(filter, ATTEMPT_FILTERS))
      .orderBy(desc(usageAttempts.startedAt), desc(usageAttempts.id))
      .limit(filter.limit + 1)
      .offset(filter.offset)
      .all();
    return page(rows, filter.limit);
  }

  callLogs(filter: LogFilter): Page<{ record: UsageRecordRow; truncated: boolean }> {
    const rows = this.db
      .select({ record: usageRecords, truncated: callLogs.truncated })
      .from(callLogs)
      .innerJoin(usageRecords, eq(usageRecords.id, callLogs.usageId))
      .where(logConditions(filter, RECORD_FILTERS))
      .orderBy(desc(callLogs.startedAt), desc(callLogs.usageId))
      .limit(filter.limit + 1)
      .offset(filter.offset)
      .all();
    return page(rows, filter.limit);
  }

  callLog(id: number): CallLogDetail | undefined {
    const log = this.db.select().from(callLogs).where(eq(callLogs.usageId, id)).get();
    const record = this.db.select().from(usageRecords).where(eq(usageRecords.id, id)).get();
    if (log === undefined || record === undefined) return undefined;
    const attempts = this.db
      .select()
      .from(usageAttempts)
      .where(eq(usageAttempts.usageId, id))
      .orderBy(asc(usageAttempts.attempt))
      .all();
    return { record, log, attempts };
  }

  private rollupConditions(filter: RollupFilter): SQL | undefined {
    return and(
      gte(usageHourly.hour, new Date(hourOf(filter.since))),
      equals(usageHourly.apiKeyId, filter.apiKeyId),
      equals(usageHourly.provider, filter.provider),
      equals(usageHourly.model, filter.model),
      equals(usageHourly.connectionId, filter.connectionId),
    );
  }
}
