/**
 * System endpoints of the management API; health is public (it holds no secrets).
 */
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";
import { healthReport } from "../ops/health.ts";

/** In-flight requests other than the one asking. */
export function activeRequests(server: { pendingRequests: number } | null): number {
  return Math.max(0, (server?.pendingRequests ?? 1) - 1);
}

export function healthRoutes(context: AppContext) {
  return new Elysia().get("/api/monitoring/health", ({ server }) =>
    healthReport(context.store, context.startedAt, activeRequests(server)),
  );
}
