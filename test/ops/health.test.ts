import { describe, expect, it } from "bun:test";
import { LATEST_SCHEMA_VERSION } from "../../src/store/migrate.ts";
import { startServer } from "../helpers/server.ts";

describe("GET /api/monitoring/health", () => {
  it("is public and reports status, version, uptime, schema, database, memory and active requests", async () => {
    await using server = await startServer();
    const response = await server.call("/api/monitoring/health");
    expect(response.status).toBe(200);
    const health = (await response.json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: "ok",
      schemaVersion: LATEST_SCHEMA_VERSION,
      database: { reachable: true },
      activeRequests: 0,
    });
    expect(health.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(health.uptimeSeconds).toBeGreaterThanOrEqual(0);
    const memory = health.memory as Record<string, number>;
    expect(memory.rssBytes).toBeGreaterThan(1_000_000);
    expect(memory.heapUsedBytes).toBeGreaterThan(0);
    const text = JSON.stringify(health);
    expect(text).not.toMatch(/password|secret|sk-sy-/i);
  });
});
