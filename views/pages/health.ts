import { formatBytes, formatDuration, formatTime } from "../format.ts";
import { html } from "../html.ts";
import { appLayout } from "../layout.ts";
import { type ConnectionHealth, connectionState } from "./providers.ts";

export interface HealthView {
  status: string;
  version: string;
  uptimeSeconds: number;
  schemaVersion: number;
  database: { reachable: boolean; path: string };
  memory: { rssBytes: number; heapUsedBytes: number };
  activeRequests: number;
  runtime: string;
}

export interface ResilienceView {
  providerBreakers: Array<{ provider: string; state: string; openedAt: string | null }>;
  connections: ConnectionHealth[];
}

/** Breakers, cooldowns and rate-limit windows, swapped whole after a reset. */
export function resilienceSection(view: ResilienceView, resetDone = false) {
  const cooling = view.connections.flatMap((connection) =>
    connection.health.cooldowns.map((cooldown) => ({ connection: connection.name, ...cooldown })),
  );
  return html`<section id="resilience" aria-labelledby="resilience-title">
    <div class="row"><h2 id="resilience-title">Breakers and cooldowns</h2>
      <button type="button" class="danger" hx-post="/dashboard/health/reset" hx-target="#resilience" hx-swap="outerHTML"
        hx-confirm="Close every breaker and clear every cooldown? Failing upstreams get traffic again at once.">Reset all</button></div>
    ${resetDone ? html`<p role="status" class="ok">Every breaker is closed and every cooldown cleared.</p>` : ""}
    <div class="scroll"><table>
      <thead><tr><th>Connection</th><th>State</th><th>Breaker</th><th>In flight</th><th>Last minute</th><th>Limits</th></tr></thead>
      <tbody>${view.connections.map((connection) => {
        const { limits } = connection.health;
        return html`<tr><td>${connection.name} <span class="hint">${connection.providerName}</span></td>
          <td><span class="state state-${connectionState(connection).tone}">${connectionState(connection).label}</span></td>
          <td>${connection.health.breaker.state}${connection.health.breaker.openedAt ? ` since ${formatTime(connection.health.breaker.openedAt, true)}` : ""}</td>
          <td>${connection.health.inFlight}</td><td>${connection.health.requestsLastMinute}</td>
          <td>${limits.requestsPerMinute ? `${limits.requestsPerMinute}/min` : "no rate limit"} · ${limits.concurrency ? `${limits.concurrency} at once` : "no concurrency limit"}</td></tr>`;
      })}</tbody>
    </table></div>
    ${view.connections.length === 0 ? html`<p class="empty">No connections yet.</p>` : ""}
    <h3>Provider breakers</h3>
    ${
      view.providerBreakers.length === 0
        ? html`<p class="empty">No provider has had traffic yet.</p>`
        : html`<ul class="health-list">${view.providerBreakers.map(
            (breaker) =>
              html`<li><code>${breaker.provider}</code> ${breaker.state}${breaker.openedAt ? ` since ${formatTime(breaker.openedAt, true)} UTC` : ""}</li>`,
          )}</ul>`
    }
    <h3>Cooldowns</h3>
    ${
      cooling.length === 0
        ? html`<p class="empty">Nothing is cooling down.</p>`
        : html`<ul class="health-list">${cooling.map(
            (cooldown) =>
              html`<li>${cooldown.connection} <code>${cooldown.model ?? ""}</code> until ${formatTime(cooldown.until, true)} UTC: ${cooldown.reason}</li>`,
          )}</ul>`
    }
  </section>`;
}

export function healthPage(health: HealthView, resilience: ResilienceView) {
  return appLayout(
    "Health",
    "/dashboard/health",
    html`<dl class="facts">
      <dt>Status</dt><dd>${health.status}</dd>
      <dt>Version</dt><dd>${health.version} (${health.runtime})</dd>
      <dt>Uptime</dt><dd>${formatDuration(health.uptimeSeconds)}</dd>
      <dt>Database</dt><dd>${health.database.reachable ? "reachable" : "unreachable"} · schema v${health.schemaVersion} · <code>${health.database.path}</code></dd>
      <dt>Memory</dt><dd>RSS ${formatBytes(health.memory.rssBytes)} · heap ${formatBytes(health.memory.heapUsedBytes)}</dd>
      <dt>Active requests</dt><dd>${health.activeRequests}</dd>
    </dl>
    ${resilienceSection(resilience)}`,
  );
}
