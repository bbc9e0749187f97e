/** The health page: process facts, and the routing room's breakers, cooldowns and limits with a reset. */
import { Elysia } from "elysia";
import { healthPage, type ResilienceView, resilienceSection } from "../../views/pages/health.ts";
import { activeRequests } from "../admin/system.ts";
import type { AppContext } from "../context.ts";
import { healthReport } from "../ops/health.ts";
import type { ManagementCall } from "./management.ts";
import { connectionsWithHealth } from "./providers.ts";
import { page } from "./respond.ts";

function resilienceView(context: AppContext): ResilienceView {
  const { breakers } = context.health.snapshot();
  return {
    providerBreakers: Object.entries(breakers.providers).map(([provider, breaker]) => ({
      provider,
      ...breaker,
    })),
    connections: connectionsWithHealth(context),
  };
}

export function healthPages(context: AppContext, api: ManagementCall) {
  return new Elysia()
    .get("/dashboard/health", ({ server }) =>
      page(
        healthPage(
          healthReport(context.store, context.startedAt, activeRequests(server)),
          resilienceView(context),
        ),
      ),
    )
    .post("/dashboard/health/reset", async ({ request }) => {
      const answer = await api(request, "POST", "/api/resilience/reset");
      return page(resilienceSection(resilienceView(context), answer.ok), answer.ok ? 200 : answer.status);
    });
}
