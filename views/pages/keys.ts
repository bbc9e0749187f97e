import { formatCount, formatTime, formatUsd } from "../format.ts";
import { copyable, field, formAlert, listProblemAt, problemAt, textareaField } from "../forms.ts";
import { type Html, html } from "../html.ts";
import { appLayout } from "../layout.ts";
import type { FormState } from "./providers.ts";

export interface KeyView {
  id: string;
  label: string;
  keyPreview: string;
  isAdmin: boolean;
  noLog: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  allowedModels: string[] | null;
  requestsPerMinute: number | null;
  requestsPerDay: number | null;
  tokensPerMinute: number | null;
  expiresAt: Date | null;
  ipAllowlist: string[] | null;
  /** The key's daily, weekly and monthly limits in USD, when it has a budget. */
  budget?: { dailyUsd: number | null; weeklyUsd: number | null; monthlyUsd: number | null };
  /** This month's limit and spend, when the key has a monthly budget. */
  monthly?: { limitUsd: number | null; spentUsd: number; exceeded: boolean };
}

/** A key's limits in a few words ("any model, no rate limits" when it has none). */
function limitsText(key: KeyView): string {
  const rates = [
    key.requestsPerMinute ? `${key.requestsPerMinute} req/min` : "",
    key.requestsPerDay ? `${key.requestsPerDay} req/day` : "",
    key.tokensPerMinute ? `${formatCount(key.tokensPerMinute)} tokens/min` : "",
  ].filter(Boolean);
  return [
    key.allowedModels ? `models: ${key.allowedModels.join(", ")}` : "any model",
    rates.length > 0 ? rates.join(", ") : "no rate limits",
    key.ipAllowlist ? `from ${key.ipAllowlist.join(", ")}` : "",
    key.expiresAt ? `expires ${formatTime(key.expiresAt)} UTC` : "",
  ]
    .filter(Boolean)
    .join(" · ");
}

/** A key's limits as its edit form shows them. */
export function limitValues(key: KeyView): Record<string, string> {
  return {
    label: key.label,
    allowedModels: key.allowedModels?.join(", ") ?? "",
    requestsPerMinute: key.requestsPerMinute?.toString() ?? "",
    requestsPerDay: key.requestsPerDay?.toString() ?? "",
    tokensPerMinute: key.tokensPerMinute?.toString() ?? "",
    expiresAt: key.expiresAt ? key.expiresAt.toISOString().slice(0, 16) : "",
    ipAllowlist: key.ipAllowlist?.join("\n") ?? "",
    dailyUsd: key.budget?.dailyUsd?.toString() ?? "",
    weeklyUsd: key.budget?.weeklyUsd?.toString() ?? "",
    monthlyUsd: key.budget?.monthlyUsd?.toString() ?? "",
    ...(key.noLog ? { noLog: "1" } : {}),
  };
}

/** The fields a key is limited with, shared by the create and the edit form. */
function limitFields(prefix: string, values: Record<string, string>, form?: FormState): Html {
  const problems = form?.problems ?? [];
  const number = (name: string, label: string) =>
    field({
      id: `${prefix}-${name}`,
      name,
      label,
      type: "number",
      min: 1,
      value: values[name],
      error: problemAt(problems, name),
    });
  return html`${field({ id: `${prefix}-models`, name: "allowedModels", label: "Allowed models", value: values.allowedModels, placeholder: "any model", hint: "Comma-separated patterns; * matches anything, e.g. openai/*, team-default.", error: problemAt(problems, "allowedModels") })}
    ${number("requestsPerMinute", "Requests per minute")}
    ${number("requestsPerDay", "Requests per day")}
    ${number("tokensPerMinute", "Tokens per minute")}
    ${textareaField({ id: `${prefix}-ip-allowlist`, name: "ipAllowlist", label: "IP allowlist", value: values.ipAllowlist, placeholder: "any address", hint: "One address, CIDR range or wildcard per line; empty lets any address use the key.", error: listProblemAt(problems, "ipAllowlist") })}
    ${field({ id: `${prefix}-expires`, name: "expiresAt", label: "Expires (UTC)", type: "datetime-local", value: values.expiresAt, hint: "Leave empty for never.", error: problemAt(problems, "expiresAt") })}
    <label class="check"><input type="checkbox" name="noLog" value="1" ${values.noLog === "1" ? html`checked` : ""} /> no-log (keep no request or response bodies)</label>`;
}

/** The budget periods a key can be limited by, as form fields named like the management API's. */
const BUDGET_FIELDS = [
  { name: "dailyUsd", label: "Daily budget (USD)" },
  { name: "weeklyUsd", label: "Weekly budget (USD)" },
  { name: "monthlyUsd", label: "Monthly budget (USD)" },
] as const;

