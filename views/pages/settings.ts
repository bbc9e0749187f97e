import { formatBytes, formatTime } from "../format.ts";
import {
  checkField,
  field,
  formAlert,
  listProblemAt,
  problemAt,
  selectField,
  textareaField,
} from "../forms.ts";
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
  input: number | null;
  output: number | null;
  perImage: number | null;
  perMillionCharacters: number | null;
  perMinute: number | null;
  perThousandSearches: number | null;
}

export const UNIT_RATE_LABELS = [
  ["perImage", "per image"],
  ["perMillionCharacters", "per 1M characters"],
  ["perMinute", "per minute"],
  ["perThousandSearches", "per 1K searches"],
] as const;

/** The unit rates an override sets, as "0.04 per image, 15 per 1M characters". */
function unitRates(price: PriceOverrideView): string {
  return UNIT_RATE_LABELS.flatMap(([rate, label]) =>
    price[rate] === null ? [] : [`${price[rate]} ${label}`],
  ).join(", ");
}

export interface BackupView {
  id: string;
  sizeBytes: number;
  createdAt: string;
}

export interface TempBanView {
  ip: string;
  /** Unix ms. */
  until: number;
  reason: string;
}

export interface IpFilterView {
  enabled: boolean;
  mode: "blacklist" | "whitelist";
  blacklist: string[];
  whitelist: string[];
  tempBans: TempBanView[];
}

export interface SystemPromptView {
  enabled: boolean;
  prompt: string;
}

export interface ThinkingBudgetView {
  mode: string;
  modes: readonly string[];
  customBudget: number;
  effortLevel: string;
  effortLevels: readonly string[];
}

export interface CacheStatsView {
  hits: number;
  misses: number;
  stores: number;
  evictions: number;
  entries: number;
  bytes: number;
}

