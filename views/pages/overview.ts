import { barChart } from "../chart.ts";
import { formatCount, formatDuration, formatShare, formatUsd } from "../format.ts";
import { copyable } from "../forms.ts";
import { type Html, html } from "../html.ts";
import { appLayout } from "../layout.ts";
import { type ConnectionHealth, connectionState } from "./providers.ts";

export interface OverviewFacts {
  version: string;
  uptimeSeconds: number;
  baseUrl: string;
  today: {
    requests: number;
    inputTokens: number;
    outputTokens: number;
    costUsd: number;
    successRate: number | null;
  };
  /** Requests per hour over the last 24 hours, oldest first. */
  hourly: Array<{ at: number; requests: number }>;
  connections: ConnectionHealth[];
}

export function overviewPage(facts: OverviewFacts) {
  const { today } = facts;
  return appLayout(
    "Overview",
    "/dashboard",
    html`<section class="cards" aria-label="Today">
        <div class="card"><span class="label">Requests today</span><strong>${formatCount(today.requests)}</strong></div>
        <div class="card"><span class="label">Tokens today</span><strong>${formatCount(today.inputTokens + today.outputTokens)}</strong></div>
        <div class="card"><span class="label">Cost today</span><strong>${formatUsd(today.costUsd)}</strong></div>
        <div class="card"><span class="label">Success rate</span><strong>${formatShare(today.successRate)}</strong></div>
        <div class="card"><span class="label">Up for</span><strong>${formatDuration(facts.uptimeSeconds)}</strong><span class="hint">v${facts.version}</span></div>
      </section>
      ${barChart(
        "Requests per hour, last 24 hours",
        facts.hourly.map((point) => ({
          label: `${new Date(point.at).toISOString().slice(11, 16)} UTC`,
          value: point.requests,
        })),
        formatCount,
      )}
      <section>
        <h2>Providers</h2>
        ${
          facts.connections.length === 0
            ? html`<p class="empty">No connections yet. <a href="/dashboard/providers">Add a provider</a> to start routing.</p>`
            : html`<ul class="health-list">${facts.connections.map(
                (connection) =>
                  html`<li><span class="state state-${connectionState(connection).tone}">${connectionState(connection).label}</span>
                    ${connection.name} <span class="hint">${connection.providerName}</span></li>`,
              )}</ul>`
        }
      </section>
      ${connectPanel(facts.baseUrl)}`,
  );
}

function connectPanel(baseUrl: string): Html {
  const key = "sk-sy-…your key…";
  const snippets: Array<{ id: string; title: string; text: string }> = [
    {
      id: "snippet-curl",
      title: "curl",
      text: `curl ${baseUrl}/v1/chat/completions \\
  -H "Authorization: Bearer ${key}" \\
  -H "Content-Type: application/json" \\
  -d '{"model": "openai/gpt-4.1-mini", "messages": [{"role": "user", "content": "Hello"}]}'`,
    },
    {
      id: "snippet-openai",
      title: "OpenAI SDK (Python)",
      text: `from openai import OpenAI
client = OpenAI(base_url="${baseUrl}/v1", api_key="${key}")`,
    },
    {
      id: "snippet-anthropic",
      title: "Anthropic SDK (Python)",
      text: `import anthropic
client = anthropic.Anthropic(base_url="${baseUrl}", api_key="${key}")`,
    },
    {
      id: "snippet-gemini",
      title: "Gemini SDK (Python)",
      text: `from google import genai
client = genai.Client(api_key="${key}", http_options={"base_url": "${baseUrl}"})`,
    },
    {
      id: "snippet-claude-code",
      title: "Claude Code",
      text: `export ANTHROPIC_BASE_URL=${baseUrl}
export ANTHROPIC_AUTH_TOKEN=${key}
claude`,
    },
    {
      id: "snippet-codex",
      title: "Codex CLI (~/.codex/config.toml)",
      text: `model_provider = "switchyard"

[model_providers.switchyard]
name = "Switchyard"
base_url = "${baseUrl}/v1"
env_key = "SWITCHYARD_API_KEY"
wire_api = "responses"`,
    },
    {
      id: "snippet-ollama",
      title: "Open WebUI and Ollama clients",
      text: `Ollama API URL: ${baseUrl}
OpenAI API URL: ${baseUrl}/v1   (key: ${key})`,
    },
  ];
  return html`<section>
    <h2>Connect your tools</h2>
    <p>Point any OpenAI-, Anthropic-, Gemini- or Ollama-compatible tool at this server with a key from
      <a href="/dashboard/keys">API keys</a>. Claude Code, Codex and other coding tools on this machine
      can be set up in one step on the <a href="/dashboard/tools">Tools</a> page.</p>
    ${copyable("base-url", `${baseUrl}/v1`)}
    <div class="snippets">${snippets.map(
      (snippet) =>
        html`<details><summary>${snippet.title}</summary>${copyable(snippet.id, snippet.text, true)}</details>`,
    )}</div>
  </section>`;
}
