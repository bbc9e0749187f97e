import { html } from "../html.ts";
import { appLayout } from "../layout.ts";

export interface OverviewFacts {
  version: string;
  uptimeSeconds: number;
  activeKeys: number;
  baseUrl: string;
}

export function overviewPage(facts: OverviewFacts) {
  return appLayout(
    "Overview",
    "/dashboard",
    html`<section class="cards">
        <div class="card"><span class="label">Version</span><strong>${facts.version}</strong></div>
        <div class="card"><span class="label">Up for</span><strong>${formatDuration(facts.uptimeSeconds)}</strong></div>
        <div class="card"><span class="label">API keys</span><strong>${facts.activeKeys}</strong></div>
      </section>
      <section>
        <h2>Connect your tools</h2>
        <p>Point any OpenAI-, Anthropic-, Gemini- or Ollama-compatible tool at this base URL with a key from
          <a href="/dashboard/keys">API keys</a>:</p>
        <pre><code>${facts.baseUrl}/v1</code></pre>
      </section>`,
  );
}

export function formatDuration(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  return `${minutes}m ${Math.floor(seconds % 60)}s`;
}
