/**
 * The retention job: deletes usage rows, attempts and rollups past the usage retention, and
 * call logs past theirs or beyond their row cap. It deletes a few thousand rows per statement
 * and yields to the event loop between statements, so requests are never held up behind it;
 * afterwards `PRAGMA optimize` refreshes the planner's statistics. There is no scheduled VACUUM:
 * it rewrites the whole file and blocks writers, and SQLite reuses the freed pages anyway.
 */
import { getTableName } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Store } from "../store/db.ts";
import { callLogs, usageAttempts, usageHourly, usageLatency, usageRecords } from "../store/schema.ts";
import type { UsageSettings } from "./settings.ts";

const DAY_MS = 86_400_000;
const ROWS_PER_DELETE = 5_000;

export interface PruneResult {
  usageRows: number;
  attempts: number;
  rollups: number;
  callLogs: number;
}

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Deletes, a chunk at a time, the rows of `table` whose `column` is below `bound`; stops when `keepGoing` says so. */
async function deleteBelow(
  store: Store,
  table: SQLiteTable,
  column: SQLiteColumn,
  bound: number,
  keepGoing: () => boolean,
): Promise<number> {
  const name = getTableName(table);
  const statement = store.sqlite.prepare<unknown, [number, number]>(
    `DELETE FROM "${name}" WHERE rowid IN (SELECT rowid FROM "${name}" WHERE "${column.name}" < ? LIMIT ?)`,
  );
  let deleted = 0;
  while (keepGoing()) {
    const { changes } = statement.run(bound, ROWS_PER_DELETE);
    deleted += changes;
    if (changes < ROWS_PER_DELETE) break;
    await yieldToRequests();
  }
  statement.finalize();
  return deleted;
}

/** The lowest call-log id that the row cap keeps, or 0 when there are fewer logs than the cap. */
function callLogCapBound(store: Store, maxRows: number): number {
  const row = store.sqlite
    .query<{ usage_id: number }, [number]>(
      "SELECT usage_id FROM call_logs ORDER BY usage_id DESC LIMIT 1 OFFSET ?",
    )
    .get(maxRows - 1);
  return row?.usage_id ?? 0;
}

export async function pruneUsage(
  store: Store,
  settings: UsageSettings,
  now: number,
  keepGoing: () => boolean = () => true,
): Promise<PruneResult> {
  const usageCutoff = now - settings.retentionDays * DAY_MS;
  const callLogCutoff = Math.max(usageCutoff, now - settings.callLogs.retentionDays * DAY_MS);
  const below = (table: SQLiteTable, column: SQLiteColumn, bound: number) =>
    deleteBelow(store, table, column, bound, keepGoing);
  const result: PruneResult = {
    usageRows: await below(usageRecords, usageRecords.startedAt, usageCutoff),
    attempts: await below(usageAttempts, usageAttempts.startedAt, usageCutoff),
    rollups:
      (await below(usageHourly, usageHourly.hour, usageCutoff)) +
      (await below(usageLatency, usageLatency.hour, usageCutoff)),
    callLogs:
      (await below(callLogs, callLogs.startedAt, callLogCutoff)) +
      (await below(callLogs, callLogs.usageId, callLogCapBound(store, settings.callLogs.maxRows))),
  };
  if (keepGoing()) store.sqlite.run("PRAGMA optimize");
  return result;
}
