/**
 * The Tools page: each coding tool on the server's machine, whether it is installed and how it is
 * set up, a form to point it at Switchyard (or take Switchyard out), the files to write by hand on
 * another machine, and the backups of its files with a restore.
 */
import { formatTime } from "../format.ts";
import { copyable, field, formAlert, problemAt } from "../forms.ts";
import { type Html, html } from "../html.ts";
import { appLayout } from "../layout.ts";
import type { FormState } from "./providers.ts";

export interface ToolView {
  tool: string;
  name: string;
  needsModel: boolean;
  installed: boolean;
  command: string | null;
  version: string | null;
  configured: boolean;
  baseUrl: string | null;
  model: string | null;
  keyPreview: string | null;
  files: Array<{ path: string; exists: boolean }>;
  /** The tool's config cannot be read: why (nothing is written until it is fixed). */
  unreadable?: string;
  guide: Array<{ path: string; content: string }>;
}

export interface ToolBackupView {
  id: string;
  tool: string;
  createdAt: string;
  reason: string;
  files: Array<{ path: string; existed: boolean }>;
}

function status(view: ToolView): Html {
  if (view.unreadable) return html`<span class="state state-bad">config unreadable</span>`;
  if (view.configured) return html`<span class="state state-ok">uses Switchyard</span>`;
  return html`<span class="state state-warn">not set up</span>`;
}

/** One tool, swapped whole after a change. */
export function toolCard(view: ToolView, form?: FormState & { done?: string }): Html {
  const id = `tool-${view.tool}`;
  const values = form?.values ?? { model: view.model ?? "" };
  const problems = form?.problems ?? [];
  return html`<article class="panel" id="${id}" aria-labelledby="${id}-name">
    <div class="row"><h2 id="${id}-name">${view.name}</h2> ${status(view)}</div>
    <dl class="facts">
      <dt>Installed</dt><dd>${view.installed ? html`${view.version ?? "yes"} <code>${view.command ?? ""}</code>` : "not found on this machine"}</dd>
      <dt>Config</dt><dd>${view.files.map((file) => html`<code>${file.path}</code>${file.exists ? "" : " (not there yet)"} `)}</dd>
      ${view.configured ? html`<dt>Points at</dt><dd><code>${view.baseUrl ?? ""}</code> · model <code>${view.model ?? "its default"}</code> · key …${view.keyPreview ?? ""}</dd>` : ""}
    </dl>
    ${view.unreadable ? html`<p class="error" role="alert">${view.unreadable}</p>` : ""}
    ${form?.done ? html`<p role="status" class="ok">${form.done}</p>` : ""}
    ${formAlert(form?.message)}
    <form hx-post="/dashboard/tools/${view.tool}" hx-target="#${id}" hx-swap="outerHTML">
      ${field({
        id: `${id}-model`,
        name: "model",
        label: "Model",
        value: values.model ?? "",
        required: view.needsModel,
        placeholder: "anthropic/claude-sonnet-4-6, a combo or an alias",
        ...(view.needsModel ? {} : { hint: "Optional: without one the tool keeps its own default" }),
        ...(problemAt(problems, "model") ? { error: problemAt(problems, "model")! } : {}),
      })}
      ${
        view.tool === "claude"
          ? field({
              id: `${id}-small-model`,
              name: "smallModel",
              label: "Model for quick background work",
              value: values.smallModel ?? "",
              hint: "Optional (ANTHROPIC_DEFAULT_HAIKU_MODEL)",
            })
          : ""
      }
      <button type="submit">${view.configured ? "Set up again" : "Set up"}</button>
      <p class="hint">A new API key is made for the tool and written into its config, with everything else in the file kept. A backup of the file is taken first.</p>
    </form>
    ${
      view.configured
        ? html`<button type="button" class="danger" hx-delete="/dashboard/tools/${view.tool}" hx-target="#${id}" hx-swap="outerHTML"
            hx-confirm="Take Switchyard out of ${view.name}'s config? Its other settings stay; a backup is taken first.">Remove Switchyard</button>`
        : ""
    }
    <details><summary>Set it up by hand on another machine</summary>
      ${view.guide.map((file, index) => html`<p><code>${file.path}</code></p>${copyable(`${id}-guide-${index}`, file.content, true)}`)}
    </details>
  </article>`;
}

/**
 * The backups of the tools' files, swapped whole after a restore, and out of band (`oob`) after
 * a change to a tool, which takes a backup.
 */
export function toolBackupsSection(
  backups: readonly ToolBackupView[],
  options: { restored?: string; message?: string; oob?: boolean } = {},
): Html {
  const { restored, message, oob } = options;
  return html`<section id="tool-backups" aria-labelledby="tool-backups-title" ${oob ? html`hx-swap-oob="true"` : ""}>
    <h2 id="tool-backups-title">Backups of the tools' files</h2>
    ${restored ? html`<p role="status" class="ok">${restored}</p>` : ""}
    ${formAlert(message)}
    ${
      backups.length === 0
        ? html`<p class="empty">No backups yet: one is taken before every change.</p>`
        : html`<div class="scroll"><table>
      <thead><tr><th>Taken (UTC)</th><th>Tool</th><th>Why</th><th>Files</th><th></th></tr></thead>
      <tbody>${backups.map(
        (
          backup,
        ) => html`<tr><td>${formatTime(backup.createdAt, true)}</td><td>${backup.tool}</td><td>${backup.reason}</td>
          <td>${backup.files.map((file) => html`<code>${file.path}</code>${file.existed ? "" : " (absent)"} `)}</td>
          <td><button type="button" class="secondary" hx-post="/dashboard/tools/backups/${backup.id}/restore" hx-target="#tool-backups" hx-swap="outerHTML"
            hx-confirm="Put ${backup.tool}'s files back as they were then? How they are now is backed up first.">Restore</button></td></tr>`,
      )}</tbody>
    </table></div>`
    }
  </section>`;
}

export function toolsPage(tools: readonly ToolView[], backups: readonly ToolBackupView[]): Html {
  return appLayout(
    "Tools",
    "/dashboard/tools",
    html`<p class="hint">The coding tools on the machine Switchyard runs on. Setting one up writes its own config file to use Switchyard; on another machine, write the files under "Set it up by hand".</p>
    ${tools.map((view) => toolCard(view))}
    ${toolBackupsSection(backups)}`,
  );
}
