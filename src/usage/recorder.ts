/**
 * The usage recorder: `push` appends to an in-memory queue and returns (the hot path never
 * touches the disk); the queue is written every `flushIntervalMs`, or soon after it reaches
 * `batchRows`, 100 rows per transaction with the waiting requests let through in between (one
 * 500-row transaction held the event loop for ~6 ms); `flush()` and shutdown write it all in one.
 * A crash loses at most the last window.
 *
 * Row ids are assigned here, under the transaction's write lock, so that a batch's attempts and
 * call logs can point at their usage rows without reading anything back.
 */
import type { Logger } from "../ops/log.ts";
import type { Store } from "../store/db.ts";
import { preparedInsert } from "../store/prepared-insert.ts";
import { callLogs, usageAttempts, usageRecords } from "../store/schema.ts";
import { rollUp, writeRollups } from "./rollup.ts";
import {
  attemptRows,
  callLogRow,
  type NewCallLog,
  type NewUsageAttempt,
  type NewUsageRecord,
  type PendingRecord,
  usageRow,
} from "./rows.ts";

export interface RecorderOptions {
  flushIntervalMs: number;
  batchRows: number;
  /** Read at each flush, so a settings change applies to the next batch. */
  maxBodyChars: () => number;
  /** After each successful flush: how many rows and call logs were written. */
  onFlushed?: (written: { rows: number; callLogs: number }) => void;
}

/** A usage row as written, for live views (the dashboard's log tail). */
export interface WrittenUsage {
  id: number;
  startedAt: number;
  apiKeyId: string;
  clientDialect: string;
  requestedModel: string;
  model: string | null;
  provider: string | null;
  status: number;
  latencyMs: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  hasCallLog: boolean;
}

export type UsageListener = (rows: readonly WrittenUsage[]) => void;

/** Ids continue after anything that points at a usage row: an id is never reused while referred to. */
const HIGHEST_ID = `SELECT max(
  coalesce((SELECT max(id) FROM usage_records), 0),
  coalesce((SELECT max(usage_id) FROM call_logs), 0),
  coalesce((SELECT max(usage_id) FROM usage_attempts), 0)) AS id`;

/** How many rows the timers' flush writes in one transaction before letting requests run. */
const ROWS_PER_SLICE = 100;

/** Beyond this many rows waiting (the disk refuses writes), the oldest are dropped. */
const MAX_QUEUED = 100_000;

export class UsageRecorder {
  private queue: PendingRecord[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private stopped = false;
  private readonly listeners = new Set<UsageListener>();
  /** Rows dropped because the queue overflowed while writes failed. */
  dropped = 0;

  private readonly insertUsage: (row: NewUsageRecord) => void;
  private readonly insertAttempt: (row: NewUsageAttempt) => void;
  private readonly insertCallLog: (row: NewCallLog) => void;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly options: RecorderOptions,
  ) {
    this.insertUsage = preparedInsert(store.sqlite, usageRecords);
    this.insertAttempt = preparedInsert(store.sqlite, usageAttempts);
    this.insertCallLog = preparedInsert(store.sqlite, callLogs);
  }

  get queued(): number {
    return this.queue.length;
  }

  push(record: PendingRecord): void {
    this.queue.push(record);
    if (this.stopped) return;
    if (this.queue.length >= this.options.batchRows) this.immediate ??= setImmediate(() => this.flushSome());
    else this.arm();
  }

  /** Writes everything queued in one transaction; returns the number of usage rows written. */
  flush(): number {
    this.clearTimers();
    if (this.queue.length === 0) return 0;
    const batch = this.queue;
    this.queue = [];
    return this.writeOut(batch);
  }

  /**
   * The timers' flush: a slice of the queue per transaction, the rest after the requests that
   * are waiting, so that no request waits behind a long write.
   */
  private flushSome(): void {
    this.clearTimers();
    const batch = this.queue.splice(0, ROWS_PER_SLICE);
    if (batch.length > 0) this.writeOut(batch);
    if (this.queue.length > 0 && !this.stopped) this.immediate = setImmediate(() => this.flushSome());
  }

  private writeOut(batch: PendingRecord[]): number {
    try {
      const { written, rows } = this.write(batch);
      this.options.onFlushed?.(written);
      this.announce(rows);
      return written.rows;
    } catch (error) {
      this.requeue(batch);
      this.logger.error("usage flush failed; will retry", {
        rows: batch.length,
        error: error instanceof Error ? error.message : String(error),
      });
      return 0;
    }
  }

  /**
   * Calls `listener` with every batch once it is committed (ids assigned); returns the
   * unsubscribe function. A listener that throws is logged and does not stop the others.
   */
  subscribe(listener: UsageListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Flushes and stops the timers; later pushes are queued but never written. */
  stop(): void {
    this.stopped = true;
    this.flush();
  }

  private write(batch: PendingRecord[]): {
    written: { rows: number; callLogs: number };
    rows: WrittenUsage[];
  } {
    const maxBodyChars = this.options.maxBodyChars();
    return this.store.db.transaction(
      (tx) => {
        const highest = this.store.sqlite.query<{ id: number }, []>(HIGHEST_ID).get()?.id ?? 0;
        const announced: WrittenUsage[] = [];
        let logs = 0;
        batch.forEach((pending, index) => {
          const id = highest + 1 + index;
          this.insertUsage(usageRow(id, pending));
          for (const attempt of attemptRows(id, pending.outcome)) this.insertAttempt(attempt);
          const log = callLogRow(id, pending, maxBodyChars);
          if (log) {
            this.insertCallLog(log);
            logs++;
          }
          if (this.listeners.size > 0) announced.push(writtenUsage(id, pending, log !== undefined));
        });
        writeRollups(tx, rollUp(batch));
        return { written: { rows: batch.length, callLogs: logs }, rows: announced };
      },
      { behavior: "immediate" },
    );
  }

  private announce(rows: WrittenUsage[]): void {
    if (rows.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(rows);
      } catch (error) {
        this.logger.error("usage listener failed", {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  private requeue(batch: PendingRecord[]): void {
    this.queue = batch.concat(this.queue);
    const excess = this.queue.length - MAX_QUEUED;
    if (excess > 0) {
      this.queue.splice(0, excess);
      this.dropped += excess;
    }
    if (!this.stopped) this.arm();
  }

  private arm(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.flushSome(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  private clearTimers(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}

function writtenUsage(id: number, { outcome, costUsd }: PendingRecord, hasCallLog: boolean): WrittenUsage {
  return {
    id,
    startedAt: outcome.startedAt,
    apiKeyId: outcome.apiKeyId,
    clientDialect: outcome.clientDialect,
    requestedModel: outcome.requestedModel,
    model: outcome.model ?? null,
    provider: outcome.provider ?? null,
    status: outcome.status,
    latencyMs: outcome.latencyMs,
    inputTokens: outcome.usage?.inputTokens ?? null,
    outputTokens: outcome.usage?.outputTokens ?? null,
    costUsd,
    hasCallLog,
  };
}
