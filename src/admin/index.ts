/**
 * The management REST API (`/api/*`). Public routes first; everything after the guard needs a
 * signed-in admin or an admin-scoped API key, and cookie-carried writes must be same-origin.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";
import { adminAuth, crossOrigin } from "../security/session.ts";
import { authRoutes } from "./auth.ts";
import { comboRoutes } from "./combos.ts";
import { managementError } from "./errors.ts";
import { keyRoutes } from "./keys.ts";
import { modelRoutes } from "./models.ts";
import { pricingRoutes } from "./pricing.ts";
import { providerRoutes } from "./providers.ts";
import { resilienceRoutes } from "./resilience.ts";
import { settingsRoutes } from "./settings.ts";
import { healthRoutes } from "./system.ts";
import { usageRoutes } from "./usage.ts";

export function adminApi(context: AppContext) {
  return new Elysia()
    .use(authRoutes(context))
    .use(healthRoutes(context))
    .use(adminAuth(context))
    .onBeforeHandle(({ admin, request, status }) => {
      if (admin === undefined) return status(401, managementError("Sign in or send an admin API key"));
      if (admin.via === "session" && request.method !== "GET" && crossOrigin(request)) {
        return status(403, managementError("Cross-origin request refused"));
      }
    })
    .use(keyRoutes(context))
    .use(providerRoutes(context))
    .use(modelRoutes(context))
    .use(settingsRoutes(context))
    .use(comboRoutes(context))
    .use(resilienceRoutes(context))
    .use(usageRoutes(context))
    .use(pricingRoutes(context));
}
