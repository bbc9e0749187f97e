import { formatMs, formatShare } from "../format.ts";
import { field, formAlert, problemAt, selectField } from "../forms.ts";
import { type Html, html } from "../html.ts";
import { appLayout } from "../layout.ts";
import type { FormState } from "./providers.ts";

interface Metrics {
  requests: number;
  successRate: number | null;
  fallbacks: number;
  latencyMs: { p50: number | null; p95: number | null };
}

export interface ComboView {
  id: string;
  name: string;
  strategy: string;
  steps: Array<{ model: string | null; connectionName: string | null; weight: number }>;
  metrics: Metrics & { steps: Metrics[] };
}

export interface StepTest {
  step: number;
  model?: string;
  provider?: string;
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error: string | null;
}

export interface CombosView {
  combos: ComboView[];
  strategies: readonly string[];
}

/** Steps as the form writes them: one per line, the model string and an optional weight. */
export function stepsText(combo: ComboView): string {
  return combo.steps
    .map((step) => (step.weight === 1 ? (step.model ?? "") : `${step.model ?? ""} ${step.weight}`))
    .join("\n");
}

export function comboForm(view: CombosView, options: { combo?: ComboView; form?: FormState }): Html {
  const { combo, form } = options;
  const problems = form?.problems ?? [];
  const prefix = combo ? `combo-${combo.id}` : "new-combo";
  const values =
    form?.values ?? (combo ? { name: combo.name, strategy: combo.strategy, steps: stepsText(combo) } : {});
  const stepsError = problemAt(problems, "models") ?? problemAt(problems, "steps");
  return html`<form id="${prefix}-form" class="panel stack" hx-post="${combo ? `/dashboard/combos/${combo.id}` : "/dashboard/combos"}"
      hx-target="#combos" hx-swap="outerHTML">
    <h2>${combo ? `Edit ${combo.name}` : "Create a combo"}</h2>
    ${formAlert(problems.length === 0 ? form?.message : undefined)}
    ${field({ id: `${prefix}-name`, name: "name", label: "Name", value: values.name, required: true, hint: "Clients use it as the model.", error: problemAt(problems, "name") })}
    ${selectField({ id: `${prefix}-strategy`, name: "strategy", label: "Strategy", selected: values.strategy ?? "priority", choices: view.strategies.map((strategy) => ({ value: strategy, label: strategy })), error: problemAt(problems, "strategy") })}
    <div class="field">
      <label for="${prefix}-steps">Steps, in order</label>
      <textarea id="${prefix}-steps" name="steps" rows="4" required aria-describedby="${prefix}-steps-hint${stepsError ? ` ${prefix}-steps-error` : ""}"
        ${stepsError ? html`aria-invalid="true"` : ""}>${values.steps ?? ""}</textarea>
      <small id="${prefix}-steps-hint" class="hint">One per line: a model string (provider/model, an alias or another combo's name) and an optional weight, e.g. <code>openai/gpt-4.1 2</code>.</small>
      ${stepsError ? html`<small id="${prefix}-steps-error" class="error">${stepsError}</small>` : ""}
    </div>
    <div class="actions"><button type="submit">${combo ? "Save" : "Create combo"}</button>
      ${combo ? html`<a href="/dashboard/combos">Cancel</a>` : ""}</div>
  </form>`;
}

function metricsText(metrics: Metrics): string {
  return `${metrics.requests} requests · ${formatShare(metrics.successRate)} ok · p50 ${formatMs(metrics.latencyMs.p50)}`;
}

export function comboCard(combo: ComboView, tests?: StepTest[]): Html {
  return html`<article class="panel" id="combo-${combo.id}" aria-labelledby="combo-${combo.id}-name">
    <header class="row"><h3 id="combo-${combo.id}-name"><code>${combo.name}</code></h3><span class="hint">${combo.strategy}</span></header>
    <p class="hint">${metricsText(combo.metrics)} · ${combo.metrics.fallbacks} fell back</p>
    <div class="scroll"><table>
      <thead><tr><th>#</th><th>Model</th><th>Weight</th><th>Metrics</th>${tests ? html`<th>Test</th>` : ""}</tr></thead>
      <tbody>${combo.steps.map((step, index) => {
        const test = tests?.find((result) => result.step === index);
        return html`<tr><td>${index + 1}</td>
          <td><code>${step.model ?? "(combo model)"}</code>${step.connectionName ? html`<br /><span class="hint">on ${step.connectionName}</span>` : ""}</td>
          <td>${step.weight}</td><td>${combo.metrics.steps[index] ? metricsText(combo.metrics.steps[index]) : "–"}</td>
          ${
            test
              ? html`<td role="status"><span class="state state-${test.ok ? "ok" : "bad"}">${test.ok ? "ok" : "failed"}</span>
                ${test.status ?? ""} ${formatMs(test.latencyMs)}${test.error ? html`<br /><span class="error">${test.error}</span>` : ""}</td>`
              : ""
          }</tr>`;
      })}</tbody>
    </table></div>
    <div class="actions">
      <button type="button" hx-post="/dashboard/combos/${combo.id}/test" hx-target="#combo-${combo.id}" hx-swap="outerHTML" hx-disable="this">Test<span class="htmx-indicator"> …</span></button>
      <button type="button" class="secondary" hx-get="/dashboard/combos/${combo.id}/edit" hx-target="#combo-${combo.id}" hx-swap="outerHTML">Edit</button>
      <button type="button" class="danger" hx-delete="/dashboard/combos/${combo.id}" hx-target="#combos" hx-swap="outerHTML"
        hx-confirm="Delete the combo ${combo.name}? Clients calling it get an unknown-model error.">Delete</button>
    </div>
  </article>`;
}

/** The whole section; a refused form is shown in place (a new combo's below, an edit in its card's place). */
export function combosSection(
  view: CombosView,
  refused: { form?: FormState; editing?: string; alert?: string } = {},
): Html {
  const { form, editing, alert } = refused;
  return html`<div id="combos">
    ${formAlert(alert)}
    ${
      view.combos.length === 0
        ? html`<p class="empty">No combos yet. A combo is a model name that tries several targets in order.</p>`
        : html`<div class="grid">${view.combos.map((combo) =>
            combo.id === editing ? comboForm(view, { combo, ...(form ? { form } : {}) }) : comboCard(combo),
          )}</div>`
    }
    ${comboForm(view, form && editing === undefined ? { form } : {})}
  </div>`;
}

export function combosPage(view: CombosView) {
  return appLayout("Combos", "/dashboard/combos", combosSection(view));
}
