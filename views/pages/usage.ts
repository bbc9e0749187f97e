import { barChart } from "../chart.ts";
import { formatCount, formatMs, formatShare, formatUsd } from "../format.ts";
import { html } from "../html.ts";
import { appLayout } from "../layout.ts";

export interface UsagePoint {
  label: string;
  requests: number;
  tokens: number;
  costUsd: number;
}

export interface UsageGroup {
  name: string;
  requests: number;
  tokens: number;
  costUsd: number;
  successRate: number | null;
  avgLatencyMs: number | null;
}

export const USAGE_GROUPS = {
  model: "Model",
  provider: "Provider",
  apiKey: "Key",
  connection: "Connection",
} as const;
export type UsageGroupBy = keyof typeof USAGE_GROUPS;

export interface UsageView {
  range: string;
  ranges: readonly string[];
  by: UsageGroupBy;
  points: UsagePoint[];
  groups: UsageGroup[];
  totals: { requests: number; tokens: number; costUsd: number; successRate: number | null };
}

export function usagePage(view: UsageView) {
  const link = (range: string, by: UsageGroupBy) => `/dashboard/usage?range=${range}&by=${by}`;
  return appLayout(
    "Usage",
    "/dashboard/usage",
    html`<nav class="tabs" aria-label="Range">${view.ranges.map(
      (range) =>
        html`<a href="${link(range, view.by)}" ${range === view.range ? html`aria-current="true"` : ""}>${range}</a>`,
    )}</nav>
      <section class="cards" aria-label="Totals">
        <div class="card"><span class="label">Requests</span><strong>${formatCount(view.totals.requests)}</strong></div>
        <div class="card"><span class="label">Tokens</span><strong>${formatCount(view.totals.tokens)}</strong></div>
        <div class="card"><span class="label">Cost</span><strong>${formatUsd(view.totals.costUsd)}</strong></div>
        <div class="card"><span class="label">Success rate</span><strong>${formatShare(view.totals.successRate)}</strong></div>
      </section>
      <div class="grid">
        ${barChart(
          "Requests",
          view.points.map((point) => ({ label: point.label, value: point.requests })),
          formatCount,
        )}
        ${barChart(
          "Tokens",
          view.points.map((point) => ({ label: point.label, value: point.tokens })),
          formatCount,
        )}
        ${barChart(
          "Cost",
          view.points.map((point) => ({ label: point.label, value: point.costUsd })),
          formatUsd,
        )}
      </div>
      <h2>By ${USAGE_GROUPS[view.by].toLowerCase()}</h2>
      <nav class="tabs" aria-label="Group by">${Object.entries(USAGE_GROUPS).map(
        ([by, label]) =>
          html`<a href="${link(view.range, by as UsageGroupBy)}" ${by === view.by ? html`aria-current="true"` : ""}>${label}</a>`,
      )}</nav>
      ${
        view.groups.length === 0
          ? html`<p class="empty">No requests in this range.</p>`
          : html`<div class="scroll"><table>
            <thead><tr><th>${USAGE_GROUPS[view.by]}</th><th>Requests</th><th>Tokens</th><th>Cost</th><th>Success</th><th>Avg latency</th></tr></thead>
            <tbody>${view.groups.map(
              (
                group,
              ) => html`<tr><td>${group.name}</td><td>${formatCount(group.requests)}</td><td>${formatCount(group.tokens)}</td>
                <td>${formatUsd(group.costUsd)}</td><td>${formatShare(group.successRate)}</td><td>${formatMs(group.avgLatencyMs)}</td></tr>`,
            )}</tbody></table></div>`
      }`,
  );
}
