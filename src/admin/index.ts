/**
 * The management REST API (`/api/*`). Public routes first; everything after the guard needs a
 * signed-in admin or an admin-scoped API key, and cookie-carried writes must be same-origin.
 * Every sign-in attempt and every authorised change is written to the audit log (audit.ts).
 */
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";
import { adminAuth, crossOrigin } from "../security/session.ts";
import { auditHooks, auditRoutes } from "./audit.ts";
import { authRoutes } from "./auth.ts";
import { backupRoutes } from "./backups.ts";
import { cacheRoutes } from "./cache.ts";
import { cliToolRoutes } from "./cli-tools.ts";
import { comboRoutes } from "./combos.ts";
import type { GatewayCaller } from "./console-call.ts";
import { BodyNotAnObject, managementError } from "./errors.ts";
import { evalRoutes } from "./evals.ts";
import { keyRoutes } from "./keys.ts";
import { modelRoutes } from "./models.ts";
import { notOfferedRoutes } from "./not-offered.ts";
import { policyRoutes } from "./policies.ts";
import { pricingRoutes } from "./pricing.ts";
import { providerRoutes } from "./providers.ts";
import { resilienceRoutes } from "./resilience.ts";
import { settingsRoutes } from "./settings.ts";
import { storageRoutes } from "./storage.ts";
import { healthRoutes, processRoutes } from "./system.ts";
import { tokenHealthRoutes } from "./token-health.ts";
import { translatorRoutes } from "./translator.ts";
import { usageRoutes } from "./usage.ts";

export function adminApi(context: AppContext, callGateway: GatewayCaller) {
  const audit = auditHooks(context);
  return (
    new Elysia()
      .use(adminAuth(context))
      // Arrows that hand the whole context on: Elysia fills in only the context fields it sees a
      // hook read, and cannot read the audit's methods in the minified binary (route went missing).
      .onTransform((hook) => audit.capture(hook))
      .onTransform(({ body }) => {
        if (body !== undefined && body !== null && (typeof body !== "object" || Array.isArray(body)))
          throw new BodyNotAnObject();
      })
      .onAfterHandle((hook) => audit.record(hook))
      .onAfterResponse((hook) => audit.recordRefused(hook))
      .use(authRoutes(context))
      .use(healthRoutes(context))
      .onBeforeHandle(({ admin, request, status }) => {
        if (admin === undefined) return status(401, managementError("Sign in or send an admin API key"));
        if (admin.via !== "key" && request.method !== "GET" && crossOrigin(request)) {
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
      .use(pricingRoutes(context))
      .use(auditRoutes(context))
      .use(cacheRoutes(context))
      .use(policyRoutes(context))
      .use(processRoutes())
      .use(backupRoutes(context))
      .use(storageRoutes(context))
      .use(tokenHealthRoutes(context))
      .use(translatorRoutes(context, callGateway))
      .use(evalRoutes(context, callGateway))
      .use(cliToolRoutes(context))
      .use(notOfferedRoutes())
  );
}
