/**
 * `/api/keys`: create (the secret is returned once), list, change a key's label and limits
 * (PATCH or PUT), revoke.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { createApiKey } from "../security/api-keys.ts";
import { ipPatternError } from "../security/ip-rules.ts";
import type { ApiKeyLimits } from "../store/api-keys.ts";
import type { ApiKeyRow } from "../store/schema.ts";
import { type FieldProblem, managementError } from "./errors.ts";

export function publicKey(row: ApiKeyRow) {
  return {
    id: row.id,
    label: row.label,
    name: row.label,
    keyPreview: row.keyPreview,
    isActive: row.isActive,
    isAdmin: row.isAdmin,
    noLog: row.noLog,
    allowedModels: row.allowedModels,
    requestsPerMinute: row.requestsPerMinute,
    requestsPerDay: row.requestsPerDay,
    tokensPerMinute: row.tokensPerMinute,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    ipAllowlist: row.ipAllowlist,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

const label = t.String({ minLength: 1, maxLength: 100 });
const rate = t.Union([t.Integer({ minimum: 1 }), t.Null()]);
const patterns = t.Union([t.Array(t.String({ minLength: 1, maxLength: 200 }), { maxItems: 500 }), t.Null()]);

/** The fields a key's limits are set with, on create and on change. */
const limitFields = {
  label: t.Optional(label),
  name: t.Optional(label),
  noLog: t.Optional(t.Boolean()),
  allowedModels: t.Optional(patterns),
  requestsPerMinute: t.Optional(rate),
  requestsPerDay: t.Optional(rate),
  tokensPerMinute: t.Optional(rate),
  expiresAt: t.Optional(t.Union([t.String({ format: "date-time" }), t.Null()])),
  ipAllowlist: t.Optional(patterns),
};

type LimitBody = {
  [field in keyof typeof limitFields]?: (typeof limitFields)[field]["static"];
};

/** The changes a body asks for, or the problems with it. */
function limitsFrom(body: LimitBody): { changes: Partial<ApiKeyLimits> } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const changes: Partial<ApiKeyLimits> = {};
  const name = body.label ?? body.name;
  if (name !== undefined) {
    if (name.trim() === "") problems.push({ field: "label", message: "must not be blank" });
    else changes.label = name.trim();
  }
  if (body.noLog !== undefined) changes.noLog = body.noLog;
  if (body.allowedModels !== undefined) changes.allowedModels = body.allowedModels;
  if (body.requestsPerMinute !== undefined) changes.requestsPerMinute = body.requestsPerMinute;
  if (body.requestsPerDay !== undefined) changes.requestsPerDay = body.requestsPerDay;
  if (body.tokensPerMinute !== undefined) changes.tokensPerMinute = body.tokensPerMinute;
  if (body.expiresAt !== undefined)
    changes.expiresAt = body.expiresAt === null ? null : new Date(body.expiresAt);
  if (body.ipAllowlist !== undefined) {
    body.ipAllowlist?.forEach((pattern, index) => {
      const problem = ipPatternError(pattern);
      if (problem) problems.push({ field: `ipAllowlist[${index}]`, message: problem });
    });
    changes.ipAllowlist = body.ipAllowlist;
  }
  return problems.length > 0 ? { problems } : { changes };
}

export function keyRoutes(context: AppContext) {
  const change = ({
    params,
    body,
    status,
  }: {
    params: { id: string };
    body: LimitBody;
    status: (code: 400 | 404, body: unknown) => unknown;
  }) => {
    if (context.apiKeys.get(params.id) === undefined)
      return status(404, managementError(`No API key with id ${params.id}`));
    const limits = limitsFrom(body);
    if ("problems" in limits) return status(400, managementError("Invalid key settings", limits.problems));
    const row = context.apiKeys.update(params.id, limits.changes);
    return row ? publicKey(row) : status(404, managementError(`No API key with id ${params.id}`));
  };
  const changeSchema = { body: t.Object(limitFields) };
  return new Elysia()
    .get("/api/keys", () => ({ keys: context.apiKeys.list().map(publicKey) }))
    .post(
      "/api/keys",
      ({ body, status }) => {
        const limits = limitsFrom(body);
        if ("problems" in limits)
          return status(400, managementError("Invalid key settings", limits.problems));
        const { label: name, ...rest } = limits.changes;
        if (name === undefined) {
          return status(
            400,
            managementError("A key needs a label", [{ field: "label", message: "give `label` (or `name`)" }]),
          );
        }
        const { row, secret } = createApiKey(context.apiKeys, name, body.admin === true, rest);
        return status(201, { ...publicKey(row), key: secret });
      },
      { body: t.Object({ ...limitFields, admin: t.Optional(t.Boolean()) }) },
    )
    .patch("/api/keys/:id", change, changeSchema)
    .put("/api/keys/:id", change, changeSchema)
    .delete("/api/keys/:id", ({ params, status }) =>
      context.apiKeys.revoke(params.id)
        ? { ok: true, id: params.id }
        : status(404, managementError(`No API key with id ${params.id}`)),
    );
}
