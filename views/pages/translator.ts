import { formAlert, problemAt, selectField } from "../forms.ts";
import { type Html, html } from "../html.ts";
import { appLayout } from "../layout.ts";
import type { FormState } from "./providers.ts";

export interface TranslatorView {
  dialects: readonly string[];
  form?: FormState;
}

/** What a translate or send answered: a body to show, or why there is none. */
export interface TranslatorResult {
  title: string;
  status?: number;
  text?: string;
  error?: string;
}

export function translatorResult(result: TranslatorResult): Html {
  return html`<section id="translator-result" class="panel stack" aria-live="polite" aria-labelledby="translator-result-title">
    <h2 id="translator-result-title">${result.title}${result.status ? html` <span class="state state-${result.status < 400 ? "ok" : "bad"}">${result.status}</span>` : ""}</h2>
    ${formAlert(result.error)}
    ${result.text ? html`<pre><code>${result.text}</code></pre>` : ""}
  </section>`;
}

export function translatorForm(view: TranslatorView): Html {
  const values = view.form?.values ?? {};
  const problems = view.form?.problems ?? [];
  const choices = view.dialects.map((dialect) => ({ value: dialect, label: dialect }));
  const bodyError = problemAt(problems, "body");
  return html`<form id="translator-form" class="panel stack" hx-post="/dashboard/translator/translate" hx-target="#translator-result" hx-swap="outerHTML">
    <div class="grid">
      ${selectField({ id: "source-format", name: "sourceFormat", label: "From", selected: values.sourceFormat ?? "", choices: [{ value: "", label: "detect" }, ...choices], error: problemAt(problems, "sourceFormat") })}
      ${selectField({ id: "target-format", name: "targetFormat", label: "To", selected: values.targetFormat ?? "anthropic", choices, error: problemAt(problems, "targetFormat") })}
    </div>
    <div class="field">
      <label for="translator-body">Request body (JSON)</label>
      <textarea id="translator-body" name="body" rows="12" required ${bodyError ? html`aria-invalid="true" aria-describedby="translator-body-error"` : ""}>${values.body ?? ""}</textarea>
      ${bodyError ? html`<small id="translator-body-error" class="error">${bodyError}</small>` : ""}
    </div>
    <div class="actions">
      <button type="submit">Translate<span class="htmx-indicator"> …</span></button>
      <button type="button" class="secondary" hx-post="/dashboard/translator/send" hx-target="#translator-result" hx-swap="outerHTML">Send through the gateway<span class="htmx-indicator"> …</span></button>
    </div>
    <p class="hint">Sending uses the body's own model and the routing of a real request; it shows up in the Logs.</p>
  </form>`;
}

export function translatorPage(view: TranslatorView) {
  return appLayout(
    "Translator",
    "/dashboard/translator",
    html`${translatorForm(view)}${translatorResult({ title: "Result", text: "" })}`,
  );
}
