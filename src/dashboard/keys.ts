/** The API keys page: create (the secret shown once), limits, budgets, no-log, revoke. */
import { Elysia } from "elysia";
import { type KeyView, keyEditForm, keysPage, keysSection } from "../../views/pages/keys.ts";
import type { AppContext } from "../context.ts";
import type { ManagementCall } from "./management.ts";
import { type FormFields, filled, formBody, page } from "./respond.ts";

function keyViews(context: AppContext): KeyView[] {
  return context.apiKeys.list().map((row) => {
    const monthly = context.usage.budgets.status(row.id)?.periods.find((period) => period.period === "month");
    return {
      id: row.id,
      label: row.label,
      keyPreview: row.keyPreview,
      isAdmin: row.isAdmin,
      noLog: row.noLog,
      createdAt: row.createdAt,
      lastUsedAt: row.lastUsedAt,
      allowedModels: row.allowedModels,
      requestsPerMinute: row.requestsPerMinute,
      requestsPerDay: row.requestsPerDay,
      tokensPerMinute: row.tokensPerMinute,
      expiresAt: row.expiresAt,
      ...(monthly && monthly.limitUsd !== null
        ? { monthly: { limitUsd: monthly.limitUsd, spentUsd: monthly.spentUsd, exceeded: monthly.exceeded } }
        : {}),
    };
  });
}

/**
 * The limits a form asks for, as the management API takes them. A blank field is left out on
 * create and lifts the limit (null) on a change.
 */
function limitsInput(form: FormFields, blank: null | undefined) {
  const text = (name: string) => filled(form, name);
  const count = (name: string) => {
    const value = text(name);
    return value === undefined ? blank : Number(value);
  };
  const models = text("allowedModels")
    ?.split(",")
    .map((pattern) => pattern.trim())
    .filter(Boolean);
  const expires = text("expiresAt");
  return {
    label: form.label ?? "",
    noLog: form.noLog === "1",
    allowedModels: models && models.length > 0 ? models : blank,
    requestsPerMinute: count("requestsPerMinute"),
    requestsPerDay: count("requestsPerDay"),
    tokensPerMinute: count("tokensPerMinute"),
    // datetime-local has no zone; the form says UTC.
    expiresAt: expires === undefined ? blank : new Date(`${expires}Z`).toISOString(),
  };
}

export function keyPages(context: AppContext, api: ManagementCall) {
  const section = (options: Parameters<typeof keysSection>[1] = {}, status = 200) =>
    page(keysSection(keyViews(context), options), status);

  return new Elysia()
    .get("/dashboard/keys", () => page(keysPage(keyViews(context))))
    .post(
      "/dashboard/keys",
      async ({ body, request }) => {
        const monthly = filled(body, "monthlyUsd");
        const monthlyUsd = monthly === undefined ? undefined : Number(monthly);
        if (monthlyUsd !== undefined && !(monthlyUsd >= 0)) {
          const problems = [{ field: "monthlyUsd", message: "a number of dollars, 0 or more" }];
          return section({ form: { values: body, problems } }, 400);
        }
        const created = await api<{ id: string; label: string; key: string }>(request, "POST", "/api/keys", {
          ...limitsInput(body, undefined),
          admin: body.admin === "1",
        });
        if (!created.ok) {
          const form = { values: body, message: created.message, problems: created.problems };
          return section({ form }, created.status);
        }
        if (monthlyUsd !== undefined)
          await api(request, "POST", "/api/usage/budget", { apiKeyId: created.data.id, monthlyUsd });
        return section({ created: { label: created.data.label, secret: created.data.key } });
      },
      { body: formBody },
    )
    .get("/dashboard/keys/:id/edit", ({ params }) => {
      const key = keyViews(context).find((view) => view.id === params.id);
      return key ? page(keyEditForm(key)) : section({}, 404);
    })
    .post(
      "/dashboard/keys/:id",
      async ({ params, body, request }) => {
        const key = keyViews(context).find((view) => view.id === params.id);
        if (!key) return section({}, 404);
        const answer = await api(
          request,
          "PATCH",
          `/api/keys/${encodeURIComponent(params.id)}`,
          limitsInput(body, null),
        );
        if (answer.ok) return section();
        const form = { values: body, message: answer.message, problems: answer.problems };
        return section({ editor: keyEditForm(key, form) }, answer.status);
      },
      { body: formBody },
    )
    .delete("/dashboard/keys/:id", async ({ params, request }) => {
      await api(request, "DELETE", `/api/keys/${encodeURIComponent(params.id)}`);
      return section();
    });
}
