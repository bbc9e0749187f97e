/**
 * `/api/combos` (named routing plans usable as a model), their metrics and dry runs,
 * `/api/fallback/chains` (per model: the providers to try in order) and the combo defaults.
 * Combos are checked at save: known strategy, steps that name something, nesting at most
 * MAX_COMBO_DEPTH deep and no cycles.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { operationUrl } from "../providers/endpoint.ts";
import { probeModels } from "../providers/models.ts";
import { proxyFor, readProxySettings } from "../providers/proxy.ts";
import { targetKey } from "../routing/attempt.ts";
import { MAX_COMBO_DEPTH, ResolveError, type Target } from "../routing/resolve.ts";
import { readResilience } from "../routing/settings.ts";
import { COMBO_STRATEGIES } from "../routing/strategies.ts";
import type { ComboRow, ComboStep } from "../store/schema.ts";
import { type FieldProblem, managementError } from "./errors.ts";

const stepInput = t.Union([
  t.String({ minLength: 1 }),
  t.Object({
    model: t.Optional(t.String({ minLength: 1 })),
    connectionId: t.Optional(t.String({ minLength: 1 })),
    weight: t.Optional(t.Number({ minimum: 0 })),
    priority: t.Optional(t.Integer()),
  }),
]);
const comboFields = {
  name: t.String({ minLength: 1, maxLength: 200 }),
  strategy: t.Optional(t.String()),
  model: t.Optional(t.Union([t.String(), t.Null()])),
  /** The spec's form: connections, each serving `model`. */
  nodes: t.Optional(
    t.Array(
      t.Object({
        connectionId: t.String({ minLength: 1 }),
        weight: t.Optional(t.Number({ minimum: 0 })),
        priority: t.Optional(t.Integer()),
      }),
    ),
  ),
  /** The list form: model strings or {model, connectionId?, weight?}. */
  models: t.Optional(t.Array(stepInput)),
  /** Added to every request the combo serves, after the global system prompt; null removes it. */
  systemPrompt: t.Optional(t.Union([t.String({ maxLength: 100_000 }), t.Null()])),
};
const comboBody = t.Object(comboFields);
const comboPatch = t.Partial(t.Object(comboFields));
type ComboInput = Partial<(typeof comboBody)["static"]>;

function steps(input: ComboInput, current?: ComboRow): ComboStep[] {
  if (input.models) {
    return input.models.map((entry, index) =>
      typeof entry === "string"
        ? { model: entry, weight: 1, priority: index }
        : { ...entry, weight: entry.weight ?? 1, priority: entry.priority ?? index },
    );
  }
  if (input.nodes) {
    return input.nodes.map((node, index) => ({
      connectionId: node.connectionId,
      weight: node.weight ?? 1,
      priority: node.priority ?? index,
    }));
  }
  return current?.steps ?? [];
}

