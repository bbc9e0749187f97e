import { formatBytes, formatTime } from "../format.ts";
import { field, formAlert, problemAt, selectField } from "../forms.ts";
import { type Html, html } from "../html.ts";
import { appLayout } from "../layout.ts";
import type { FormState } from "./providers.ts";

export interface ProxyView {
  enabled: boolean;
  url: string | null;
  noProxy: string[];
}

export interface RoutingView {
  accountStrategy: string;
  accountStrategies: readonly string[];
  stickyRequests: number;
  maxAttempts: number;
  deadlineMs: number;
  cooldownBaseMs: number;
  breakerFailureRate: number;
  breakerOpenMs: number;
}

export interface PriceOverrideView {
  provider: string;
  model: string;
  input: number;
  output: number;
}

export interface BackupView {
  id: string;
  sizeBytes: number;
  createdAt: string;
}

export interface SettingsView {
  proxy: ProxyView;
  routing: RoutingView;
  prices: PriceOverrideView[];
  backups: BackupView[];
}

/** What a settings form answers with: saved, or refused with the fields to fix. */
export interface Outcome {
  saved?: string;
  form?: FormState;
}

function outcomeNotes(outcome: Outcome): Html {
  return html`${outcome.saved ? html`<p role="status" class="ok">${outcome.saved}</p>` : ""}${formAlert(
    outcome.form && outcome.form.problems.length === 0 ? outcome.form.message : undefined,
  )}`;
}

export function passwordForm(outcome: Outcome = {}): Html {
  const problems = outcome.form?.problems ?? [];
  return html`<form id="password-form" class="panel stack" hx-post="/dashboard/settings/password" hx-target="this" hx-swap="outerHTML">
    <h2>Admin password</h2>
    ${outcomeNotes(outcome)}
    ${field({ id: "current-password", name: "current", label: "Current password", type: "password", autocomplete: "current-password", required: true, error: problemAt(problems, "current") })}
    ${field({ id: "new-password", name: "password", label: "New password", type: "password", autocomplete: "new-password", required: true, hint: "At least 8 characters. Other signed-in browsers are signed out.", error: problemAt(problems, "password") })}
    ${field({ id: "confirm-password", name: "confirm", label: "New password again", type: "password", autocomplete: "new-password", required: true, error: problemAt(problems, "confirm") })}
    <button type="submit">Change password</button>
  </form>`;
}

export function proxyForm(proxy: ProxyView, outcome: Outcome = {}): Html {
  const problems = outcome.form?.problems ?? [];
  const values = outcome.form?.values;
  return html`<form id="proxy-form" class="panel stack" hx-post="/dashboard/settings/proxy" hx-target="this" hx-swap="outerHTML">
    <h2>Outbound proxy</h2>
    ${outcomeNotes(outcome)}
    <label class="check"><input type="checkbox" name="enabled" value="1" ${(values ? values.enabled === "1" : proxy.enabled) ? html`checked` : ""} /> send upstream calls through a proxy</label>
    ${field({ id: "proxy-url", name: "url", label: "Proxy URL", value: values?.url ?? proxy.url, placeholder: "http://proxy.lan:3128", error: problemAt(problems, "url") })}
    ${field({ id: "proxy-bypass", name: "noProxy", label: "Hosts that bypass it", value: values?.noProxy ?? proxy.noProxy.join(", "), hint: "Comma-separated, e.g. localhost, .lan", error: problemAt(problems, "noProxy") })}
    <button type="submit">Save proxy</button>
  </form>`;
}

export function routingForm(routing: RoutingView, outcome: Outcome = {}): Html {
  const problems = outcome.form?.problems ?? [];
  const values = outcome.form?.values ?? {};
  const value = (name: keyof RoutingView) => values[name] ?? String(routing[name]);
  return html`<form id="routing-form" class="panel stack" hx-post="/dashboard/settings/routing" hx-target="this" hx-swap="outerHTML">
    <h2>Combo defaults and resilience</h2>
    ${outcomeNotes(outcome)}
    ${selectField({ id: "account-strategy", name: "accountStrategy", label: "Account strategy", selected: value("accountStrategy"), choices: routing.accountStrategies.map((strategy) => ({ value: strategy, label: strategy })), error: problemAt(problems, "accountStrategy") })}
    ${field({ id: "sticky-requests", name: "stickyRequests", label: "Sticky requests per session", type: "number", min: 1, value: value("stickyRequests"), error: problemAt(problems, "stickyRequests") })}
    ${field({ id: "max-attempts", name: "maxAttempts", label: "Attempts per request", type: "number", min: 1, value: value("maxAttempts"), hint: "Shared by every account, model and combo step.", error: problemAt(problems, "profile.maxAttempts") })}
    ${field({ id: "deadline", name: "deadlineMs", label: "Deadline per request (ms)", type: "number", min: 1000, value: value("deadlineMs"), error: problemAt(problems, "profile.deadlineMs") })}
    ${field({ id: "cooldown-base", name: "cooldownBaseMs", label: "First cooldown (ms)", type: "number", min: 1, value: value("cooldownBaseMs"), error: problemAt(problems, "profile.cooldown") })}
    ${field({ id: "breaker-rate", name: "breakerFailureRate", label: "Breaker opens at failure share", type: "number", step: "0.05", min: 0, value: value("breakerFailureRate"), error: problemAt(problems, "profile.breaker.failureRate") })}
    ${field({ id: "breaker-open", name: "breakerOpenMs", label: "Breaker stays open (ms)", type: "number", min: 1, value: value("breakerOpenMs"), error: problemAt(problems, "profile.breaker.openMs") })}
    <button type="submit">Save routing</button>
  </form>`;
}

