/**
 * The page frame: head with the embedded stylesheet, htmx (with its SSE extension) and our one
 * script, and for signed-in pages the navigation.
 */
import { type Html, html } from "./html.ts";

export interface NavItem {
  href: string;
  label: string;
}

export const NAV: readonly NavItem[] = [
  { href: "/dashboard", label: "Overview" },
  { href: "/dashboard/providers", label: "Providers" },
  { href: "/dashboard/combos", label: "Combos" },
  { href: "/dashboard/keys", label: "API keys" },
  { href: "/dashboard/usage", label: "Usage" },
  { href: "/dashboard/logs", label: "Logs" },
  { href: "/dashboard/health", label: "Health" },
  { href: "/dashboard/translator", label: "Translator" },
  { href: "/dashboard/tools", label: "Tools" },
  { href: "/dashboard/settings", label: "Settings" },
];

function head(title: string): Html {
  return html`<head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · Switchyard</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/static/app.css" />
    <script src="/static/htmx.min.js" defer></script>
    <script src="/static/hx-sse.min.js" defer></script>
    <script src="/static/app.js" defer></script>
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
  const nav = NAV.map(
    (item) =>
      html`<a href="${item.href}" ${item.href === currentPath ? html`aria-current="page"` : ""}>${item.label}</a>`,
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