export function publicCombo(row: ComboRow) {
  return {
    id: row.id,
    name: row.name,
    strategy: row.strategy,
    model: row.model,
    steps: row.steps,
    systemPrompt: row.systemPrompt,
    models: row.steps.map((step) => step.model ?? row.model ?? null),
    nodes: row.steps
      .filter((step) => step.connectionId !== undefined)
      .map((step) => ({ connectionId: step.connectionId, weight: step.weight, priority: step.priority })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function comboRoutes(context: AppContext) {
  const { combos, providers } = context;

  /** The combo as it would be saved, checked whole (names, strategy, steps, nesting, cycles). */
  function validate(next: {
    id?: string;
    name: string;
    strategy: string;
    model: string | null;
    steps: ComboStep[];
  }) {
    const problems: FieldProblem[] = [];
    if (!(COMBO_STRATEGIES as readonly string[]).includes(next.strategy)) {
      problems.push({ field: "strategy", message: `one of ${COMBO_STRATEGIES.join(", ")}` });
    }
    const clash = combos.findByName(next.name);
    if (clash && clash.id !== next.id)
      problems.push({ field: "name", message: `a combo named '${next.name}' exists` });
    if (providers.getAlias(next.name))
      problems.push({ field: "name", message: `'${next.name}' is a model alias` });
    if (next.steps.length === 0)
      problems.push({ field: "models", message: "a combo needs at least one step (models or nodes)" });
    next.steps.forEach((step, index) => {
      if (step.connectionId !== undefined && !providers.getConnection(step.connectionId)) {
        problems.push({
          field: `steps[${index}].connectionId`,
          message: `no connection ${step.connectionId}`,
        });
      }
      if (step.model === undefined && next.model === null && step.connectionId === undefined) {
        problems.push({ field: `steps[${index}].model`, message: "required (or give the combo a model)" });
      }
    });
    const depth = nesting(
      next.name,
      next.steps.map((step) => step.model ?? next.model ?? ""),
      [next.name],
    );
    if (depth === "cycle") problems.push({ field: "models", message: `the combo would contain itself` });
    else if (depth > MAX_COMBO_DEPTH)
      problems.push({ field: "models", message: `combos may nest at most ${MAX_COMBO_DEPTH} deep` });
    return problems;
  }

  /** How deep combos nest below these step models, or "cycle" when a name comes round again. */
  function nesting(_name: string, models: string[], path: string[]): number | "cycle" {
    let deepest = 1;
    for (const model of models) {
      const target = providers.getAlias(model)?.target ?? model;
      if (path.includes(target)) return "cycle";
      const nested = combos.findByName(target);
      if (!nested) continue;
      const below = nesting(
        nested.name,
        nested.steps.map((step) => step.model ?? nested.model ?? ""),
        [...path, target],
      );
      if (below === "cycle") return "cycle";
      deepest = Math.max(deepest, below + 1);
    }
    return deepest;
  }

  /** The first target a step would use: its pinned connection, or what its model resolves to. */
  function stepTarget(connectionId: string | undefined, model: string | undefined): Target | undefined {
    if (connectionId !== undefined) {
      const pinned = context.resolver
        .connectedTargets()
        .find((target) => target.connection.id === connectionId);
      const pinnedModel = model ?? pinned?.connection.defaultModel;
      return pinned && pinnedModel ? { ...pinned, model: pinnedModel } : undefined;
    }
    if (!model) return undefined;
    try {
      return context.resolver.resolve(model).targets[0];
    } catch (error) {
      if (error instanceof ResolveError) return undefined;
      throw error;
    }
  }

  const refusal = (problems: FieldProblem[]) =>
    managementError(problems.map((problem) => `${problem.field}: ${problem.message}`).join("; "), problems);
  const notFound = (id: string) => managementError(`No combo with id ${id}`);

  const update = ({
    params,
    body,
    status,
  }: {
    params: { id: string };
    body: ComboInput;
    status: (code: 400 | 404, body: unknown) => unknown;
  }) => {
    const current = combos.get(params.id);
    if (!current) return status(404, notFound(params.id));
    const next = {
      id: current.id,
      name: body.name ?? current.name,
      strategy: body.strategy ?? current.strategy,
      model: body.model === undefined ? current.model : body.model,
      steps: steps(body, current),
      systemPrompt: body.systemPrompt === undefined ? current.systemPrompt : body.systemPrompt || null,
    };
    const problems = validate(next);
    if (problems.length > 0) return status(400, refusal(problems));
    return { combo: publicCombo(combos.update(current.id, next)!) };
  };

  const chainBody = t.Object({
    model: t.String({ minLength: 1 }),
    chain: t.Array(
      t.Object({
        provider: t.String({ minLength: 1 }),
        priority: t.Optional(t.Integer()),
        enabled: t.Optional(t.Boolean()),
      }),
    ),
  });

  return new Elysia()
    .get("/api/combos", () => ({ combos: combos.list().map(publicCombo) }))
    .post(
      "/api/combos",
      ({ body, status }) => {
        const next = {
          name: body.name,
          strategy: body.strategy ?? "priority",
          model: body.model ?? null,
          steps: steps(body),
          systemPrompt: body.systemPrompt || null,
        };
        const problems = validate(next);
        if (problems.length > 0) return status(400, refusal(problems));
        return status(201, { combo: publicCombo(combos.create({ id: crypto.randomUUID(), ...next })) });
      },
      { body: comboBody },
    )
    .get("/api/combos/metrics", () => ({
      combos: combos.list().map((combo) => ({
        id: combo.id,
        name: combo.name,
        ...context.comboMetrics.snapshot(combo.name, combo.steps.length),
      })),
    }))
    .post(
      "/api/combos/test",
      async ({ body, status }) => {
        const combo = body.id ? combos.get(body.id) : body.name ? combos.findByName(body.name) : undefined;
        if (!combo) return status(404, managementError("No such combo: give its id or name"));
        const results = await Promise.all(
          combo.steps.map(async (step, index) => {
            const model = step.model ?? combo.model ?? undefined;
            const target = stepTarget(step.connectionId, model);
            if (!target) {
              return {
                step: index,
                model,
                ok: false,
                status: null,
                latencyMs: 0,
                error: "no active connection serves this step",
              };
            }
            const proxy = proxyFor(
              target.endpoint,
              operationUrl(target.endpoint, "models", ""),
              readProxySettings(context.settings),
            );
            const probe = await probeModels(target.endpoint, proxy);
            return {
              step: index,
              model,
              provider: target.endpoint.prefix,
              connectionId: target.connection.id,
              ok: probe.valid,
              status: probe.statusCode,
              latencyMs: probe.latencyMs,
              error: probe.error,
              unavailable: context.health.check(targetKey(target)) ?? null,
            };
          }),
        );
        return { combo: combo.name, ok: results.every((result) => result.ok), steps: results };
      },
      { body: t.Object({ id: t.Optional(t.String()), name: t.Optional(t.String()) }) },
    )
    .patch("/api/combos/:id", update, { body: comboPatch })
    .put("/api/combos/:id", update, { body: comboPatch })
    .delete("/api/combos/:id", ({ params, status }) =>
      combos.delete(params.id) ? { ok: true, id: params.id } : status(404, notFound(params.id)),
    )
    .get("/api/settings/combo-defaults", () => {
      const { profile, accountStrategy, stickyRequests } = readResilience(context.settings);
      return {
        strategy: "priority",
        strategies: COMBO_STRATEGIES,
        maxNestingDepth: MAX_COMBO_DEPTH,
        maxAttempts: profile.maxAttempts,
        accountStrategy,
        stickyRequests,
      };
    })
    .get("/api/fallback/chains", () => ({
      chains: combos
        .listChains()
        .map((row) => ({ model: row.model, chain: row.chain, createdAt: row.createdAt.toISOString() })),
    }))
    .post(
      "/api/fallback/chains",
      ({ body }) => {
        const chain = body.chain.map((link, index) => ({
          provider: link.provider,
          priority: link.priority ?? index,
          enabled: link.enabled ?? true,
        }));
        const row = combos.setChain(body.model, chain);
        return { model: row.model, chain: row.chain };
      },
      { body: chainBody },
    )
    .delete(
      "/api/fallback/chains",
      ({ body, status }) =>
        combos.deleteChain(body.model)
          ? { ok: true, model: body.model }
          : status(404, managementError(`No fallback chain for ${body.model}`)),
      { body: t.Object({ model: t.String({ minLength: 1 }) }) },
    );
}
