import { describe, expect, it } from "bun:test";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { LATEST_SCHEMA_VERSION } from "../src/store/migrate.ts";
import { freePort, spawnServer } from "./helpers/cli.ts";
import { tempDir } from "./helpers/server.ts";

const ROOT = join(import.meta.dir, "..");

describe("the one executable", () => {
  it("runs alone from an empty folder: builds, starts, answers health and the docs, stops on SIGTERM", async () => {
    // -o: never reinstall node_modules (and with it the running bun) from inside the test run.
    const build = Bun.spawnSync(["make", "-s", "-o", "node_modules/.installed", "build"], {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(build.exitCode, build.stderr.toString()).toBe(0);

    const folder = tempDir("switchyard-binary-");
    const toolsHome = tempDir("switchyard-binary-tools-");
    try {
      const binary = join(folder, "switchyard");
      copyFileSync(join(ROOT, "dist", "switchyard"), binary);
      Bun.spawnSync(["chmod", "+x", binary]);
      const dataDir = join(folder, "data");
      mkdirSync(dataDir);
      const port = freePort();
      await using server = await spawnServer(
        [
          binary,
          "--port",
          String(port),
          "--host",
          "127.0.0.1",
          "--data-dir",
          dataDir,
          "--tools-home",
          toolsHome,
        ],
        port,
        { INITIAL_PASSWORD: "binary-test" },
        folder,
      );
      const health = (await (await fetch(`${server.url}/api/monitoring/health`)).json()) as Record<
        string,
        unknown
      >;
      expect(health).toMatchObject({
        status: "ok",
        schemaVersion: LATEST_SCHEMA_VERSION,
        database: { reachable: true },
      });
      for (const path of ["/login", "/docs", "/openapi.json", "/static/htmx.min.js", "/static/app.css"]) {
        expect((await fetch(`${server.url}${path}`)).status).toBe(200);
      }
      // A management write and its audit entry: the minified build must keep Elysia's context whole.
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ password: "binary-test" }),
      });
      const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
      const created = await fetch(`${server.url}/api/keys`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify({ label: "from the binary" }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      expect(
        (await fetch(`${server.url}/api/keys/${id}`, { method: "DELETE", headers: { cookie } })).status,
      ).toBe(200);
      const audit = (await (
        await fetch(`${server.url}/api/compliance/audit-log?limit=1`, { headers: { cookie } })
      ).json()) as {
        entries: Array<{ route: string; before: unknown }>;
      };
      expect(audit.entries[0]).toMatchObject({ route: "/api/keys/:id", before: { id } });
      // A coding tool set up from the binary: the TOML library and the tools room are inside it.
      const codex = await fetch(`${server.url}/api/cli-tools/codex-settings`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify({ model: "openai/gpt-6-luna" }),
      });
      expect(codex.status).toBe(200);
      expect(readFileSync(join(toolsHome, ".codex", "config.toml"), "utf8")).toContain(
        'model_provider = "switchyard"',
      );
      server.child.kill("SIGTERM");
      expect(await server.child.exited).toBe(0);
      expect(readdirSync(folder).sort()).toEqual(["data", "switchyard"]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
      rmSync(toolsHome, { recursive: true, force: true });
    }
  }, 120_000);
});