export interface SettingsView {
  proxy: ProxyView;
  routing: RoutingView;
  prices: PriceOverrideView[];
  backups: BackupView[];
  requireLogin: boolean;
  ipFilter: IpFilterView;
  systemPrompt: SystemPromptView;
  thinkingBudget: ThinkingBudgetView;
  /** Undefined when the management API would not give them. */
  cacheStats: CacheStatsView | undefined;
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
    <p class="hint">USD per million tokens, or per unit for images, speech, transcriptions and rerank; they replace the catalogue's prices for the next requests.</p>
    ${outcomeNotes(outcome)}
    ${
      prices.length === 0
        ? html`<p class="empty">No overrides: the catalogue's prices apply.</p>`
        : html`<div class="scroll"><table><thead><tr><th>Model</th><th>Input</th><th>Output</th><th>Per unit</th><th></th></tr></thead>
          <tbody>${prices.map(
            (
              price,
            ) => html`<tr><td><code>${price.provider}/${price.model}</code></td><td>${price.input}</td><td>${price.output}</td><td>${unitRates(price)}</td>
              <td><button type="button" class="danger" hx-delete="/dashboard/settings/pricing?${new URLSearchParams({ provider: price.provider, model: price.model }).toString()}"
                hx-target="#pricing" hx-swap="outerHTML" hx-confirm="Remove the price override for ${price.provider}/${price.model}?">Remove</button></td></tr>`,
          )}</tbody></table></div>`
    }
    <form class="stack" hx-post="/dashboard/settings/pricing" hx-target="#pricing" hx-swap="outerHTML">
      ${field({ id: "price-provider", name: "provider", label: "Provider", required: true, value: values.provider, placeholder: "openai", error: problemAt(problems, "provider") })}
      ${field({ id: "price-model", name: "model", label: "Model", required: true, value: values.model, placeholder: "gpt-4.1", error: problemAt(problems, "model") })}
      ${field({ id: "price-input", name: "input", label: "Input price", type: "number", step: "any", min: 0, value: values.input, hint: "USD per 1M tokens", error: problemAt(problems, "input") })}
      ${field({ id: "price-output", name: "output", label: "Output price", type: "number", step: "any", min: 0, value: values.output, hint: "USD per 1M tokens", error: problemAt(problems, "output") })}
      <details ${UNIT_RATE_LABELS.some(([rate]) => values[rate]) ? html`open` : ""}><summary>Per-unit rates (images, speech, transcriptions, rerank)</summary><div class="stack">
        ${UNIT_RATE_LABELS.map(([rate, label]) =>
          field({
            id: `price-${rate}`,
            name: rate,
            label: `USD ${label}`,
            type: "number",
            step: "any",
            min: 0,
            value: values[rate],
            error: problemAt(problems, rate),
          }),
        )}
      </div></details>
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

/** A settings form that posts to `action` and is swapped by its own answer. */
function settingsForm(
  options: { id: string; action: string; title: string; submit: string },
  outcome: Outcome,
  fields: Html,
): Html {
  return html`<form id="${options.id}" class="panel stack" hx-post="${options.action}" hx-target="this" hx-swap="outerHTML" aria-labelledby="${options.id}-title">
    <h2 id="${options.id}-title">${options.title}</h2>
    ${outcomeNotes(outcome)}
    ${fields}
    <button type="submit">${options.submit}</button>
  </form>`;
}

/** A ticked box as the form last sent it, or as saved. */
function ticked(values: Record<string, string> | undefined, name: string, saved: boolean): boolean {
  return values ? values[name] === "1" : saved;
}

/** Sign-in on or off: the state as saved, and a button that flips it. */
export function requireLoginForm(requireLogin: boolean, outcome: Outcome = {}): Html {
  return settingsForm(
    {
      id: "require-login-form",
      action: "/dashboard/settings/require-login",
      title: "Sign-in",
      submit: requireLogin ? "Stop requiring sign-in" : "Require sign-in",
    },
    outcome,
    html`<p id="require-login-state"><span class="state ${requireLogin ? "state-ok" : "state-warn"}">${requireLogin ? "required" : "not required"}</span>
      ${requireLogin ? "The dashboard and the management API ask for the admin password." : "Anyone who can reach the console may use it."}</p>
    <input type="hidden" name="requireLogin" value="${requireLogin ? "0" : "1"}" />`,
  );
}

export function systemPromptForm(systemPrompt: SystemPromptView, outcome: Outcome = {}): Html {
  const problems = outcome.form?.problems ?? [];
  const values = outcome.form?.values;
  return settingsForm(
    {
      id: "system-prompt-form",
      action: "/dashboard/settings/system-prompt",
      title: "System prompt",
      submit: "Save system prompt",
    },
    outcome,
    html`${checkField({ name: "enabled", label: "add this system prompt to every request", checked: ticked(values, "enabled", systemPrompt.enabled) })}
    ${textareaField({ id: "system-prompt", name: "prompt", label: "Prompt", rows: 6, value: values?.prompt ?? systemPrompt.prompt, error: problemAt(problems, "prompt") })}`,
  );
}

export function thinkingBudgetForm(budget: ThinkingBudgetView, outcome: Outcome = {}): Html {
  const problems = outcome.form?.problems ?? [];
  const values = outcome.form?.values ?? {};
  const choices = (names: readonly string[]) => names.map((name) => ({ value: name, label: name }));
  return settingsForm(
    {
      id: "thinking-budget-form",
      action: "/dashboard/settings/thinking-budget",
      title: "Thinking budget",
      submit: "Save thinking budget",
    },
    outcome,
    html`${selectField({ id: "thinking-mode", name: "mode", label: "Mode", selected: values.mode ?? budget.mode, choices: choices(budget.modes), error: problemAt(problems, "mode") })}
    ${field({ id: "thinking-custom-budget", name: "customBudget", label: "Custom budget (tokens)", type: "number", min: 0, value: values.customBudget ?? budget.customBudget, hint: "Used in custom mode; 0 turns reasoning off.", error: problemAt(problems, "customBudget") })}
    ${selectField({ id: "thinking-effort", name: "effortLevel", label: "Effort level", selected: values.effortLevel ?? budget.effortLevel, choices: choices(budget.effortLevels), error: problemAt(problems, "effortLevel") })}`,
  );
}

/** What the IP filter section answers with: the outcome of the filter form or of a ban. */
export interface IpFilterOutcome {
  filter?: Outcome;
  ban?: Outcome;
}

function tempBansTable(bans: TempBanView[]): Html {
  if (bans.length === 0) return html`<p class="empty">No temporary bans.</p>`;
  return html`<div class="scroll"><table><caption class="visually-hidden">Active temporary bans</caption>
    <thead><tr><th>Address</th><th>Until (UTC)</th><th>Reason</th><th></th></tr></thead>
    <tbody>${bans.map(
      (ban) => html`<tr><td><code>${ban.ip}</code></td><td>${formatTime(ban.until)}</td><td>${ban.reason}</td>
        <td><button type="button" class="danger" hx-delete="/dashboard/settings/ip-filter/bans?${new URLSearchParams({ ip: ban.ip }).toString()}"
          hx-target="#ip-filter" hx-swap="outerHTML" hx-confirm="Lift the ban on ${ban.ip}?">Lift</button></td></tr>`,
    )}</tbody></table></div>`;
}

export function ipFilterSection(filter: IpFilterView, outcome: IpFilterOutcome = {}): Html {
  const filterOutcome = outcome.filter ?? {};
  const filterProblems = filterOutcome.form?.problems ?? [];
  const filterValues = filterOutcome.form?.values;
  const banOutcome = outcome.ban ?? {};
  const banProblems = banOutcome.form?.problems ?? [];
  const banValues = banOutcome.form?.values ?? {};
  const patternsHint = "One address, CIDR range or wildcard per line, e.g. 10.0.0.0/8.";
  return html`<section id="ip-filter" class="panel stack" aria-labelledby="ip-filter-title">
    <h2 id="ip-filter-title">IP filter</h2>
    <form class="stack" hx-post="/dashboard/settings/ip-filter" hx-target="#ip-filter" hx-swap="outerHTML" aria-label="IP filter rules">
      ${outcomeNotes(filterOutcome)}
      ${checkField({ name: "enabled", label: "filter every request by client address", checked: ticked(filterValues, "enabled", filter.enabled) })}
      ${selectField({
        id: "ip-filter-mode",
        name: "mode",
        label: "Mode",
        selected: filterValues?.mode ?? filter.mode,
        choices: [
          { value: "blacklist", label: "blacklist: refuse the listed addresses" },
          { value: "whitelist", label: "whitelist: let only the listed addresses in" },
        ],
        error: problemAt(filterProblems, "mode"),
      })}
      ${textareaField({ id: "ip-blacklist", name: "blacklist", label: "Blacklist", value: filterValues?.blacklist ?? filter.blacklist.join("\n"), hint: patternsHint, error: listProblemAt(filterProblems, "blacklist") })}
      ${textareaField({ id: "ip-whitelist", name: "whitelist", label: "Whitelist", value: filterValues?.whitelist ?? filter.whitelist.join("\n"), hint: patternsHint, error: listProblemAt(filterProblems, "whitelist") })}
      <button type="submit">Save IP filter</button>
    </form>
    <h3>Temporary bans</h3>
    ${tempBansTable(filter.tempBans)}
    <form class="stack" hx-post="/dashboard/settings/ip-filter/bans" hx-target="#ip-filter" hx-swap="outerHTML" aria-label="Ban an address for a while">
      ${outcomeNotes(banOutcome)}
      ${field({ id: "ban-ip", name: "ip", label: "Address to ban", required: true, value: banValues.ip, placeholder: "203.0.113.7", error: problemAt(banProblems, "tempBan.ip") ?? listProblemAt(banProblems, "tempBans") })}
      ${field({ id: "ban-minutes", name: "minutes", label: "For (minutes)", type: "number", min: 1, required: true, value: banValues.minutes, error: problemAt(banProblems, "tempBan.durationMs") })}
      ${field({ id: "ban-reason", name: "reason", label: "Reason", value: banValues.reason, error: problemAt(banProblems, "tempBan.reason") })}
      <button type="submit">Ban address</button>
    </form>
  </section>`;
}

export function cacheSection(
  stats: CacheStatsView | undefined,
  outcome: { saved?: string; error?: string } = {},
): Html {
  const facts: Array<[string, string | number]> = stats
    ? [
        ["Entries", stats.entries],
        ["Size", formatBytes(stats.bytes)],
        ["Hits", stats.hits],
        ["Misses", stats.misses],
        ["Stored", stats.stores],
        ["Evicted", stats.evictions],
      ]
    : [];
  return html`<section id="response-cache" class="panel stack" aria-labelledby="response-cache-title">
    <div class="row"><h2 id="response-cache-title">Response cache</h2>
      <button type="button" class="danger" hx-delete="/dashboard/settings/cache" hx-target="#response-cache" hx-swap="outerHTML"
        hx-confirm="Clear the response cache? Repeated requests go upstream again.">Clear cache</button></div>
    ${outcome.saved ? html`<p role="status" class="ok">${outcome.saved}</p>` : ""}
    ${formAlert(outcome.error)}
    ${stats ? html`<dl class="facts">${facts.map(([name, value]) => html`<dt>${name}</dt><dd>${value}</dd>`)}</dl>` : ""}
  </section>`;
}

export function settingsPage(view: SettingsView) {
  return appLayout(
    "Settings",
    "/dashboard/settings",
    html`<div class="grid">${passwordForm()}${requireLoginForm(view.requireLogin)}${proxyForm(view.proxy)}${routingForm(view.routing)}${systemPromptForm(view.systemPrompt)}${thinkingBudgetForm(view.thinkingBudget)}${ipFilterSection(view.ipFilter)}${cacheSection(view.cacheStats)}${pricingSection(view.prices)}${backupsSection(view.backups)}</div>`,
  );
}
