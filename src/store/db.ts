/**
 * Opening the database: one SQLite file in the data dir, in WAL mode with a busy timeout and
 * foreign keys on, migrated to the latest schema before anything else touches it.
 */
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { type BunSQLiteDatabase, drizzle } from "drizzle-orm/bun-sqlite";
import { assertNotNewer, migrate, StoreError, schemaVersion } from "./migrate.ts";
import * as schema from "./schema.ts";

export type Db = BunSQLiteDatabase<typeof schema>;

export interface Store {
  db: Db;
  sqlite: Database;
  path: string;
  dataDir: string;
  backupDir: string;
  schemaVersion: number;
  close(): void;
}

export const DATABASE_FILE = "switchyard.sqlite";

export function openStore(dataDir: string): Store {
  const path = join(dataDir, DATABASE_FILE);
  const backupDir = join(dataDir, "backups");
  const sqlite = openFile(path, backupDir);
  try {
    migrate(sqlite, backupDir);
  } catch (error) {
    sqlite.close();
    if (error instanceof StoreError) throw error;
    throw new StoreError(
      `cannot migrate the database ${path}: ${(error as Error).message}; nothing was changed, backups are in ${backupDir}`,
    );
  }
  return {
    db: drizzle(sqlite, { schema }),
    sqlite,
    path,
    dataDir,
    backupDir,
    schemaVersion: schemaVersion(sqlite),
    close: () => sqlite.close(),
  };
}

function openFile(path: string, backupDir: string): Database {
  let sqlite: Database | undefined;
  try {
    sqlite = new Database(path, { create: true, strict: true });
    sqlite.run("PRAGMA busy_timeout = 5000");
    assertNotNewer(sqlite, backupDir);
    sqlite.run("PRAGMA journal_mode = WAL");
    sqlite.run("PRAGMA synchronous = NORMAL");
    sqlite.run("PRAGMA foreign_keys = ON");
    return sqlite;
  } catch (error) {
    sqlite?.close();
    if (error instanceof StoreError) throw error;
    throw new StoreError(
      `cannot open the database ${path}: ${(error as Error).message}; if it is damaged, restore a backup from ${backupDir}`,
    );
  }
}

/**
 * SQLite's `data_version`: it changes when another connection (the CLI's `keys create` or
 * `password reset` while the server runs) commits. Caches compare it to know when to reload.
 */
export function dataVersion(sqlite: Database): number {
  return sqlite.query<{ data_version: number }, []>("PRAGMA data_version").get()?.data_version ?? 0;
}
