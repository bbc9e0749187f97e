import { Database } from "bun:sqlite";
import { afterEach, describe, expect, it } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DATABASE_FILE, openStore } from "../../src/store/db.ts";
import { LATEST_SCHEMA_VERSION, migrate, StoreError, schemaVersion } from "../../src/store/migrate.ts";
import bundle from "../../src/store/migrations/migrations.js";
import { tempDir } from "../helpers/server.ts";

const dirs: string[] = [];
function freshDir(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("opening the store", () => {
  it("creates a new database at the latest schema with WAL, busy timeout and foreign keys", () => {
    const store = openStore(freshDir());
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(store.sqlite.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()?.journal_mode).toBe(
      "wal",
    );
    expect(store.sqlite.query<{ timeout: number }, []>("PRAGMA busy_timeout").get()?.timeout).toBe(5000);
    expect(store.sqlite.query<{ foreign_keys: number }, []>("PRAGMA foreign_keys").get()?.foreign_keys).toBe(
      1,
    );
    store.close();
  });

  it("writes no backup for a brand-new database", () => {
    const dir = freshDir();
    openStore(dir).close();
    expect(existsSync(join(dir, "backups"))).toBe(false);
  });

  it("backs up an existing database before migrating it, and the backup holds the old data", () => {
    const dir = freshDir();
    const backupDir = join(dir, "backups");
    const sqlite = new Database(join(dir, DATABASE_FILE));
    const v1 = ["CREATE TABLE notes (body TEXT)"];
    const v2 = ["ALTER TABLE notes ADD COLUMN author TEXT"];
    migrate(sqlite, backupDir, [v1]);
    sqlite.run("INSERT INTO notes (body) VALUES ('precious')");
    const backup = migrate(sqlite, backupDir, [v1, v2]);
    expect(schemaVersion(sqlite)).toBe(2);
    sqlite.close();
    expect(backup).toBeDefined();
    expect(readdirSync(backupDir)).toHaveLength(1);
    const copy = new Database(backup!, { readonly: true });
    expect(copy.query<{ body: string }, []>("SELECT body FROM notes").get()?.body).toBe("precious");
    expect(schemaVersion(copy)).toBe(1);
    copy.close();
  });

  it("rolls a failing migration back whole", () => {
    const dir = freshDir();
    const sqlite = new Database(join(dir, DATABASE_FILE));
    const broken = ["CREATE TABLE half (id INTEGER)", "THIS IS NOT SQL"];
    expect(() => migrate(sqlite, join(dir, "backups"), [broken])).toThrow();
    expect(schemaVersion(sqlite)).toBe(0);
    expect(sqlite.query("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeNull();
    sqlite.close();
  });

  it("refuses a database newer than this binary and leaves it untouched", () => {
    const dir = freshDir();
    const path = join(dir, DATABASE_FILE);
    const future = new Database(path);
    future.run(`PRAGMA user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    future.close();
    const before = readFileSync(path);
    expect(() => openStore(dir)).toThrow(StoreError);
    try {
      openStore(dir);
    } catch (error) {
      expect((error as Error).message).toContain("newer than this Switchyard");
      expect((error as Error).message).toContain(join(dir, "backups"));
    }
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("refuses a file that is not a database, naming the backup folder, and keeps the file", () => {
    const dir = freshDir();
    const path = join(dir, DATABASE_FILE);
    writeFileSync(path, "this is not sqlite at all, just some text that fills the header page".repeat(20));
    const before = readFileSync(path);
    expect(() => openStore(dir)).toThrow(/restore a backup from .*backups/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it("keeps data across reopening", () => {
    const dir = freshDir();
    const first = openStore(dir);
    first.sqlite.run("INSERT INTO settings (key, value) VALUES ('probe', '\"kept\"')");
    first.close();
    const second = openStore(dir);
    expect(
      second.sqlite.query<{ value: string }, []>("SELECT value FROM settings WHERE key = 'probe'").get()
        ?.value,
    ).toBe('"kept"');
    second.close();
    expect(readdirSync(dir)).toContain(DATABASE_FILE);
  });
});

describe("the embedded migrations", () => {
  /** Each migration as migrate() takes it, in order. */
  const migrations = bundle.journal.entries
    .toSorted((a, b) => a.idx - b.idx)
    .map((entry) =>
      bundle.migrations[`m${String(entry.idx).padStart(4, "0")}`]!.split("--> statement-breakpoint")
        .map((statement) => statement.trim())
        .filter((statement) => statement !== ""),
    );

  it("keep a version-7 database's price overrides when 0007 makes the token rates optional", () => {
    const dir = freshDir();
    const sqlite = new Database(join(dir, DATABASE_FILE));
    migrate(sqlite, join(dir, "backups"), migrations.slice(0, 7));
    sqlite.run(
      "INSERT INTO pricing_overrides (provider, model, input, output, cached_input) VALUES ('openai', 'gpt-x', 1, 4, 0.5)",
    );
    migrate(sqlite, join(dir, "backups"), migrations);
    expect(
      sqlite
        .query("SELECT provider, model, input, output, cached_input, per_image FROM pricing_overrides")
        .all(),
    ).toEqual([
      { provider: "openai", model: "gpt-x", input: 1, output: 4, cached_input: 0.5, per_image: null },
    ]);
    sqlite.run(
      "INSERT INTO pricing_overrides (provider, model, per_minute) VALUES ('openai', 'whisper-1', 0.01)",
    );
    sqlite.close();
  });
});
