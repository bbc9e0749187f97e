import { formatCount, formatMs, formatTime, formatUsd } from "../format.ts";
import { selectField } from "../forms.ts";
import { type Html, html } from "../html.ts";
import { appLayout } from "../layout.ts";

/** One request in the log, as the table shows it. */
export interface LogRowView {
  id: number;
  startedAt: number;
  keyLabel: string;
  clientDialect: string;
  requestedModel: string;
  provider: string | null;
  model: string | null;
  status: number;
  latencyMs: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
}

export interface LogFilterView {
  status?: string;
  provider?: string;
  model?: string;
  apiKeyId?: string;
}

export interface LogsView {
  rows: LogRowView[];
  filter: LogFilterView;
  keys: Array<{ id: string; label: string }>;
  /** The query string of the filter, for the live stream and the next page. */
  query: string;
  hasMore: boolean;
}

export function logRow(row: LogRowView): Html {
  const tokens = row.inputTokens === null ? null : row.inputTokens + (row.outputTokens ?? 0);
  return html`<tr id="log-${row.id}">
    <td>${formatTime(row.startedAt, true)}</td>
    <td>${row.keyLabel}</td>
    <td>${row.clientDialect}</td>
    <td><code>${row.requestedModel}</code>${row.provider ? html`<br /><span class="hint">${row.provider}/${row.model ?? "?"}</span>` : ""}</td>
    <td><span class="state state-${row.status < 400 ? "ok" : "bad"}">${row.status}</span></td>
    <td>${formatMs(row.latencyMs)}</td>
    <td>${formatCount(tokens)}</td>
    <td>${formatUsd(row.costUsd)}</td>
    <td><a href="/dashboard/logs/${row.id}">Details<span class="visually-hidden"> of request ${row.id}</span></a></td>
  </tr>`;
}

export function logsPage(view: LogsView) {
  const { filter } = view;
  return appLayout(
    "Logs",
    "/dashboard/logs",
    html`<form class="panel filters" method="get" action="/dashboard/logs">
        ${selectField({
          id: "filter-status",
          name: "status",
          label: "Status",
          selected: filter.status ?? "",
          choices: [
            { value: "", label: "all" },
            { value: "success", label: "successes" },
            { value: "error", label: "errors" },
          ],
        })}
        ${selectField({
          id: "filter-key",
          name: "apiKeyId",
          label: "Key",
          selected: filter.apiKeyId ?? "",
          choices: [
            { value: "", label: "all keys" },
            ...view.keys.map((key) => ({ value: key.id, label: key.label })),
          ],
        })}
        <div class="field"><label for="filter-provider">Provider</label><input id="filter-provider" name="provider" value="${filter.provider ?? ""}" /></div>
        <div class="field"><label for="filter-model">Model</label><input id="filter-model" name="model" value="${filter.model ?? ""}" /></div>
        <button type="submit">Filter</button>
      </form>
      <p class="hint" id="live-note">New requests appear at the top as they finish.</p>
      <div class="scroll"><table aria-describedby="live-note">
        <thead><tr><th>Time (UTC)</th><th>Key</th><th>Client</th><th>Model</th><th>Status</th><th>Latency</th><th>Tokens</th><th>Cost</th><th></th></tr></thead>
        <tbody id="log-rows" aria-live="polite" hx-sse:connect="/dashboard/logs/stream${view.query}" hx-swap="afterbegin">
          ${view.rows.map(logRow)}
        </tbody>
      </table></div>
      ${view.rows.length === 0 ? html`<p class="empty">No requests yet. Call the API with a key and watch them arrive.</p>` : ""}
      ${view.hasMore ? html`<p class="hint">Showing the newest ${view.rows.length}; narrow the filters to see older ones.</p>` : ""}`,
  );
}

export interface AttemptView {
  attempt: number;
  provider: string;
  connectionName: string;
  model: string;
  status: number | null;
  failure: string | null;
  error: string | null;
  latencyMs: number;
}

