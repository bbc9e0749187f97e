import type { FieldProblem } from "../../src/admin/errors.ts";
import { formatMs, formatTime } from "../format.ts";
import { field, formAlert, problemAt, selectField } from "../forms.ts";
import { type Html, html } from "../html.ts";
import { appLayout } from "../layout.ts";

/** A connection as the management API shows it, with its live health. */
export interface ConnectionHealth {
  id: string;
  provider: string;
  providerName: string;
  name: string;
  url: string | null;
  isActive: boolean;
  priority: number;
  apiKeyPreview: string | null;
  testStatus: string;
  lastError: string | null;
  lastTestedAt: string | null;
  models: string[];
  health: {
    disabled: string | null;
    cooldowns: Array<{ model?: string; until: string; reason: string }>;
    breaker: { state: string; openedAt: string | null };
    inFlight: number;
    requestsLastMinute: number;
    limits: { requestsPerMinute?: number; concurrency?: number };
  };
}

export interface CatalogueEntry {
  id: string;
  name: string;
  dialect: string;
  needsApiKey: boolean;
  local: boolean;
  modelCount: number;
}

export interface NodeView {
  id: string;
  type: string;
  name: string;
  prefix: string;
  baseUrl: string;
}

export interface ProvidersView {
  connections: ConnectionHealth[];
  catalogue: CatalogueEntry[];
  nodes: NodeView[];
}

/** What a form sent back, with the API's objections, for re-rendering it filled in. */
export interface FormState {
  values: Record<string, string>;
  message?: string;
  problems: FieldProblem[];
}

