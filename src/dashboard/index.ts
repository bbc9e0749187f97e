/**
 * The HTMX dashboard: server-rendered pages from views/, and the partials htmx swaps in.
 * Signed-out visitors are sent to /login; htmx requests get an HX-Redirect instead.
 */
import { Elysia, t } from "elysia";
import type { Html } from "../../views/html.ts";
import { healthPage } from "../../views/pages/health.ts";
import { keysPage, keysSection } from "../../views/pages/keys.ts";
import { loginPage } from "../../views/pages/login.ts";
import { overviewPage } from "../../views/pages/overview.ts";
import { attemptLogin, clientAddress } from "../admin/auth.ts";
import { activeRequests } from "../admin/system.ts";
import { VERSION } from "../config.ts";
import type { AppContext } from "../context.ts";
import { healthReport } from "../ops/health.ts";
import { createApiKey } from "../security/api-keys.ts";
import { adminAuth, crossOrigin, endSession, startSession } from "../security/session.ts";
import { staticAssets } from "./assets.ts";

function page(markup: Html, status = 200): Response {
  return new Response(markup.value, { status, headers: { "content-type": "text/html; charset=utf-8" } });
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location } });
}

export function dashboard(context: AppContext) {
  return new Elysia()
    .use(staticAssets())
    .use(adminAuth(context))
    .get("/", ({ admin }) => redirect(admin ? "/dashboard" : "/login"))
    .get("/login", ({ admin }) => (admin ? redirect("/dashboard") : page(loginPage())))
    .post(
      "/login",
      async ({ body, cookie, request, server, sessionJwt }) => {
        const outcome = await attemptLogin(context, clientAddress(server, request), body.password ?? "");
        if (!outcome.ok) {
          const response = page(loginPage(outcome.message), outcome.status);
          if (outcome.retryAfter) response.headers.set("retry-after", String(outcome.retryAfter));
          return response;
        }
        await startSession(context, sessionJwt, cookie, request);
        return redirect("/dashboard");
      },
      { body: t.Object({ password: t.Optional(t.String()) }) },
    )
    .post("/logout", ({ cookie }) => {
      endSession(cookie);
      return redirect("/login");
    })
    .onBeforeHandle(({ admin, request }) => {
      if (!new URL(request.url).pathname.startsWith("/dashboard")) return;
      if (admin === undefined) {
        if (request.headers.get("hx-request")) {
          return new Response(null, { status: 401, headers: { "hx-redirect": "/login" } });
        }
        return redirect("/login");
      }
      if (request.method !== "GET" && crossOrigin(request))
        return new Response("Cross-origin request refused", { status: 403 });
    })
    .get("/dashboard", ({ request }) =>
      page(
        overviewPage({
          version: VERSION,
          uptimeSeconds: Math.round((performance.now() - context.startedAt) / 1000),
          activeKeys: context.apiKeys.list().length,
          baseUrl: new URL(request.url).origin,
        }),
      ),
    )
    .get("/dashboard/keys", () => page(keysPage(context.apiKeys.list())))
    .post(
      "/dashboard/keys",
      ({ body }) => {
        const created = createApiKey(context.apiKeys, body.label.trim(), body.admin === "1");
        return page(
          keysSection(context.apiKeys.list(), { label: created.row.label, secret: created.secret }),
        );
      },
      {
        body: t.Object({
          label: t.String({ minLength: 1, maxLength: 100, pattern: "\\S" }),
          admin: t.Optional(t.String()),
        }),
      },
    )
    .delete("/dashboard/keys/:id", ({ params }) => {
      context.apiKeys.revoke(params.id);
      return page(keysSection(context.apiKeys.list()));
    })
    .get("/dashboard/health", ({ server }) =>
      page(healthPage(healthReport(context.store, context.startedAt, activeRequests(server)))),
    );
}