export interface LogDetailView {
  row: LogRowView & {
    requestId: string;
    stream: boolean;
    errorType: string | null;
    errorMessage: string | null;
    ttfbMs: number | null;
    overheadMs: number | null;
    cachedInputTokens: number | null;
    reasoningTokens: number | null;
    estimated: boolean;
    combo: string | null;
    images: number | null;
    characters: number | null;
    audioSeconds: number | null;
    searches: number | null;
  };
  attempts: AttemptView[];
  /** Undefined when no call log was kept (no-log key, call logs off, or pruned). */
  bodies?: Array<{ title: string; text: string | null }>;
  truncated: boolean;
}

/** What a call beyond chat was billed by besides tokens, as "2 images · 12.5 s of audio"; "" when nothing. */
function unitsText(row: LogDetailView["row"]): string {
  return [
    row.images !== null ? `${formatCount(row.images)} image${row.images === 1 ? "" : "s"}` : "",
    row.characters !== null ? `${formatCount(row.characters)} characters` : "",
    row.audioSeconds !== null ? `${row.audioSeconds} s of audio` : "",
    row.searches !== null ? `${formatCount(row.searches)} search${row.searches === 1 ? "" : "es"}` : "",
  ]
    .filter(Boolean)
    .join(" · ");
}

export function logDetailPage(view: LogDetailView) {
  const { row } = view;
  return appLayout(
    `Request ${row.id}`,
    "/dashboard/logs",
    html`<p><a href="/dashboard/logs">← All requests</a></p>
      <dl class="facts">
        <dt>When</dt><dd>${formatTime(row.startedAt, true)} UTC</dd>
        <dt>Request id</dt><dd><code>${row.requestId}</code></dd>
        <dt>Key</dt><dd>${row.keyLabel}</dd>
        <dt>Client</dt><dd>${row.clientDialect}${row.stream ? " · streamed" : ""}</dd>
        <dt>Model</dt><dd><code>${row.requestedModel}</code>${row.combo ? ` (combo ${row.combo})` : ""}${row.provider ? html` → <code>${row.provider}/${row.model ?? "?"}</code>` : ""}</dd>
        <dt>Status</dt><dd><span class="state state-${row.status < 400 ? "ok" : "bad"}">${row.status}</span>${row.errorType ? ` ${row.errorType}` : ""}${row.errorMessage ? `: ${row.errorMessage}` : ""}</dd>
        <dt>Timing</dt><dd>${formatMs(row.latencyMs)} total · first byte ${formatMs(row.ttfbMs)} · gateway ${formatMs(row.overheadMs)}</dd>
        <dt>Tokens</dt><dd>${formatCount(row.inputTokens)} in (${formatCount(row.cachedInputTokens)} cached) · ${formatCount(row.outputTokens)} out (${formatCount(row.reasoningTokens)} reasoning)${row.estimated ? " · estimated" : ""}</dd>
        ${unitsText(row) ? html`<dt>Billed by</dt><dd>${unitsText(row)}</dd>` : ""}
        <dt>Cost</dt><dd>${formatUsd(row.costUsd)}</dd>
      </dl>
      <h2>Attempts</h2>
      ${
        view.attempts.length === 0
          ? html`<p class="empty">No upstream was tried.</p>`
          : html`<ol class="attempts">${view.attempts.map(
              (
                attempt,
              ) => html`<li><span class="state state-${attempt.failure ? "bad" : "ok"}">${attempt.status ?? attempt.failure ?? "?"}</span>
                <code>${attempt.provider}/${attempt.model}</code> via ${attempt.connectionName} · ${formatMs(attempt.latencyMs)}
                ${attempt.failure ? html`<br /><span class="error">${attempt.failure}${attempt.error ? `: ${attempt.error}` : ""}</span>` : ""}</li>`,
            )}</ol>`
      }
      <h2>Bodies</h2>
      ${
        view.bodies === undefined
          ? html`<p class="empty">No bodies were kept for this request (no-log key, call logs off, or pruned).</p>`
          : html`${view.truncated ? html`<p class="hint">Bodies were cut at the configured size.</p>` : ""}${view.bodies.map(
              (body) =>
                html`<details open><summary>${body.title}</summary>${body.text === null ? html`<p class="empty">none</p>` : html`<pre><code>${body.text}</code></pre>`}</details>`,
            )}`
      }`,
  );
}
