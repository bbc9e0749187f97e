/**
 * The page frame: head with the embedded stylesheet and htmx, and for signed-in pages the
 * navigation. Pages that have not been built yet are listed but not linked, so nothing leads
 * to an empty page.
 */
import { type Html, html } from "./html.ts";

export interface NavItem {
  href: string;
  label: string;
  ready: boolean;
}

export const NAV: readonly NavItem[] = [
  { href: "/dashboard", label: "Overview", ready: true },
  { href: "/dashboard/providers", label: "Providers", ready: false },
  { href: "/dashboard/combos", label: "Combos", ready: false },
  { href: "/dashboard/keys", label: "API keys", ready: true },
  { href: "/dashboard/usage", label: "Usage", ready: false },
  { href: "/dashboard/logs", label: "Logs", ready: false },
  { href: "/dashboard/health", label: "Health", ready: true },
  { href: "/dashboard/settings", label: "Settings", ready: false },
];

function head(title: string): Html {
  return html`<head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · Switchyard</title>
    <link rel="stylesheet" href="/static/app.css" />
    <script src="/static/htmx.min.js" defer></script>
  </head>`;
}

export function bareLayout(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
  ${head(title)}
  <body class="bare">${body}</body>
</html>`;
}

export function appLayout(title: string, currentPath: string, body: Html): Html {
  const nav = NAV.map((item) =>
    item.ready
      ? html`<a href="${item.href}" ${item.href === currentPath ? html`aria-current="page"` : ""}>${item.label}</a>`
      : html`<span class="soon" title="Arrives in a coming release">${item.label}</span>`,
  );
  return html`<!doctype html>
<html lang="en">
  ${head(title)}
  <body>
    <header class="top">
      <a class="brand" href="/dashboard">Switchyard</a>
      <nav aria-label="Main">${nav}</nav>
      <form method="post" action="/logout"><button type="submit" class="link">Sign out</button></form>
    </header>
    <main id="main">
      <h1>${title}</h1>
      ${body}
    </main>
  </body>
</html>`;
}
