/**
 * System endpoints of the management API: health (public: it holds no secrets), and stopping or
 * restarting the process (admin only).
 */
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";
import { healthReport } from "../ops/health.ts";
import { processControllable, scheduleRestart, scheduleShutdown } from "../ops/lifecycle.ts";
import { NOT_CONTROLLABLE } from "./backups.ts";
import { managementError } from "./errors.ts";

/** In-flight requests other than the one asking. */
export function activeRequests(server: { pendingRequests: number } | null): number {
  return Math.max(0, (server?.pendingRequests ?? 1) - 1);
}

export function healthRoutes(context: AppContext) {
  return new Elysia().get("/api/monitoring/health", ({ server }) =>
    healthReport(context.store, context.startedAt, activeRequests(server)),
  );
}

/** Both answer first, then drain in-flight requests, flush usage and close the database. */
export function processRoutes() {
  return new Elysia()
    .post("/api/shutdown", ({ status }) => {
      if (!processControllable()) return status(409, managementError(NOT_CONTROLLABLE));
      scheduleShutdown();
      return { ok: true, message: "Shutting down once in-flight requests finish", pid: process.pid };
    })
    .post("/api/restart", ({ status }) => {
      if (!processControllable()) return status(409, managementError(NOT_CONTROLLABLE));
      scheduleRestart();
      return { ok: true, message: "Restarting once in-flight requests finish", pid: process.pid };
    });
}
