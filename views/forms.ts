/**
 * Form fields with their label, hint and error next to them, tied together by id so screen
 * readers announce them. Field names and ids follow the management API's field paths.
 */
import type { FieldProblem } from "../src/admin/errors.ts";
import { type Html, html } from "./html.ts";

export interface FieldOptions {
  /** Unique within the page; the input's id. */
  id: string;
  name: string;
  label: string;
  type?: string;
  value?: string | number | null;
  required?: boolean;
  placeholder?: string;
  hint?: string;
  error?: string;
  autocomplete?: string;
  min?: number;
  step?: string;
}

export function field(options: FieldOptions): Html {
  const hintId = `${options.id}-hint`;
  const errorId = `${options.id}-error`;
  const described = [options.hint ? hintId : "", options.error ? errorId : ""].filter(Boolean).join(" ");
  return html`<div class="field">
    <label for="${options.id}">${options.label}</label>
    <input id="${options.id}" name="${options.name}" type="${options.type ?? "text"}"
      ${options.value !== undefined && options.value !== null ? html`value="${options.value}"` : ""}
      ${options.required ? html`required` : ""} ${options.placeholder ? html`placeholder="${options.placeholder}"` : ""}
      ${options.autocomplete ? html`autocomplete="${options.autocomplete}"` : ""}
      ${options.min !== undefined ? html`min="${options.min}"` : ""} ${options.step ? html`step="${options.step}"` : ""}
      ${described ? html`aria-describedby="${described}"` : ""} ${options.error ? html`aria-invalid="true"` : ""} />
    ${options.hint ? html`<small id="${hintId}" class="hint">${options.hint}</small>` : ""}
    ${options.error ? html`<small id="${errorId}" class="error">${options.error}</small>` : ""}
  </div>`;
}

export function selectField(options: {
  id: string;
  name: string;
  label: string;
  choices: ReadonlyArray<{ value: string; label: string }>;
  selected?: string;
  error?: string;
}): Html {
  const errorId = `${options.id}-error`;
  return html`<div class="field">
    <label for="${options.id}">${options.label}</label>
    <select id="${options.id}" name="${options.name}" ${options.error ? html`aria-invalid="true" aria-describedby="${errorId}"` : ""}>
      ${options.choices.map(
        (choice) =>
          html`<option value="${choice.value}" ${choice.value === options.selected ? html`selected` : ""}>${choice.label}</option>`,
      )}
    </select>
    ${options.error ? html`<small id="${errorId}" class="error">${options.error}</small>` : ""}
  </div>`;
}

/** The problem reported for a field (or any of its sub-fields), for showing next to it. */
export function problemAt(problems: readonly FieldProblem[], fieldPath: string): string | undefined {
  return problems.find((problem) => problem.field === fieldPath || problem.field.startsWith(`${fieldPath}.`))
    ?.message;
}

/** A refusal that names no field of the form, shown above it. */
export function formAlert(message: string | undefined): Html {
  return message ? html`<p class="error" role="alert">${message}</p>` : html``;
}

/** A copy-ready value with its copy button (static/app.js does the copying). */
export function copyable(id: string, text: string, block = false): Html {
  return html`<div class="copy-row">${
    block ? html`<pre><code id="${id}">${text}</code></pre>` : html`<code id="${id}">${text}</code>`
  }<button type="button" class="secondary" data-copy="${id}">Copy</button></div>`;
}

/** A multi-line text field with its label, hint and error, tied together like `field`. */
export function textareaField(options: {
  id: string;
  name: string;
  label: string;
  value?: string;
  rows?: number;
  placeholder?: string;
  hint?: string;
  error?: string;
}): Html {
  const hintId = `${options.id}-hint`;
  const errorId = `${options.id}-error`;
  const described = [options.hint ? hintId : "", options.error ? errorId : ""].filter(Boolean).join(" ");
  return html`<div class="field">
    <label for="${options.id}">${options.label}</label>
    <textarea id="${options.id}" name="${options.name}" rows="${options.rows ?? 4}"
      ${options.placeholder ? html`placeholder="${options.placeholder}"` : ""}
      ${described ? html`aria-describedby="${described}"` : ""} ${options.error ? html`aria-invalid="true"` : ""}>${options.value ?? ""}</textarea>
    ${options.hint ? html`<small id="${hintId}" class="hint">${options.hint}</small>` : ""}
    ${options.error ? html`<small id="${errorId}" class="error">${options.error}</small>` : ""}
  </div>`;
}

/** A checkbox posting "1" when ticked, its label beside it. */
export function checkField(options: { name: string; label: string; checked: boolean }): Html {
  return html`<label class="check"><input type="checkbox" name="${options.name}" value="1" ${options.checked ? html`checked` : ""} /> ${options.label}</label>`;
}

/**
 * The problem reported for an entry of a one-per-line list (the API names it `field[index]`),
 * with its position in the list.
 */
export function listProblemAt(problems: readonly FieldProblem[], fieldPath: string): string | undefined {
  for (const problem of problems) {
    if (problem.field === fieldPath) return problem.message;
    const index = problem.field.match(/^(.+)\[(\d+)\]$/);
    if (index?.[1] === fieldPath) return `Entry ${Number(index[2]) + 1}: ${problem.message}`;
  }
  return undefined;
}
