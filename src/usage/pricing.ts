/**
 * What a request cost: the catalogue's price table (providers/catalog.ts), overridable per model
 * at a provider, applied to the tokens the upstream reported and to the units a call beyond chat
 * is billed by (images, characters, audio seconds, searches). A flat-rate connection (a
 * subscription) costs 0 whatever it used; a call with no known quantity at a known rate costs
 * null, never a guessed 0. Overrides are kept in memory, so pricing a request never reads the disk.
 *
 * Token categories without a rate of their own are billed the way providers without that rate
 * bill them: cache reads and writes at the input rate, reasoning tokens at the output rate.
 */
import { and, eq } from "drizzle-orm";
import {
  type ModelPrice,
  PROVIDERS,
  providerSpec,
  type TokenPrice,
  type UnitPrice,
} from "../providers/catalog.ts";
import type { Store } from "../store/db.ts";
import type { ProvidersRepo } from "../store/providers.ts";
import { type PricingOverrideRow, pricingOverrides } from "../store/schema.ts";
import type { IRUsage } from "../wire/ir.ts";
import type { CallUnits } from "./outcome.ts";

/** What a cost is computed from: the target that answered and what it reported. */
export interface PricedCall {
  provider?: string;
  connectionId?: string;
  model?: string;
  usage?: IRUsage;
  units?: CallUnits;
}

export interface CataloguePrice {
  provider: string;
  model: string;
  price: ModelPrice;
}

const TOKENS_PER_PRICE_UNIT = 1_000_000;

/** Each unit a call can be billed by, the rate that prices it, and how many units that rate is for. */
export const UNIT_RATES = [
  { unit: "images", rate: "perImage", per: 1 },
  { unit: "characters", rate: "perMillionCharacters", per: 1_000_000 },
  { unit: "audioSeconds", rate: "perMinute", per: 60 },
  { unit: "searches", rate: "perThousandSearches", per: 1_000 },
] as const satisfies ReadonlyArray<{ unit: keyof CallUnits; rate: keyof UnitPrice; per: number }>;

/** The catalogue's prices, one entry per priced model. */
export function cataloguePrices(): CataloguePrice[] {
  return PROVIDERS.flatMap((spec) =>
    spec.models.flatMap((model) => {
      const price: ModelPrice | undefined = model.pricing
        ? { ...model.pricing, ...model.unitPricing }
        : model.unitPricing;
      return price ? [{ provider: spec.id, model: model.id, price }] : [];
    }),
  );
}

/**
 * USD for a call at `price`: its tokens at the token rates and each unit at its rate, each where
 * both the count and the rate are known; null when none is. `inputTokens` includes cache reads
 * and writes (the IR's convention).
 */
export function costAt(
  price: ModelPrice,
  { usage, units }: Pick<PricedCall, "usage" | "units">,
): number | null {
  let cost: number | null = null;
  if (usage && price.input !== undefined) cost = tokenCost(price, usage);
  for (const { unit, rate, per } of UNIT_RATES) {
    const count = units?.[unit];
    const usdPer = price[rate];
    if (count !== undefined && usdPer !== undefined) cost = (cost ?? 0) + (count / per) * usdPer;
  }
  return cost;
}

function tokenCost(price: TokenPrice, usage: IRUsage): number {
  const cached = usage.cachedInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const reasoning = usage.reasoningTokens ?? 0;
  const uncachedInput = Math.max(0, usage.inputTokens - cached - cacheWrite);
  const visibleOutput = Math.max(0, usage.outputTokens - reasoning);
  const microDollars =
    uncachedInput * price.input +
    cached * (price.cachedInput ?? price.input) +
    cacheWrite * (price.cacheWrite ?? price.input) +
    visibleOutput * price.output +
    reasoning * (price.reasoning ?? price.output);
  return microDollars / TOKENS_PER_PRICE_UNIT;
}

/** Catalogue ids are matched like model strings (case-insensitive, aliases); node prefixes as given. */
export function canonicalProvider(provider: string): string {
  return providerSpec(provider)?.id ?? provider;
}

