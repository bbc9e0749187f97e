/** The API keys page: create (the secret shown once), limits, IP allowlist, budgets, no-log, revoke. */
import { Elysia } from "elysia";
import { type KeyView, keyEditForm, keysPage, keysSection } from "../../views/pages/keys.ts";
import type { FieldProblem } from "../admin/errors.ts";
import type { AppContext } from "../context.ts";
import type { ManagementCall } from "./management.ts";
import { type FormFields, filled, formBody, page } from "./respond.ts";
import { linesOf } from "./settings.ts";

const BUDGET_FIELDS = ["dailyUsd", "weeklyUsd", "monthlyUsd"] as const;
type BudgetInput = Partial<Record<(typeof BUDGET_FIELDS)[number], number | null>>;

function keyViews(context: AppContext): KeyView[] {
  return context.apiKeys.list().map((row) => {
    const budget = context.usage.budgets.status(row.id);
    const monthly = budget?.periods.find((period) => period.period === "month");
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
      ipAllowlist: row.ipAllowlist,
      ...(budget
        ? {
            budget: { dailyUsd: budget.dailyUsd, weeklyUsd: budget.weeklyUsd, monthlyUsd: budget.monthlyUsd },
          }
        : {}),
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
  const addresses = linesOf(form.ipAllowlist);
  return {
    label: form.label ?? "",
    noLog: form.noLog === "1",
    allowedModels: models && models.length > 0 ? models : blank,
    requestsPerMinute: count("requestsPerMinute"),
    requestsPerDay: count("requestsPerDay"),
    tokensPerMinute: count("tokensPerMinute"),
    // datetime-local has no zone; the form says UTC.
    expiresAt: expires === undefined ? blank : new Date(`${expires}Z`).toISOString(),
    ipAllowlist: addresses.length > 0 ? addresses : blank,
  };
}

/**
 * The budgets a form asks for, in USD, or the fields that are not amounts. A blank field is left
 * out on create and lifts that budget (null) on a change. Checked here, before the key is saved,
 * since the API would take a non-number as "no budget".
 */
function budgetsInput(
  form: FormFields,
  blank: null | undefined,
): { budget: BudgetInput; given: boolean } | { problems: FieldProblem[] } {
  const budget: BudgetInput = {};
  const problems: FieldProblem[] = [];
  let given = false;
  for (const name of BUDGET_FIELDS) {
    const text = filled(form, name);
    const amount = text === undefined ? undefined : Number(text);
    if (amount !== undefined && !(amount >= 0))
      problems.push({ field: name, message: "a number of dollars, 0 or more" });
    if (amount !== undefined) given = true;
    budget[name] = amount ?? blank;
  }
  return problems.length > 0 ? { problems } : { budget, given };
}

export function keyPages(context: AppContext, api: ManagementCall) {
  const section = (options: Parameters<typeof keysSection>[1] = {}, status = 200) =>
    page(keysSection(keyViews(context), options), status);

  return new Elysia()
    .get("/dashboard/keys", () => page(keysPage(keyViews(context))))
    .post(
      "/dashboard/keys",
      async ({ body, request }) => {
        const budgets = budgetsInput(body, undefined);
        if ("problems" in budgets)
          return section({ form: { values: body, problems: budgets.problems } }, 400);
        const created = await api<{ id: string; label: string; key: string }>(request, "POST", "/api/keys", {
          ...limitsInput(body, undefined),
          admin: body.admin === "1",
        });
        if (!created.ok) {
          const form = { values: body, message: created.message, problems: created.problems };
          return section({ form }, created.status);
        }
        if (budgets.given)
          await api(request, "POST", "/api/usage/budget", { apiKeyId: created.data.id, ...budgets.budget });
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
        const budgets = budgetsInput(body, null);
        if ("problems" in budgets)
          return section({ editor: keyEditForm(key, { values: body, problems: budgets.problems }) }, 400);
        const changed = await api(
          request,
          "PATCH",
          `/api/keys/${encodeURIComponent(params.id)}`,
          limitsInput(body, null),
        );
        const answer = changed.ok
          ? await api(request, "POST", "/api/usage/budget", { apiKeyId: params.id, ...budgets.budget })
          : changed;
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
