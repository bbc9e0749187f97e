import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { startServer, type TestServer } from "../helpers/server.ts";

let server: TestServer;
let cookie: string;
beforeAll(async () => {
  server = await startServer();
  cookie = await server.login();
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
});

interface Backup {
  id: string;
  path: string;
  sizeBytes: number;
  createdAt: string;
}

describe("/api/db-backups", () => {
  it("takes a backup into the data dir's backups folder and lists it with path, size and time", async () => {
    const created = await server.call("/api/db-backups", { method: "POST", cookie });
    expect(created.status).toBe(201);
    const { backup } = (await created.json()) as { backup: Backup };
    expect(backup.path).toStartWith(`${server.dataDir}/backups/`);
    expect(existsSync(backup.path)).toBe(true);
    expect(backup.sizeBytes).toBeGreaterThan(0);
    const { backups } = (await (await server.call("/api/db-backups", { cookie })).json()) as {
      backups: Backup[];
    };
    expect(backups[0]).toEqual(backup);
  });

  it("answers 400 for an unknown action and for a restore without a backup id", async () => {
    const unknown = await server.call("/api/db-backups", {
      method: "POST",
      cookie,
      json: { action: "drop" },
    });
    expect(unknown.status).toBe(400);
    const missing = await server.call("/api/db-backups", {
      method: "POST",
      cookie,
      json: { action: "restore" },
    });
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as { error: { details: Array<{ field: string }> } };
    expect(body.error.details[0]?.field).toBe("backupId");
  });

  it("refuses to restore in a server that cannot restart itself, changing nothing", async () => {
    const { backups } = (await (await server.call("/api/db-backups", { cookie })).json()) as {
      backups: Backup[];
    };
    const response = await server.call("/api/db-backups", {
      method: "POST",
      cookie,
      json: { action: "restore", backupId: backups[0]!.id },
    });
    expect(response.status).toBe(409);
  });

  it("needs a session or an admin key", async () => {
    expect((await server.call("/api/db-backups")).status).toBe(401);
    expect((await server.call("/api/db-backups", { method: "POST" })).status).toBe(401);
  });
});

describe("/api/storage/health", () => {
  it("reports the database file, its WAL, the newest backup, retention and row counts", async () => {
    await server.call("/api/db-backups", { method: "POST", cookie });
    const response = await server.call("/api/storage/health", { cookie });
    expect(response.status).toBe(200);
    const health = (await response.json()) as {
      database: { path: string; sizeBytes: number; walSizeBytes: number; journalMode: string };
      backups: { count: number; lastBackup: Backup | null };
      retention: { retentionDays: number; callLogs: { retentionDays: number } };
      tables: Record<string, number>;
    };
    expect(health.database.path).toBe(`${server.dataDir}/switchyard.sqlite`);
    expect(health.database.sizeBytes).toBeGreaterThan(0);
    expect(health.database.walSizeBytes).toBeGreaterThanOrEqual(0);
    expect(health.database.journalMode).toBe("wal");
    expect(health.backups.count).toBeGreaterThan(0);
    expect(health.backups.lastBackup?.id).toContain("manual");
    expect(health.retention.retentionDays).toBe(90);
    expect(health.tables.settings).toBeGreaterThan(0);
    expect(health.tables.audit_log).toBeGreaterThan(0);
    expect(health.tables.api_keys).toBe(0);
  });

  it("needs a session or an admin key", async () => {
    expect((await server.call("/api/storage/health")).status).toBe(401);
  });
});

describe("/api/shutdown and /api/restart", () => {
  it("refuse in a server embedded in another process (the CLI-run ones are tested in test/ops)", async () => {
    for (const path of ["/api/shutdown", "/api/restart"]) {
      const response = await server.call(path, { method: "POST", cookie });
      expect(response.status).toBe(409);
    }
  });

  it("need a session or an admin key", async () => {
    expect((await server.call("/api/shutdown", { method: "POST" })).status).toBe(401);
    expect((await server.call("/api/restart", { method: "POST" })).status).toBe(401);
  });
});