const priceKey = (provider: string, model: string) => `${canonicalProvider(provider)}/${model}`;

/** The rates that are set, without the null columns of those that are not. */
function setRates<Rates extends Record<string, number | null>>(
  rates: Rates,
): { [rate in keyof Rates]?: number } {
  return Object.fromEntries(Object.entries(rates).filter(([, value]) => value !== null)) as {
    [rate in keyof Rates]?: number;
  };
}

function overridePrice(row: PricingOverrideRow): ModelPrice {
  const units = setRates({
    perImage: row.perImage,
    perMillionCharacters: row.perMillionCharacters,
    perMinute: row.perMinute,
    perThousandSearches: row.perThousandSearches,
  });
  if (row.input === null || row.output === null) return units;
  const refinements = setRates({
    cachedInput: row.cachedInput,
    cacheWrite: row.cacheWrite,
    reasoning: row.reasoning,
  });
  return { input: row.input, output: row.output, ...refinements, ...units };
}

export class Pricing {
  private readonly catalogue = new Map<string, ModelPrice>();
  /** Each override's row, and the price it gives, built once. */
  private readonly overrides = new Map<string, { row: PricingOverrideRow; price: ModelPrice }>();

  constructor(
    private readonly store: Store,
    private readonly providers: ProvidersRepo,
  ) {
    for (const entry of cataloguePrices())
      this.catalogue.set(priceKey(entry.provider, entry.model), entry.price);
    for (const row of store.db.select().from(pricingOverrides).all()) this.keepOverride(row);
  }

  /** The price in force for a model at a provider, and where it comes from. */
  priceOf(
    provider: string,
    model: string,
  ): { price: ModelPrice; source: "override" | "catalogue" } | undefined {
    const key = priceKey(provider, model);
    const override = this.overrides.get(key);
    if (override) return { price: override.price, source: "override" };
    const price = this.catalogue.get(key);
    return price ? { price, source: "catalogue" } : undefined;
  }

  isFlatRate(connectionId: string | undefined): boolean {
    return connectionId !== undefined && this.providers.getConnection(connectionId)?.flatRate === true;
  }

  /** USD, 0 on a flat-rate connection, null when the price or what the call used is unknown. */
  costOf(call: PricedCall): number | null {
    if (this.isFlatRate(call.connectionId)) return 0;
    if (call.provider === undefined || call.model === undefined) return null;
    const known = this.priceOf(call.provider, call.model);
    return known ? costAt(known.price, call) : null;
  }

  listOverrides(): PricingOverrideRow[] {
    return [...this.overrides.values()]
      .map(({ row }) => row)
      .sort((a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
  }

  setOverride(provider: string, model: string, price: ModelPrice): PricingOverrideRow {
    const values = {
      provider: canonicalProvider(provider),
      model,
      input: price.input ?? null,
      output: price.output ?? null,
      cachedInput: price.cachedInput ?? null,
      cacheWrite: price.cacheWrite ?? null,
      reasoning: price.reasoning ?? null,
      perImage: price.perImage ?? null,
      perMillionCharacters: price.perMillionCharacters ?? null,
      perMinute: price.perMinute ?? null,
      perThousandSearches: price.perThousandSearches ?? null,
      updatedAt: new Date(),
    };
    const row = this.store.db
      .insert(pricingOverrides)
      .values(values)
      .onConflictDoUpdate({ target: [pricingOverrides.provider, pricingOverrides.model], set: values })
      .returning()
      .get();
    this.keepOverride(row);
    return row;
  }

  deleteOverride(provider: string, model: string): boolean {
    const key = priceKey(provider, model);
    if (!this.overrides.delete(key)) return false;
    this.store.db
      .delete(pricingOverrides)
      .where(
        and(eq(pricingOverrides.provider, canonicalProvider(provider)), eq(pricingOverrides.model, model)),
      )
      .run();
    return true;
  }

  private keepOverride(row: PricingOverrideRow): void {
    this.overrides.set(priceKey(row.provider, row.model), { row, price: overridePrice(row) });
  }
}
