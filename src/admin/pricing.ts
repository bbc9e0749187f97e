/**
 * `/api/pricing`: the per-model price overrides (USD per 1M tokens) that replace the built-in
 * catalogue's, the catalogue's own prices (`/defaults`), and the price in force for every known
 * model (`/models`). A change applies to the next request recorded.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { PROVIDERS } from "../providers/catalog.ts";
import type { PricingOverrideRow } from "../store/schema.ts";
import { canonicalProvider, cataloguePrices } from "../usage/pricing.ts";
import { managementError } from "./errors.ts";

const rate = t.Number({ minimum: 0 });
const optionalRate = t.Optional(t.Union([rate, t.Null()]));
const overrideBody = t.Object({
  provider: t.String({ minLength: 1 }),
  model: t.String({ minLength: 1 }),
  input: rate,
  output: rate,
  cachedInput: optionalRate,
  cacheWrite: optionalRate,
  reasoning: optionalRate,
});
const modelQuery = t.Object({ provider: t.String({ minLength: 1 }), model: t.String({ minLength: 1 }) });

function publicOverride(row: PricingOverrideRow) {
  return {
    provider: row.provider,
    model: row.model,
    input: row.input,
    output: row.output,
    cachedInput: row.cachedInput,
    cacheWrite: row.cacheWrite,
    reasoning: row.reasoning,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function pricingRoutes(context: AppContext) {
  const { pricing } = context.usage;

  /** Every catalogued model, and every overridden one, with the price in force (null: unknown). */
  function models() {
    const seen = new Set<string>();
    const entry = (provider: string, model: string, name: string | null) => {
      seen.add(`${provider}/${model}`);
      const known = pricing.priceOf(provider, model);
      return { provider, model, name, price: known?.price ?? null, source: known?.source ?? null };
    };
    const catalogued = PROVIDERS.flatMap((spec) =>
      spec.models.map((model) => entry(spec.id, model.id, model.name ?? null)),
    );
    const overriddenOnly = pricing
      .listOverrides()
      .filter((row) => !seen.has(`${row.provider}/${row.model}`))
      .map((row) => entry(row.provider, row.model, null));
    return [...catalogued, ...overriddenOnly];
  }

  return new Elysia()
    .get("/api/pricing", () => ({ overrides: pricing.listOverrides().map(publicOverride) }))
    .post(
      "/api/pricing",
      ({ body }) => {
        const row = pricing.setOverride(body.provider, body.model, {
          input: body.input,
          output: body.output,
          ...(body.cachedInput != null ? { cachedInput: body.cachedInput } : {}),
          ...(body.cacheWrite != null ? { cacheWrite: body.cacheWrite } : {}),
          ...(body.reasoning != null ? { reasoning: body.reasoning } : {}),
        });
        return { override: publicOverride(row) };
      },
      { body: overrideBody },
    )
    .delete(
      "/api/pricing",
      ({ query, status }) =>
        pricing.deleteOverride(query.provider, query.model)
          ? { ok: true, provider: canonicalProvider(query.provider), model: query.model }
          : status(404, managementError(`No price override for ${query.provider}/${query.model}`)),
      { query: modelQuery },
    )
    .get("/api/pricing/defaults", () => ({
      prices: cataloguePrices().map(({ provider, model, price }) => ({ provider, model, ...price })),
    }))
    .get("/api/pricing/models", () => ({ models: models() }));
}
