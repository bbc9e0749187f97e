/**
 * The providers page: connections with their live health, the catalogue, custom endpoints.
 * Every write goes through the management API (validation, key sealing, live tests).
 */
import { Elysia } from "elysia";
import {
  type ConnectionHealth,
  connectionCard,
  type FormState,
  type ProvidersView,
  providersPage,
  providersSection,
  type TestResult,
} from "../../views/pages/providers.ts";
import { publicConnection } from "../admin/providers.ts";
import type { AppContext } from "../context.ts";
import { PROVIDERS } from "../providers/catalog.ts";
import type { ApiAnswer, ManagementCall } from "./management.ts";
import { type FormFields, filled, formBody, page } from "./respond.ts";

export function connectionsWithHealth(context: AppContext): ConnectionHealth[] {
  return context.providers.listConnections().map((row) => ({
    ...publicConnection(context, row),
    health: context.health.connectionState(row.id),
  }));
}

function providersView(context: AppContext): ProvidersView {
  return {
    connections: connectionsWithHealth(context),
    catalogue: PROVIDERS.map((spec) => ({
      id: spec.id,
      name: spec.name,
      dialect: spec.dialect,
      needsApiKey: spec.auth !== "none" && !spec.local,
      local: spec.local ?? false,
      modelCount: spec.models.length,
    })),
    nodes: context.providers.listNodes(),
  };
}

/** A refused form comes back filled in (secrets excepted) with the API's objections. */
function refused(answer: Extract<ApiAnswer<unknown>, { ok: false }>, values: FormFields): FormState {
  const { apiKey: _secret, ...kept } = values;
  return { values: kept, message: answer.message, problems: answer.problems };
}

export function providerPages(context: AppContext, api: ManagementCall) {
  const section = (forms: Parameters<typeof providersSection>[1] = {}, status = 200) =>
    page(providersSection(providersView(context), forms), status);
  const afterWrite = (answer: ApiAnswer<unknown>) =>
    answer.ok ? section() : section({ alert: answer.message }, answer.status);

  return new Elysia()
    .get("/dashboard/providers", () => page(providersPage(providersView(context))))
    .post(
      "/dashboard/providers",
      async ({ body, request }) => {
        const answer = await api(request, "POST", "/api/providers", {
          provider: body.provider ?? "",
          ...(filled(body, "name") ? { name: filled(body, "name") } : {}),
          ...(filled(body, "apiKey") ? { apiKey: filled(body, "apiKey") } : {}),
          ...(filled(body, "url") ? { url: filled(body, "url") } : {}),
        });
        return answer.ok ? section() : section({ connection: refused(answer, body) }, answer.status);
      },
      { body: formBody },
    )
    .post(
      "/dashboard/providers/nodes",
      async ({ body, request }) => {
        const answer = await api(request, "POST", "/api/provider-nodes", {
          type: body.type ?? "",
          name: body.name?.trim() ?? "",
          prefix: body.prefix?.trim() ?? "",
          baseUrl: body.baseUrl?.trim() ?? "",
        });
        return answer.ok ? section() : section({ node: refused(answer, body) }, answer.status);
      },
      { body: formBody },
    )
    .delete("/dashboard/providers/nodes/:id", async ({ params, request }) =>
      afterWrite(await api(request, "DELETE", `/api/provider-nodes/${encodeURIComponent(params.id)}`)),
    )
    .post("/dashboard/providers/:id/test", async ({ params, request }) => {
      const answer = await api<TestResult>(
        request,
        "POST",
        `/api/providers/${encodeURIComponent(params.id)}/test`,
      );
      const connection = connectionsWithHealth(context).find((row) => row.id === params.id);
      if (!answer.ok || !connection)
        return section({ alert: answer.ok ? "That connection no longer exists" : answer.message }, 404);
      return page(connectionCard(connection, answer.data));
    })
    .post(
      "/dashboard/providers/:id/active",
      async ({ params, body, request }) =>
        afterWrite(
          await api(request, "PATCH", `/api/providers/${encodeURIComponent(params.id)}`, {
            isActive: body.isActive === "1",
          }),
        ),
      { body: formBody },
    )
    .post(
      "/dashboard/providers/:id/priority",
      async ({ params, body, request }) =>
        afterWrite(
          await api(request, "PATCH", `/api/providers/${encodeURIComponent(params.id)}`, {
            priority: Math.trunc(Number(body.priority ?? 0)) || 0,
          }),
        ),
      { body: formBody },
    )
    .delete("/dashboard/providers/:id", async ({ params, request }) =>
      afterWrite(await api(request, "DELETE", `/api/providers/${encodeURIComponent(params.id)}`)),
    );
}
