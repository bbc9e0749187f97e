/**
 * `/api/storage/health`: where the database is, how big it and its WAL are, the newest backup,
 * how long usage is kept, and how many rows each table holds.
 */
import { statSync } from "node:fs";
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";
import { listBackups, quoteIdentifier, tableNames } from "../ops/backups.ts";
import { readUsageSettings } from "../usage/settings.ts";

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function storageRoutes(context: AppContext) {
  const { store } = context;
  const pragma = (name: string) =>
    store.sqlite.query<Record<string, number | string>, []>(`PRAGMA ${name}`).get()?.[name];
  return new Elysia().get("/api/storage/health", () => {
    const backups = listBackups(store);
    const rowCounts = Object.fromEntries(
      tableNames(store.sqlite).map((table) => [
        table,
        store.sqlite
          .query<{ rows: number }, []>(`SELECT count(*) AS rows FROM ${quoteIdentifier(table)}`)
          .get()?.rows ?? 0,
      ]),
    );
    return {
      status: "ok",
      database: {
        path: store.path,
        sizeBytes: fileSize(store.path),
        walSizeBytes: fileSize(`${store.path}-wal`),
        journalMode: pragma("journal_mode"),
        pageSize: pragma("page_size"),
        pageCount: pragma("page_count"),
        freePages: pragma("freelist_count"),
        schemaVersion: store.schemaVersion,
      },
      backups: { dir: store.backupDir, count: backups.length, lastBackup: backups[0] ?? null },
      retention: readUsageSettings(context.settings),
      tables: rowCounts,
    };
  });
}
