import { describe, expect, it } from "bun:test";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
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
    try {
      const binary = join(folder, "switchyard");
      copyFileSync(join(ROOT, "dist", "switchyard"), binary);
      Bun.spawnSync(["chmod", "+x", binary]);
      const dataDir = join(folder, "data");
      mkdirSync(dataDir);
      const port = freePort();
      await using server = await spawnServer(
        [binary, "--port", String(port), "--host", "127.0.0.1", "--data-dir", dataDir],
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
      server.child.kill("SIGTERM");
      expect(await server.child.exited).toBe(0);
      expect(readdirSync(folder).sort()).toEqual(["data", "switchyard"]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);
});
