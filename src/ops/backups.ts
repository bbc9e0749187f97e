/**
 * Database backups in the data dir's `backups/` folder: online-consistent copies made with
 * `VACUUM INTO` (readers and writers carry on meanwhile), and restoring one into the live
 * database in one transaction, after checking the file and taking a backup of what is replaced.
 * The in-memory caches are not reloaded here: the caller restarts the process.
 */
import { Database } from "bun:sqlite";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "../store/db.ts";
import { LATEST_SCHEMA_VERSION, migrate, schemaVersion } from "../store/migrate.ts";

export interface BackupInfo {
  id: string;
  path: string;
  sizeBytes: number;
  createdAt: string;
}

/** A backup that cannot be restored, with the HTTP status that says why. */
export class BackupError extends Error {
  override name = "BackupError";
  constructor(
    message: string,
    readonly status: 400 | 404,
  ) {
    super(message);
  }
}

const BACKUP_NAME = /^[\w.-]+\.sqlite$/;

function infoOf(store: Store, id: string): BackupInfo {
  const path = join(store.backupDir, id);
  const stat = statSync(path);
  return { id, path, sizeBytes: stat.size, createdAt: stat.mtime.toISOString() };
}

/** Backups newest first: ours and those taken before each migration. */
export function listBackups(store: Store): BackupInfo[] {
  let names: string[];
  try {
    names = readdirSync(store.backupDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => BACKUP_NAME.test(name))
    .map((name) => infoOf(store, name))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

export function createBackup(store: Store, reason: "manual" | "pre-restore" = "manual"): BackupInfo {
  mkdirSync(store.backupDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const id = `switchyard-${reason}-${stamp}-${crypto.randomUUID().slice(0, 8)}.sqlite`;
  store.sqlite.run("VACUUM INTO ?", [join(store.backupDir, id)]);
  return infoOf(store, id);
}

/**
 * Replaces every table's rows with the backup's, in one transaction. The backup must pass
 * `PRAGMA integrity_check`; an older schema is migrated on a scratch copy first. Returns the
 * backup taken of the data that was replaced.
 */
export function restoreBackup(store: Store, id: string): { restored: BackupInfo; previous: BackupInfo } {
  if (!BACKUP_NAME.test(id) || !listBackups(store).some((backup) => backup.id === id)) {
    throw new BackupError(`No backup named ${id}`, 404);
  }
  const restored = infoOf(store, id);
  const scratch = mkdtempSync(join(store.backupDir, ".restore-"));
  try {
    const source = join(scratch, "source.sqlite");
    copyFileSync(restored.path, source);
    prepareSource(source, scratch, id);
    const previous = createBackup(store, "pre-restore");
    copyInto(store.sqlite, source);
    return { restored, previous };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Checks the copy and brings it to this build's schema. */
function prepareSource(path: string, scratch: string, id: string): void {
  let sqlite: Database;
  try {
    sqlite = new Database(path, { strict: true });
  } catch (error) {
    throw new BackupError(`${id} is not a SQLite database: ${(error as Error).message}`, 400);
  }
  try {
    const problems = integrityProblems(sqlite);
    if (problems.length > 0) throw new BackupError(`${id} is damaged: ${problems.join("; ")}`, 400);
    const version = schemaVersion(sqlite);
    if (version === 0 || version > LATEST_SCHEMA_VERSION) {
      throw new BackupError(
        `${id} has schema version ${version}; this Switchyard restores 1 to ${LATEST_SCHEMA_VERSION}`,
        400,
      );
    }
    migrate(sqlite, join(scratch, "migration-backups"));
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${id} cannot be read: ${(error as Error).message}`, 400);
  } finally {
    sqlite.close();
  }
}

function integrityProblems(sqlite: Database): string[] {
  try {
    const rows = sqlite.query<{ integrity_check: string }, []>("PRAGMA integrity_check").all();
    return rows.map((row) => row.integrity_check).filter((line) => line !== "ok");
  } catch (error) {
    return [(error as Error).message];
  }
}

/** Our tables in the main database, not SQLite's own. */
export function tableNames(sqlite: Database): string[] {
  return sqlite
    .query<{ name: string }, []>(
      "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all()
    .map(({ name }) => name);
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function tablesOf(sqlite: Database): Array<{ name: string; columns: string[] }> {
  return tableNames(sqlite).map((name) => ({
    name,
    columns: sqlite
      .query<{ name: string }, [string]>("SELECT name FROM pragma_table_info(?, 'main')")
      .all(name)
      .map((column) => column.name),
  }));
}

function copyInto(sqlite: Database, source: string): void {
  const quote = quoteIdentifier;
  sqlite.run("ATTACH DATABASE ? AS restored", [source]);
  try {
    sqlite.transaction(() => {
      sqlite.run("PRAGMA defer_foreign_keys = ON");
      for (const { name, columns } of tablesOf(sqlite)) {
        const list = columns.map(quote).join(", ");
        sqlite.run(`DELETE FROM main.${quote(name)}`);
        sqlite.run(`INSERT INTO main.${quote(name)} (${list}) SELECT ${list} FROM restored.${quote(name)}`);
      }
    })();
  } finally {
    sqlite.run("DETACH DATABASE restored");
  }
}
