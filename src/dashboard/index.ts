/**
 * The HTMX dashboard: server-rendered pages from views/, and the partials htmx swaps in.
 * Signed-out visitors are sent to /login; htmx requests get an HX-Redirect instead. Each page's
 * handlers live in their own module; reads come from the rooms' memory and the usage rollups,
 * writes go through the management API in-process (management.ts).
 */
import { Elysia, t } from "elysia";
import { loginPage } from "../../views/pages/login.ts";
import { overviewPage } from "../../views/pages/overview.ts";
import { attemptLogin, clientAddressOrUnknown } from "../admin/auth.ts";
import type { GatewayCaller } from "../admin/console-call.ts";
import { VERSION } from "../config.ts";
import type { AppContext } from "../context.ts";
import { clientAddress } from "../security/client-address.ts";
import { adminAuth, crossOrigin, endSession, startSession } from "../security/session.ts";
import { HOUR_MS } from "../usage/rollup.ts";
import { staticAssets } from "./assets.ts";
import { comboPages } from "./combos.ts";
import { healthPages } from "./health.ts";
import { keyPages } from "./keys.ts";
import { logPages } from "./logs.ts";
import { managementClient, rememberCaller } from "./management.ts";
import { connectionsWithHealth, providerPages } from "./providers.ts";
import { page, redirect } from "./respond.ts";
import { settingsPages } from "./settings.ts";
import { toolPages } from "./tools.ts";
import { translatorPages } from "./translator.ts";
import { usagePages } from "./usage.ts";

/** The last `hours` whole hours, oldest first, with the requests of each (0 where none). */
function hourlyRequests(context: AppContext, hours: number) {
  const now = context.usage.now();
  const first = Math.floor(now / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS;
  const counts = new Map(
    context.usage.analytics.trend({ since: first }, "hour").map((point) => [point.at, point.requests]),
  );
  return Array.from({ length: hours }, (_, index) => {
    const at = first + index * HOUR_MS;
    return { at, requests: counts.get(at) ?? 0 };
  });
}

export function dashboard(context: AppContext, callGateway: GatewayCaller) {
  const api = managementClient(context, callGateway);
  return new Elysia()
    .use(staticAssets())
    .use(adminAuth(context))
    .get("/", ({ admin }) => redirect(admin ? "/dashboard" : "/login"))
    .get("/login", ({ admin }) => (admin ? redirect("/dashboard") : page(loginPage())))
    .post(
      "/login",
      async ({ body, cookie, request, server, sessionJwt }) => {
        const outcome = await attemptLogin(
          context,
          clientAddressOrUnknown(server, request),
          body.password ?? "",
        );
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
    .onBeforeHandle(({ admin, request, server }) => {
      if (!new URL(request.url).pathname.startsWith("/dashboard")) return;
      rememberCaller(request, clientAddress(server, request));
      if (admin === undefined) {
        if (request.headers.get("hx-request")) {
          return new Response(null, { status: 401, headers: { "hx-redirect": "/login" } });
        }
        return redirect("/login");
      }
      if (request.method !== "GET" && crossOrigin(request))
        return new Response("Cross-origin request refused", { status: 403 });
    })
    .get("/dashboard", ({ request }) => {
      const now = context.usage.now();
      const today = context.usage.analytics.totals({ since: now - (now % (24 * HOUR_MS)) });
      return page(
        overviewPage({
          version: VERSION,
          uptimeSeconds: Math.round((performance.now() - context.startedAt) / 1000),
          baseUrl: new URL(request.url).origin,
          today,
          hourly: hourlyRequests(context, 24),
          connections: connectionsWithHealth(context),
        }),
      );
    })
    .use(providerPages(context, api))
    .use(comboPages(context, api))
    .use(keyPages(context, api))
    .use(usagePages(context))
    .use(logPages(context))
    .use(healthPages(context, api))
    .use(settingsPages(context, api))
    .use(translatorPages(api))
    .use(toolPages(context, api));
}