export interface TestResult {
  valid: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

type Tone = "ok" | "warn" | "bad" | "off";

/** The one-word state a connection is in now, most serious first. */
export function connectionState(connection: ConnectionHealth): { label: string; tone: Tone } {
  if (!connection.isActive) return { label: "disabled", tone: "off" };
  if (connection.health.disabled) return { label: "key refused", tone: "bad" };
  if (connection.health.breaker.state === "open") return { label: "breaker open", tone: "bad" };
  if (connection.health.breaker.state === "half-open") return { label: "probing", tone: "warn" };
  if (connection.health.cooldowns.length > 0) return { label: "cooling down", tone: "warn" };
  if (connection.testStatus === "error") return { label: "test failed", tone: "bad" };
  if (connection.testStatus === "untested") return { label: "untested", tone: "off" };
  return { label: "healthy", tone: "ok" };
}

export function connectionCard(connection: ConnectionHealth, test?: TestResult): Html {
  const state = connectionState(connection);
  const base = `/dashboard/providers/${connection.id}`;
  const card = `#connection-${connection.id}`;
  return html`<article class="panel connection" id="connection-${connection.id}" aria-labelledby="connection-${connection.id}-name">
    <header class="row">
      <h3 id="connection-${connection.id}-name">${connection.name}</h3>
      <span class="state state-${state.tone}">${state.label}</span>
    </header>
    <p class="hint">${connection.providerName} · <code>${connection.url ?? "default URL"}</code>
      ${connection.apiKeyPreview ? html` · key <code>${connection.apiKeyPreview}</code>` : ""}</p>
    ${
      test
        ? html`<p role="status" class="${test.valid ? "ok" : "error"}">${
            test.valid
              ? `Test passed (${test.statusCode ?? "ok"}, ${formatMs(test.latencyMs)})`
              : `Test failed: ${test.error ?? "no answer"}${test.statusCode ? ` (${test.statusCode})` : ""}`
          }</p>`
        : ""
    }
    ${connection.lastError ? html`<p class="error">Last error: ${connection.lastError}</p>` : ""}
    ${connection.health.disabled ? html`<p class="error">Disabled by the gateway: ${connection.health.disabled}</p>` : ""}
    ${connection.health.cooldowns.map(
      (cooldown) =>
        html`<p class="warn">Cooling down${cooldown.model ? html` <code>${cooldown.model}</code>` : ""} until ${formatTime(cooldown.until, true)} UTC: ${cooldown.reason}</p>`,
    )}
    <p class="hint">Breaker ${connection.health.breaker.state} · ${connection.health.inFlight} in flight ·
      ${connection.health.requestsLastMinute} requests in the last minute
      ${connection.lastTestedAt ? html` · tested ${formatTime(connection.lastTestedAt)} UTC` : ""}</p>
    <details><summary>${connection.models.length} models</summary>
      ${connection.models.length === 0 ? html`<p class="empty">Run a test to fetch the model list.</p>` : html`<ul class="models">${connection.models.map((model) => html`<li><code>${model}</code></li>`)}</ul>`}
    </details>
    <div class="actions">
      <button type="button" hx-post="${base}/test" hx-target="${card}" hx-swap="outerHTML" hx-disable="this">Test<span class="htmx-indicator"> …</span></button>
      <button type="button" class="secondary" hx-post="${base}/active" hx-vals='${JSON.stringify({ isActive: connection.isActive ? "0" : "1" })}'
        hx-target="#providers" hx-swap="outerHTML">${connection.isActive ? "Disable" : "Enable"}</button>
      <form class="inline" hx-post="${base}/priority" hx-target="#providers" hx-swap="outerHTML">
        <label for="priority-${connection.id}">Priority</label>
        <input id="priority-${connection.id}" name="priority" type="number" step="1" value="${connection.priority}" class="narrow" />
        <button type="submit" class="secondary">Save</button>
      </form>
      <button type="button" class="danger" hx-delete="${base}" hx-target="#providers" hx-swap="outerHTML"
        hx-confirm="Delete the connection ${connection.name}? Its key is deleted too.">Delete</button>
    </div>
  </article>`;
}

function connectionForm(view: ProvidersView, form?: FormState): Html {
  const values = form?.values ?? {};
  const problems = form?.problems ?? [];
  const choices = [
    ...view.catalogue.map((entry) => ({ value: entry.id, label: entry.name })),
    ...view.nodes.map((node) => ({ value: node.id, label: `${node.name} (custom)` })),
  ];
  return html`<form id="add-connection" class="panel stack" hx-post="/dashboard/providers" hx-target="#providers" hx-swap="outerHTML">
    <h2>Add a connection</h2>
    ${formAlert(form?.problems.length === 0 ? form.message : undefined)}
    ${selectField({ id: "connection-provider", name: "provider", label: "Provider", choices, selected: values.provider, error: problemAt(problems, "provider") })}
    ${field({ id: "connection-name", name: "name", label: "Name", value: values.name, placeholder: "e.g. work account", hint: "Optional; the provider's name by default." })}
    ${field({ id: "connection-key", name: "apiKey", label: "API key", type: "password", autocomplete: "off", error: problemAt(problems, "apiKey"), hint: "Stored encrypted; never shown again." })}
    ${field({ id: "connection-url", name: "url", label: "Base URL", type: "url", value: values.url, error: problemAt(problems, "url") ?? problemAt(problems, "baseUrl"), hint: "Optional; the catalogue's URL by default." })}
    <button type="submit">Add connection</button>
  </form>`;
}

function nodeForm(form?: FormState): Html {
  const values = form?.values ?? {};
  const problems = form?.problems ?? [];
  return html`<form id="add-node" class="panel stack" hx-post="/dashboard/providers/nodes" hx-target="#providers" hx-swap="outerHTML">
    <h2>Add a custom endpoint</h2>
    ${formAlert(form?.problems.length === 0 ? form.message : undefined)}
    ${selectField({
      id: "node-type",
      name: "type",
      label: "Speaks",
      choices: [
        { value: "openai-compatible", label: "OpenAI-compatible" },
        { value: "anthropic-compatible", label: "Anthropic-compatible" },
      ],
      selected: values.type,
      error: problemAt(problems, "type"),
    })}
    ${field({ id: "node-name", name: "name", label: "Endpoint name", value: values.name, required: true, error: problemAt(problems, "name") })}
    ${field({ id: "node-prefix", name: "prefix", label: "Prefix", value: values.prefix, required: true, hint: "Models are called as <prefix>/<model>.", error: problemAt(problems, "prefix") })}
    ${field({ id: "node-url", name: "baseUrl", label: "Endpoint base URL", type: "url", value: values.baseUrl, required: true, error: problemAt(problems, "baseUrl") })}
    <button type="submit">Add endpoint</button>
    <p class="hint">Then add a connection to it above, with its key.</p>
  </form>`;
}

/** The whole providers section, swapped by htmx after every change. */
export function providersSection(
  view: ProvidersView,
  forms: { connection?: FormState; node?: FormState; alert?: string } = {},
): Html {
  return html`<div id="providers">
    ${formAlert(forms.alert)}
    <section aria-label="Connections">
      ${
        view.connections.length === 0
          ? html`<p class="empty">No connections yet. Add one below: the key stays on this server, encrypted.</p>`
          : html`<div class="grid">${view.connections.map((connection) => connectionCard(connection))}</div>`
      }
    </section>
    <div class="grid">${connectionForm(view, forms.connection)}${nodeForm(forms.node)}</div>
    ${
      view.nodes.length > 0
        ? html`<section><h2>Custom endpoints</h2><table>
          <thead><tr><th>Name</th><th>Prefix</th><th>Speaks</th><th>Base URL</th><th></th></tr></thead>
          <tbody>${view.nodes.map(
            (
              node,
            ) => html`<tr><td>${node.name}</td><td><code>${node.prefix}</code></td><td>${node.type}</td><td><code>${node.baseUrl}</code></td>
              <td><button type="button" class="danger" hx-delete="/dashboard/providers/nodes/${node.id}" hx-target="#providers" hx-swap="outerHTML"
                hx-confirm="Delete the endpoint ${node.name}?">Delete</button></td></tr>`,
          )}</tbody></table></section>`
        : ""
    }
    <section>
      <h2>Catalogue</h2>
      <div class="cards">${view.catalogue.map(
        (entry) => html`<div class="card"><strong class="small">${entry.name}</strong>
          <span class="hint"><code>${entry.id}/…</code> · ${entry.dialect}</span>
          <span class="hint">${entry.local ? "runs locally" : entry.needsApiKey ? "needs an API key" : "no key needed"} · ${entry.modelCount} known models</span></div>`,
      )}</div>
    </section>
  </div>`;
}

export function providersPage(view: ProvidersView) {
  return appLayout("Providers", "/dashboard/providers", providersSection(view));
}
