/**
 * Applies the embedded migrations. The schema version is SQLite's `user_version`: the number of
 * migrations applied. Before an existing database is migrated, a copy goes to `backups/`; a
 * database newer than this binary, or one that is damaged, is refused and never touched.
 */
import type { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import bundle from "./migrations/migrations.js";

export class StoreError extends Error {
  override name = "StoreError";
}

/** The migrations in order, each as its list of statements. */
const MIGRATIONS: string[][] = bundle.journal.entries
  .toSorted((a, b) => a.idx - b.idx)
  .map((entry) => {
    const sqlText = bundle.migrations[`m${String(entry.idx).padStart(4, "0")}`];
    if (sqlText === undefined) throw new StoreError(`migration ${entry.tag} is missing from the build`);
    return sqlText
      .split("--> statement-breakpoint")
      .map((statement) => statement.trim())
      .filter((statement) => statement !== "");
  });

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(sqlite: Database): number {
  const row = sqlite.query<{ user_version: number }, []>("PRAGMA user_version").get();
  return row?.user_version ?? 0;
}

/** Refuses a database written by a newer Switchyard, before anything (even WAL mode) changes it. */
export function assertNotNewer(sqlite: Database, backupDir: string, latest = LATEST_SCHEMA_VERSION): void {
  const current = schemaVersion(sqlite);
  if (current > latest) {
    throw new StoreError(
      `the database has schema version ${current}, newer than this Switchyard (${latest}); ` +
        `run a newer Switchyard, or restore a backup from ${backupDir}`,
    );
  }
}

/**
 * Brings the database to the latest schema in one transaction; returns the backup written, if
 * any. `migrations` is every migration in order, each a list of statements.
 */
export function migrate(sqlite: Database, backupDir: string, migrations = MIGRATIONS): string | undefined {
  assertNotNewer(sqlite, backupDir, migrations.length);
  const current = schemaVersion(sqlite);
  if (current === migrations.length) return undefined;
  let backup: string | undefined;
  if (current > 0) {
    assertIntact(sqlite, backupDir);
    mkdirSync(backupDir, { recursive: true });
    backup = join(
      backupDir,
      `switchyard-v${current}-${new Date().toISOString().replace(/[:.]/g, "-")}.sqlite`,
    );
    sqlite.run("VACUUM INTO ?", [backup]);
  }
  sqlite.transaction(() => {
    for (const statements of migrations.slice(current)) {
      for (const statement of statements) sqlite.run(statement);
    }
    sqlite.run(`PRAGMA user_version = ${migrations.length}`);
  })();
  return backup;
}

function assertIntact(sqlite: Database, backupDir: string): void {
  const rows = sqlite.query<{ quick_check: string }, []>("PRAGMA quick_check").all();
  if (rows.length !== 1 || rows[0]?.quick_check !== "ok") {
    throw new StoreError(
      `the database is damaged (${rows.map((row) => row.quick_check).join("; ")}); restore a backup from ${backupDir}`,
    );
  }
}
