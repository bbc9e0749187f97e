/**
 * `/api/pricing`: the per-model price overrides that replace the built-in catalogue's — USD per
 * 1M tokens, and per image, 1M characters, minute of audio or 1,000 rerank searches — the
 * catalogue's own prices (`/defaults`), and the price in force for every known model
 * (`/models`). An override is saved whole: a rate it does not give is not set. A change applies
 * to the next request recorded.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { type ModelPrice, PROVIDERS, type UnitPrice } from "../providers/catalog.ts";
import type { PricingOverrideRow } from "../store/schema.ts";
import { canonicalProvider, cataloguePrices, UNIT_RATES } from "../usage/pricing.ts";
import { type FieldProblem, type ManagementError, managementError } from "./errors.ts";

const rate = t.Optional(t.Union([t.Number({ minimum: 0 }), t.Null()]));
const overrideBody = t.Object({
  provider: t.String({ minLength: 1 }),
  model: t.String({ minLength: 1 }),
  input: rate,
  output: rate,
  cachedInput: rate,
  cacheWrite: rate,
  reasoning: rate,
  perImage: rate,
  perMillionCharacters: rate,
  perMinute: rate,
  perThousandSearches: rate,
});
const modelQuery = t.Object({ provider: t.String({ minLength: 1 }), model: t.String({ minLength: 1 }) });

/** The token rates that only refine `input` and `output`. */
const TOKEN_REFINEMENTS = ["cachedInput", "cacheWrite", "reasoning"] as const;

/** The price an override body gives, or why it gives none. */
function priceFromBody(body: typeof overrideBody.static): ModelPrice | ManagementError {
  const units: UnitPrice = {};
  for (const { rate } of UNIT_RATES) {
    const value = body[rate];
    if (value != null) units[rate] = value;
  }
  const { input, output } = body;
  if (input != null && output != null) {
    const price: ModelPrice = { input, output, ...units };
    for (const refinement of TOKEN_REFINEMENTS) {
      const value = body[refinement];
      if (value != null) price[refinement] = value;
    }
    return price;
  }
  const problems: FieldProblem[] = [];
  if (input != null)
    problems.push({ field: "output", message: "required with input: a token price has both" });
  if (output != null)
    problems.push({ field: "input", message: "required with output: a token price has both" });
  for (const refinement of TOKEN_REFINEMENTS) {
    if (body[refinement] != null)
      problems.push({ field: refinement, message: "needs input and output, the token price it refines" });
  }
  if (problems.length === 0 && Object.keys(units).length === 0) {
    const unitRates = UNIT_RATES.map(({ rate }) => rate).join(", ");
    problems.push({ field: "input", message: `give input and output, or a unit rate (${unitRates})` });
  }
  return problems.length === 0 ? units : managementError("The price is incomplete", problems);
}

function publicOverride(row: PricingOverrideRow) {
  return {
    provider: row.provider,
    model: row.model,
    input: row.input,
    output: row.output,
    cachedInput: row.cachedInput,
    cacheWrite: row.cacheWrite,
    reasoning: row.reasoning,
    perImage: row.perImage,
    perMillionCharacters: row.perMillionCharacters,
    perMinute: row.perMinute,
    perThousandSearches: row.perThousandSearches,
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
      ({ body, status }) => {
        const price = priceFromBody(body);
        if ("error" in price) return status(400, price);
        return { override: publicOverride(pricing.setOverride(body.provider, body.model, price)) };
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
