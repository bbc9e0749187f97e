/**
 * Model listings for the console: what each connected provider offers (catalogue and what the
 * upstreams listed), aliases, the whole catalogue, and availability per connection.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { PROVIDERS } from "../providers/catalog.ts";
import { reachableModels } from "../routing/models.ts";
import { managementError } from "./errors.ts";
import { testConnection } from "./providers.ts";

export function modelRoutes(context: AppContext) {
  const { providers } = context;
  const availability = () =>
    context.resolver.connectedTargets().map(({ connection, endpoint }) => ({
      connectionId: connection.id,
      provider: endpoint.prefix,
      name: connection.name,
      status: connection.testStatus,
      lastError: connection.lastError,
      lastCheckedAt: connection.lastTestedAt?.toISOString() ?? null,
      models: reachableModels(context.resolver)
        .filter((model) => model.connectionId === connection.id)
        .map((model) => model.id),
    }));
  return new Elysia()
    .get("/api/models", () => ({
      models: reachableModels(context.resolver),
      aliases: Object.fromEntries(providers.listAliases().map((alias) => [alias.alias, alias.target])),
    }))
    .post(
      "/api/models/alias",
      ({ body, status }) => {
        const alias = body.alias.trim();
        const target = (body.target ?? body.model ?? "").trim();
        if (target === "") {
          return status(
            400,
            managementError("An alias needs a target model", [
              { field: "target", message: "give `target` (or `model`)" },
            ]),
          );
        }
        if (alias === target)
          return status(
            400,
            managementError("An alias cannot point at itself", [
              { field: "target", message: "must differ from alias" },
            ]),
          );
        const row = providers.setAlias(alias, target);
        return { alias: row.alias, target: row.target };
      },
      {
        body: t.Object({
          alias: t.String({ minLength: 1, maxLength: 200 }),
          target: t.Optional(t.String()),
          model: t.Optional(t.String()),
        }),
      },
    )
    .get("/api/models/catalog", () => ({
      providers: PROVIDERS.map((spec) => ({
        id: spec.id,
        name: spec.name,
        dialect: spec.dialect,
        baseUrl: spec.baseUrl,
        local: spec.local ?? false,
        models: spec.models,
      })),
      nodes: providers
        .listNodes()
        .map((node) => ({ id: node.id, name: node.name, prefix: node.prefix, type: node.type })),
    }))
    .get("/api/models/availability", () => ({ connections: availability() }))
    .post("/api/models/availability", async () => {
      await Promise.all(
        context.resolver.connectedTargets().map(({ connection }) => testConnection(context, connection)),
      );
      return { refreshed: true, connections: availability() };
    })
    .get("/api/provider-models", () => {
      const byProvider: Record<string, string[]> = {};
      for (const model of reachableModels(context.resolver)) {
        byProvider[model.provider] = [...(byProvider[model.provider] ?? []), model.model];
      }
      return { providers: byProvider };
    });
}
