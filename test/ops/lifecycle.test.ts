/**
 * Restart, shutdown and restore as the command line runs them: in a child process that drains on
 * SIGTERM and, for a restart, starts the same command again on the same port.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, MAIN, spawnServer } from "../helpers/cli.ts";
import { TEST_PASSWORD, tempDir } from "../helpers/server.ts";

const dataDir = tempDir();
const port = freePort();
const url = `http://127.0.0.1:${port}`;
let cookie = "";

afterAll(async () => {
  // A replacement process is not our child: stop it through the API if a test left it running.
  await fetch(`${url}/api/shutdown`, { method: "POST", headers: { cookie } }).catch(() => undefined);
  await stopped();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(path: string, init: { method?: string; json?: unknown } = {}): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: init.method ?? "GET",
    headers: { cookie, ...(init.json === undefined ? {} : { "content-type": "application/json" }) },
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });
}

async function login(): Promise<void> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ password: TEST_PASSWORD }),
  });
  expect(response.status).toBe(200);
  cookie = response.headers.getSetCookie()[0]!.split(";")[0]!;
}

async function answering(): Promise<boolean> {
  try {
    return (await fetch(`${url}/api/monitoring/health`)).ok;
  } catch {
    return false;
  }
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await Bun.sleep(25);
  }
}

const stopped = () => until(async () => !(await answering()), "the server stopped");
const started = () => until(answering, "the server answered");

async function keyLabels(): Promise<string[]> {
  const { keys } = (await (await call("/api/keys")).json()) as { keys: Array<{ label: string }> };
  return keys.map((key) => key.label).sort();
}

async function uptime(): Promise<number> {
  return ((await (await call("/api/monitoring/health")).json()) as { uptimeSeconds: number }).uptimeSeconds;
}

describe("a server run by the command line", () => {
  it("restores a backup with a backup of the replaced data first, then restarts with the restored data", async () => {
    const first = await spawnServer(
      [process.execPath, MAIN, "--port", String(port), "--host", "127.0.0.1", "--data-dir", dataDir],
      port,
      { INITIAL_PASSWORD: TEST_PASSWORD },
    );
    await login();
    await call("/api/keys", { method: "POST", json: { label: "kept" } });
    const { backup } = (await (await call("/api/db-backups", { method: "POST" })).json()) as {
      backup: { id: string };
    };
    await call("/api/keys", { method: "POST", json: { label: "made after the backup" } });
    expect(await keyLabels()).toEqual(["kept", "made after the backup"]);

    const unknown = await call("/api/db-backups", {
      method: "POST",
      json: { action: "restore", backupId: "nope.sqlite" },
    });
    expect(unknown.status).toBe(404);
    writeFileSync(join(dataDir, "backups", "broken.sqlite"), "this is not a database");
    const broken = await call("/api/db-backups", {
      method: "POST",
      json: { action: "restore", backupId: "broken.sqlite" },
    });
    expect(broken.status).toBe(400);
    expect(await keyLabels()).toEqual(["kept", "made after the backup"]);

    const restore = await call("/api/db-backups", {
      method: "POST",
      json: { action: "restore", backupId: backup.id },
    });
    expect(restore.status).toBe(200);
    const answer = (await restore.json()) as { restored: { id: string }; previous: { id: string } };
    expect(answer.restored.id).toBe(backup.id);
    expect(answer.previous.id).toContain("pre-restore");
    expect(await first.child.exited).toBe(0);
    await started();

    await login();
    expect(await keyLabels()).toEqual(["kept"]);
    const { backups } = (await (await call("/api/db-backups")).json()) as { backups: Array<{ id: string }> };
    expect(backups.map((entry) => entry.id)).toContain(answer.previous.id);
  }, 30_000);

  it("restarts on the same port: the old process stops and a new one answers", async () => {
    await Bun.sleep(1100);
    const before = await uptime();
    expect(before).toBeGreaterThanOrEqual(1);
    const response = await call("/api/restart", { method: "POST" });
    expect(response.status).toBe(200);
    await started();
    await until(async () => (await uptime().catch(() => before)) < before, "a new process answered");
    const { entries } = (await (await call("/api/compliance/audit-log?route=/api/restart")).json()) as {
      entries: Array<{ status: number }>;
    };
    expect(entries[0]?.status).toBe(200);
  }, 30_000);

  it("shuts down gracefully: stops answering, with usage flushed and the database closed", async () => {
    const response = await call("/api/shutdown", { method: "POST" });
    expect(response.status).toBe(200);
    await stopped();
  }, 30_000);
});
