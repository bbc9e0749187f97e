/**
 * A flushed batch summed into the hourly rollups and latency histograms (store/schema.ts
 * `usage_hourly`, `usage_latency`): grouped in memory, then added to the stored sums with one
 * upsert per group, inside the recorder's transaction.
 */
import { sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../store/db.ts";
import { usageHourly, usageLatency } from "../store/schema.ts";
import { latencyBucket } from "./histogram.ts";
import { chunks, type PendingRecord } from "./rows.ts";

export const HOUR_MS = 3_600_000;

export type LatencyMetric = "total" | "ttfb" | "overhead";

type HourlyRow = typeof usageHourly.$inferInsert;
type LatencyRow = typeof usageLatency.$inferInsert;
/** A transaction handle: the same query builder as the database. */
type Writer = Pick<Db, "insert">;

export function hourOf(at: number): number {
  return Math.floor(at / HOUR_MS) * HOUR_MS;
}

/** The counters of a rollup row, in the order they are added. */
const COUNTERS = [
  "requests",
  "successes",
  "aborted",
  "fallbacks",
  "attempts",
  "inputTokens",
  "outputTokens",
  "cachedInputTokens",
  "cacheWriteTokens",
  "reasoningTokens",
  "costUsd",
  "unpriced",
  "latencyMsSum",
] as const;

type Counter = (typeof COUNTERS)[number];

function countersOf({ outcome, costUsd }: PendingRecord): Record<Counter, number> {
  const usage = outcome.usage;
  return {
    requests: 1,
    successes: outcome.status < 400 ? 1 : 0,
    aborted: outcome.aborted ? 1 : 0,
    fallbacks: outcome.attempts.length > 1 ? 1 : 0,
    attempts: outcome.attempts.length,
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    cachedInputTokens: usage?.cachedInputTokens ?? 0,
    cacheWriteTokens: usage?.cacheWriteTokens ?? 0,
    reasoningTokens: usage?.reasoningTokens ?? 0,
    costUsd: costUsd ?? 0,
    unpriced: costUsd === null ? 1 : 0,
    latencyMsSum: outcome.latencyMs,
  };
}

export function rollUp(batch: readonly PendingRecord[]): { hourly: HourlyRow[]; latency: LatencyRow[] } {
  const hourly = new Map<string, HourlyRow>();
  const latency = new Map<string, LatencyRow>();
  const countLatency = (metric: LatencyMetric, hour: number, ms: number | undefined) => {
    if (ms === undefined) return;
    const bucket = latencyBucket(ms);
    const key = `${metric}\n${hour}\n${bucket}`;
    const row = latency.get(key);
    if (row) row.count++;
    else latency.set(key, { metric, hour: new Date(hour), bucket, count: 1 });
  };
  for (const pending of batch) {
    const { outcome } = pending;
    const hour = hourOf(outcome.startedAt);
    const dimensions = {
      apiKeyId: outcome.apiKeyId,
      provider: outcome.provider ?? "",
      model: outcome.model ?? "",
      connectionId: outcome.connectionId ?? "",
      errorType: outcome.status < 400 ? "" : (outcome.errorType ?? "unknown"),
    };
    const key = [hour, ...Object.values(dimensions)].join("\n");
    const counters = countersOf(pending);
    const row = hourly.get(key);
    if (row) for (const counter of COUNTERS) row[counter] += counters[counter];
    else hourly.set(key, { hour: new Date(hour), ...dimensions, ...counters });
    countLatency("total", hour, outcome.latencyMs);
    countLatency("ttfb", hour, outcome.ttfbMs);
    countLatency("overhead", hour, outcome.overheadMs);
  }
  return { hourly: [...hourly.values()], latency: [...latency.values()] };
}

const addExcluded = (column: SQLiteColumn) =>
  sql`${sql.identifier(column.name)} + excluded.${sql.identifier(column.name)}`;

const HOURLY_KEY = [
  usageHourly.hour,
  usageHourly.apiKeyId,
  usageHourly.provider,
  usageHourly.model,
  usageHourly.connectionId,
  usageHourly.errorType,
];

const HOURLY_SUMS = Object.fromEntries(
  COUNTERS.map((counter) => [counter, addExcluded(usageHourly[counter])]),
);

/** Adds the batch's sums to the stored ones; `writer` is the transaction. */
export function writeRollups(writer: Writer, batch: ReturnType<typeof rollUp>): void {
  for (const chunk of chunks(batch.hourly)) {
    writer
      .insert(usageHourly)
      .values(chunk)
      .onConflictDoUpdate({ target: HOURLY_KEY, set: HOURLY_SUMS })
      .run();
  }
  for (const chunk of chunks(batch.latency)) {
    writer
      .insert(usageLatency)
      .values(chunk)
      .onConflictDoUpdate({
        target: [usageLatency.metric, usageLatency.hour, usageLatency.bucket],
        set: { count: addExcluded(usageLatency.count) },
      })
      .run();
  }
}
