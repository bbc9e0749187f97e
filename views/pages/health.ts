import { html } from "../html.ts";
import { appLayout } from "../layout.ts";
import { formatDuration } from "./overview.ts";

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

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

export function healthPage(health: HealthView) {
  return appLayout(
    "Health",
    "/dashboard/health",
    html`<dl class="facts">
      <dt>Status</dt><dd>${health.status}</dd>
      <dt>Version</dt><dd>${health.version} (${health.runtime})</dd>
      <dt>Uptime</dt><dd>${formatDuration(health.uptimeSeconds)}</dd>
      <dt>Database</dt><dd>${health.database.reachable ? "reachable" : "unreachable"} · schema v${health.schemaVersion} · <code>${health.database.path}</code></dd>
      <dt>Memory</dt><dd>RSS ${mb(health.memory.rssBytes)} · heap ${mb(health.memory.heapUsedBytes)}</dd>
      <dt>Active requests</dt><dd>${health.activeRequests}</dd>
    </dl>`,
  );
}