export function pricingSection(prices: PriceOverrideView[], outcome: Outcome = {}): Html {
  const problems = outcome.form?.problems ?? [];
  const values = outcome.form?.values ?? {};
  return html`<section id="pricing" class="panel stack" aria-labelledby="pricing-title">
    <h2 id="pricing-title">Price overrides</h2>
    <p class="hint">USD per million tokens; they replace the catalogue's prices for the next requests.</p>
    ${outcomeNotes(outcome)}
    ${
      prices.length === 0
        ? html`<p class="empty">No overrides: the catalogue's prices apply.</p>`
        : html`<div class="scroll"><table><thead><tr><th>Model</th><th>Input</th><th>Output</th><th></th></tr></thead>
          <tbody>${prices.map(
            (
              price,
            ) => html`<tr><td><code>${price.provider}/${price.model}</code></td><td>${price.input}</td><td>${price.output}</td>
              <td><button type="button" class="danger" hx-delete="/dashboard/settings/pricing?${new URLSearchParams({ provider: price.provider, model: price.model }).toString()}"
                hx-target="#pricing" hx-swap="outerHTML" hx-confirm="Remove the price override for ${price.provider}/${price.model}?">Remove</button></td></tr>`,
          )}</tbody></table></div>`
    }
    <form class="stack" hx-post="/dashboard/settings/pricing" hx-target="#pricing" hx-swap="outerHTML">
      ${field({ id: "price-provider", name: "provider", label: "Provider", required: true, value: values.provider, placeholder: "openai", error: problemAt(problems, "provider") })}
      ${field({ id: "price-model", name: "model", label: "Model", required: true, value: values.model, placeholder: "gpt-4.1", error: problemAt(problems, "model") })}
      ${field({ id: "price-input", name: "input", label: "Input price", type: "number", step: "any", min: 0, required: true, value: values.input, error: problemAt(problems, "input") })}
      ${field({ id: "price-output", name: "output", label: "Output price", type: "number", step: "any", min: 0, required: true, value: values.output, error: problemAt(problems, "output") })}
      <button type="submit">Save price</button>
    </form>
  </section>`;
}

export function backupsSection(
  backups: BackupView[],
  outcome: { saved?: string; error?: string } = {},
): Html {
  return html`<section id="backups" class="panel stack" aria-labelledby="backups-title">
    <div class="row"><h2 id="backups-title">Backups</h2>
      <button type="button" hx-post="/dashboard/settings/backups" hx-target="#backups" hx-swap="outerHTML" hx-disable="this">Back up now<span class="htmx-indicator"> …</span></button></div>
    ${outcome.saved ? html`<p role="status" class="ok">${outcome.saved}</p>` : ""}
    ${formAlert(outcome.error)}
    ${
      backups.length === 0
        ? html`<p class="empty">No backups yet. One is also taken before every schema migration.</p>`
        : html`<div class="scroll"><table><thead><tr><th>Backup</th><th>Size</th><th>Taken (UTC)</th><th></th></tr></thead>
          <tbody>${backups.map(
            (
              backup,
            ) => html`<tr><td><code>${backup.id}</code></td><td>${formatBytes(backup.sizeBytes)}</td><td>${formatTime(backup.createdAt)}</td>
              <td><button type="button" class="danger" hx-post="/dashboard/settings/backups/restore" hx-vals='${JSON.stringify({ backupId: backup.id })}'
                hx-target="#backups" hx-swap="outerHTML" hx-confirm="Restore ${backup.id}? Every change since it was taken is replaced, and the server restarts.">Restore</button></td></tr>`,
          )}</tbody></table></div>`
    }
  </section>`;
}

export function settingsPage(view: SettingsView) {
  return appLayout(
    "Settings",
    "/dashboard/settings",
    html`<div class="grid">${passwordForm()}${proxyForm(view.proxy)}${routingForm(view.routing)}${pricingSection(view.prices)}${backupsSection(view.backups)}</div>`,
  );
}
