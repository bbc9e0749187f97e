/**
 * `/api/keys`: create (the secret is returned once), list, revoke.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { createApiKey } from "../security/api-keys.ts";
import type { ApiKeyRow } from "../store/schema.ts";
import { managementError } from "./errors.ts";

export function publicKey(row: ApiKeyRow) {
  return {
    id: row.id,
    label: row.label,
    name: row.label,
    keyPreview: row.keyPreview,
    isActive: row.isActive,
    isAdmin: row.isAdmin,
    noLog: row.noLog,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

const label = t.String({ minLength: 1, maxLength: 100 });

export function keyRoutes(context: AppContext) {
  return new Elysia()
    .get("/api/keys", () => ({ keys: context.apiKeys.list().map(publicKey) }))
    .post(
      "/api/keys",
      ({ body, status }) => {
        const name = (body.label ?? body.name ?? "").trim();
        if (name === "") {
          return status(
            400,
            managementError("A key needs a label", [{ field: "label", message: "give `label` (or `name`)" }]),
          );
        }
        const { row, secret } = createApiKey(context.apiKeys, name, body.admin === true, body.noLog === true);
        return status(201, { ...publicKey(row), key: secret });
      },
      {
        body: t.Object({
          label: t.Optional(label),
          name: t.Optional(label),
          admin: t.Optional(t.Boolean()),
          noLog: t.Optional(t.Boolean()),
        }),
      },
    )
    .delete("/api/keys/:id", ({ params, status }) =>
      context.apiKeys.revoke(params.id)
        ? { ok: true, id: params.id }
        : status(404, managementError(`No API key with id ${params.id}`)),
    );
}
