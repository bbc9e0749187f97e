import { html } from "../html.ts";
import { appLayout } from "../layout.ts";

export interface KeyView {
  id: string;
  label: string;
  keyPreview: string;
  isAdmin: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** The keys section, swapped whole by htmx after a create or a revoke. */
export function keysSection(keys: KeyView[], created?: { label: string; secret: string }) {
  return html`<section id="keys">
    ${
      created
        ? html`<div class="notice" role="status">
          <p>Key <strong>${created.label}</strong> created. Copy it now: it is not shown again.</p>
          <div class="copy-row"><code id="new-key">${created.secret}</code>
            <button type="button" onclick="navigator.clipboard.writeText(document.getElementById('new-key').textContent)">Copy</button></div>
        </div>`
        : ""
    }
    <form class="inline" hx-post="/dashboard/keys" hx-target="#keys" hx-swap="outerHTML">
      <label for="label">Name</label>
      <input id="label" name="label" required maxlength="100" placeholder="e.g. laptop" />
      <label class="check"><input type="checkbox" name="admin" value="1" /> admin scope</label>
      <button type="submit">Create key</button>
    </form>
    ${
      keys.length === 0
        ? html`<p class="empty">No keys yet. Create one to let your tools in.</p>`
        : html`<table>
          <thead><tr><th>Name</th><th>Key</th><th>Scope</th><th>Created</th><th>Last used</th><th></th></tr></thead>
          <tbody>${keys.map(
            (key) => html`<tr>
              <td>${key.label}</td><td><code>…${key.keyPreview}</code></td><td>${key.isAdmin ? "admin" : "client"}</td>
              <td>${key.createdAt.toISOString().slice(0, 16).replace("T", " ")}</td>
              <td>${key.lastUsedAt ? key.lastUsedAt.toISOString().slice(0, 16).replace("T", " ") : "never"}</td>
              <td><button type="button" class="danger" hx-delete="/dashboard/keys/${key.id}" hx-target="#keys"
                hx-swap="outerHTML" hx-confirm="Revoke ${key.label}? Tools using it stop working at once.">Revoke</button></td>
            </tr>`,
          )}</tbody>
        </table>`
    }
  </section>`;
}

export function keysPage(keys: KeyView[]) {
  return appLayout("API keys", "/dashboard/keys", keysSection(keys));
}
