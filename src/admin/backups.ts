/**
 * `/api/db-backups`: list the backups, take one, or restore one. A restore replaces every row,
 * then restarts the process, so that every in-memory cache is rebuilt from the restored data.
 */
import { Elysia, t } from "elysia";
import { type AppContext, flushContext } from "../context.ts";
import { BackupError, createBackup, listBackups, restoreBackup } from "../ops/backups.ts";
import { processControllable, scheduleRestart } from "../ops/lifecycle.ts";
import { managementError } from "./errors.ts";

export const NOT_CONTROLLABLE =
  "This server was not started by the switchyard command, so it cannot stop or restart itself";

export function backupRoutes(context: AppContext) {
  const { store } = context;
  return new Elysia()
    .get("/api/db-backups", () => ({ backups: listBackups(store) }))
    .post(
      "/api/db-backups",
      ({ body, status }) => {
        if (body?.action !== "restore") return status(201, { backup: createBackup(store) });
        if (body.backupId === undefined) {
          return status(
            400,
            managementError("Restoring needs the backup's id", [
              { field: "backupId", message: "give the `id` of a backup from GET /api/db-backups" },
            ]),
          );
        }
        if (!processControllable()) return status(409, managementError(NOT_CONTROLLABLE));
        flushContext(context);
        try {
          const { restored, previous } = restoreBackup(store, body.backupId);
          scheduleRestart();
          return { ok: true, restored, previous, restarting: true };
        } catch (error) {
          if (error instanceof BackupError) return status(error.status, managementError(error.message));
          throw error;
        }
      },
      {
        body: t.Optional(
          t.Object({
            action: t.Optional(t.Union([t.Literal("create"), t.Literal("restore")])),
            backupId: t.Optional(t.String({ minLength: 1 })),
          }),
        ),
      },
    );
}
