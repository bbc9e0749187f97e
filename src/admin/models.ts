/**
 * Model listings for the console: what each connected provider offers (catalogue and what the
 * upstreams listed), aliases, the whole catalogue, and availability per connection; and the
 * paths OmniRoute's cloud worker uses for aliases and for resolving a model, served locally.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { PROVIDERS } from "../providers/catalog.ts";
import { reachableModels } from "../routing/models.ts";
import { ResolveError } from "../routing/resolve.ts";
import { managementError } from "./errors.ts";
import { testConnection } from "./providers.ts";

const aliasBody = t.Object({
  alias: t.String({ minLength: 1, maxLength: 200 }),
  target: t.Optional(t.String()),
  model: t.Optional(t.String()),
});

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
  const aliases = () =>
    Object.fromEntries(providers.listAliases().map((alias) => [alias.alias, alias.target]));
  const saveAlias = (body: typeof aliasBody.static, status: (code: 400, body: unknown) => unknown) => {
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
  };
  return (
    new Elysia()
      .get("/api/models", () => ({ models: reachableModels(context.resolver), aliases: aliases() }))
      .post("/api/models/alias", ({ body, status }) => saveAlias(body, status), { body: aliasBody })
      // OmniRoute's cloud worker reads and sets aliases here; Switchyard serves them locally.
      .get("/api/cloud/models/alias", () => ({ aliases: aliases() }))
      .put("/api/cloud/models/alias", ({ body, status }) => saveAlias(body, status), { body: aliasBody })
      .post(
        "/api/cloud/model/resolve",
        ({ body, status }) => {
          let plan: ReturnType<typeof context.resolver.resolve>;
          try {
            plan = context.resolver.resolve(body.model);
          } catch (error) {
            if (error instanceof ResolveError)
              return status(
                400,
                managementError(error.message, [{ field: "model", message: error.message }]),
              );
            throw error;
          }
          if (plan.targets.length === 0)
            return status(
              404,
              managementError(`Model '${body.model}' is not served by any active connection`),
            );
          return {
            model: body.model,
            targets: plan.targets.map((target) => ({
              provider: target.endpoint.prefix,
              model: target.model,
              connectionId: target.connection.id,
              connectionName: target.connection.name,
              ...(target.combo ? { combo: target.combo.name, comboStep: target.combo.step } : {}),
            })),
          };
        },
        { body: t.Object({ model: t.String({ minLength: 1, maxLength: 500 }) }) },
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
      })
  );
}
