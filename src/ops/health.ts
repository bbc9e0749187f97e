/**
 * What `GET /api/monitoring/health` and the Health page report: liveness facts only, no secrets.
 */
import { VERSION } from "../config.ts";
import type { Store } from "../store/db.ts";

export interface HealthReport {
  status: "ok" | "degraded";
  version: string;
  runtime: string;
  uptimeSeconds: number;
  schemaVersion: number;
  database: { reachable: boolean; path: string };
  memory: { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number };
  activeRequests: number;
}

export function healthReport(store: Store, startedAt: number, activeRequests: number): HealthReport {
  const reachable = databaseReachable(store);
  const memory = process.memoryUsage();
  return {
    status: reachable ? "ok" : "degraded",
    version: VERSION,
    runtime: `bun ${Bun.version}`,
    uptimeSeconds: Math.round((performance.now() - startedAt) / 1000),
    schemaVersion: store.schemaVersion,
    database: { reachable, path: store.path },
    memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, heapTotalBytes: memory.heapTotal },
    activeRequests,
  };
}

function databaseReachable(store: Store): boolean {
  try {
    store.sqlite.query("SELECT 1").get();
    return true;
  } catch {
    return false;
  }
}
