import { html } from "../html.ts";
import { bareLayout } from "../layout.ts";

export function loginPage(error?: string) {
  return bareLayout(
    "Sign in",
    html`<main class="login">
      <h1>Switchyard</h1>
      <form method="post" action="/login">
        <label for="password">Admin password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required autofocus />
        ${error ? html`<p class="error" role="alert">${error}</p>` : ""}
        <button type="submit">Sign in</button>
      </form>
      <p class="hint">Forgot it? Run <code>switchyard password reset</code> on the server.</p>
    </main>`,
  );
}