/** The daily, weekly and monthly budget fields, shared by the create and the edit form. */
function budgetFields(prefix: string, values: Record<string, string>, form?: FormState): Html {
  const problems = form?.problems ?? [];
  return html`<fieldset class="stack"><legend>Budgets</legend>
    <small class="hint">Optional; requests are refused once a budget is spent.</small>
    ${BUDGET_FIELDS.map(({ name, label }) =>
      field({
        id: `${prefix}-${name}`,
        name,
        label,
        type: "number",
        min: 0,
        step: "0.01",
        value: values[name],
        error: problemAt(problems, name),
      }),
    )}
  </fieldset>`;
}

/** The form that changes one key's name and limits, shown in place of the create form. */
export function keyEditForm(key: KeyView, form?: FormState): Html {
  const values = form?.values ?? limitValues(key);
  const problems = form?.problems ?? [];
  return html`<form id="key-editor" class="panel stack" hx-post="/dashboard/keys/${key.id}" hx-target="#keys" hx-swap="outerHTML">
    <h2>Limits of ${key.label}</h2>
    ${formAlert(problems.length === 0 ? form?.message : undefined)}
    ${field({ id: "edit-label", name: "label", label: "Name", required: true, value: values.label, error: problemAt(problems, "label") })}
    ${budgetFields("edit", values, form)}
    ${limitFields("edit", values, form)}
    <div class="actions"><button type="submit">Save limits</button><a href="/dashboard/keys">Cancel</a></div>
  </form>`;
}

function createForm(form?: FormState): Html {
  const values = form?.values ?? {};
  const problems = form?.problems ?? [];
  return html`<form id="key-editor" class="panel stack" hx-post="/dashboard/keys" hx-target="#keys" hx-swap="outerHTML">
    <h2>Create a key</h2>
    ${formAlert(problems.length === 0 ? form?.message : undefined)}
    ${field({ id: "label", name: "label", label: "Name", required: true, placeholder: "e.g. laptop", value: values.label, error: problemAt(problems, "label") })}
    ${budgetFields("new", values, form)}
    <details ${problems.length > 0 ? html`open` : ""}><summary>Limits</summary><div class="stack">${limitFields("new", values, form)}</div></details>
    <label class="check"><input type="checkbox" name="admin" value="1" /> admin scope (may use the management API)</label>
    <button type="submit">Create key</button>
  </form>`;
}

/**
 * The keys section, swapped whole by htmx after a create, a change or a revoke; `editor` is the
 * form above the table (the create form unless a key is being edited).
 */
export function keysSection(
  keys: KeyView[],
  options: { created?: { label: string; secret: string }; form?: FormState; editor?: Html } = {},
) {
  const { created, form, editor } = options;
  return html`<section id="keys">
    ${
      created
        ? html`<div class="notice" role="status">
          <p>Key <strong>${created.label}</strong> created. Copy it now: it is not shown again.</p>
          ${copyable("new-key", created.secret)}
        </div>`
        : ""
    }
    ${editor ?? createForm(form)}
    ${
      keys.length === 0
        ? html`<p class="empty">No keys yet. Create one to let your tools in.</p>`
        : html`<div class="scroll"><table>
          <thead><tr><th>Name</th><th>Key</th><th>Scope</th><th>Logs</th><th>Limits</th><th>This month</th><th>Created</th><th>Last used</th><th></th></tr></thead>
          <tbody>${keys.map(
            (key) => html`<tr>
              <td id="key-${key.id}-name">${key.label}</td><td><code>…${key.keyPreview}</code></td><td>${key.isAdmin ? "admin" : "client"}</td>
              <td>${key.noLog ? "no-log" : "kept"}</td>
              <td>${limitsText(key)}</td>
              <td>${key.monthly ? html`${formatUsd(key.monthly.spentUsd)} of ${formatUsd(key.monthly.limitUsd)}${key.monthly.exceeded ? html` <span class="state state-bad">spent</span>` : ""}` : "no budget"}</td>
              <td>${formatTime(key.createdAt)}</td>
              <td>${key.lastUsedAt ? formatTime(key.lastUsedAt) : "never"}</td>
              <td class="actions"><button type="button" class="secondary" hx-get="/dashboard/keys/${key.id}/edit" hx-target="#key-editor" hx-swap="outerHTML" aria-describedby="key-${key.id}-name">Limits</button>
                <button type="button" class="danger" hx-delete="/dashboard/keys/${key.id}" hx-target="#keys"
                hx-swap="outerHTML" hx-confirm="Revoke ${key.label}? Tools using it stop working at once.">Revoke</button></td>
            </tr>`,
          )}</tbody>
        </table></div>`
    }
  </section>`;
}

export function keysPage(keys: KeyView[]) {
  return appLayout("API keys", "/dashboard/keys", keysSection(keys));
}
