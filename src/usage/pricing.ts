/**
 * What a request cost: the catalogue's price table (providers/catalog.ts), overridable per model
 * at a provider, applied to the tokens the upstream reported. A flat-rate connection (a
 * subscription) costs 0 whatever its tokens; a model without a known price costs null, never a
 * guessed 0. Overrides are kept in memory, so pricing a request never reads the disk.
 *
 * Token categories without a rate of their own are billed the way providers without that rate
 * bill them: cache reads and writes at the input rate, reasoning tokens at the output rate.
 */
import { and, eq } from "drizzle-orm";
import { type ModelPrice, PROVIDERS, providerSpec } from "../providers/catalog.ts";
import type { Store } from "../store/db.ts";
import type { ProvidersRepo } from "../store/providers.ts";
import { type PricingOverrideRow, pricingOverrides } from "../store/schema.ts";
import type { IRUsage } from "../wire/ir.ts";

/** What a cost is computed from: the target that answered and what it reported. */
export interface PricedCall {
  provider?: string;
  connectionId?: string;
  model?: string;
  usage?: IRUsage;
}

export interface CataloguePrice {
  provider: string;
  model: string;
  price: ModelPrice;
}

const TOKENS_PER_PRICE_UNIT = 1_000_000;

/** The catalogue's prices, one entry per priced model. */
export function cataloguePrices(): CataloguePrice[] {
  return PROVIDERS.flatMap((spec) =>
    spec.models.flatMap((model) =>
      model.pricing ? [{ provider: spec.id, model: model.id, price: model.pricing }] : [],
    ),
  );
}

/** USD for `usage` at `price`; `inputTokens` includes cache reads and writes (the IR's convention). */
export function costAt(price: ModelPrice, usage: IRUsage): number {
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

function overridePrice(row: PricingOverrideRow): ModelPrice {
  return {
    input: row.input,
    output: row.output,
    ...(row.cachedInput !== null ? { cachedInput: row.cachedInput } : {}),
    ...(row.cacheWrite !== null ? { cacheWrite: row.cacheWrite } : {}),
    ...(row.reasoning !== null ? { reasoning: row.reasoning } : {}),
  };
}

export class Pricing {
  private readonly catalogue = new Map<string, ModelPrice>();
  private readonly overrides = new Map<string, PricingOverrideRow>();

  constructor(
    private readonly store: Store,
    private readonly providers: ProvidersRepo,
  ) {
    for (const entry of cataloguePrices())
      this.catalogue.set(priceKey(entry.provider, entry.model), entry.price);
    for (const row of store.db.select().from(pricingOverrides).all())
      this.overrides.set(priceKey(row.provider, row.model), row);
  }

  /** The price in force for a model at a provider, and where it comes from. */
  priceOf(
    provider: string,
    model: string,
  ): { price: ModelPrice; source: "override" | "catalogue" } | undefined {
    const key = priceKey(provider, model);
    const override = this.overrides.get(key);
    if (override) return { price: overridePrice(override), source: "override" };
    const price = this.catalogue.get(key);
    return price ? { price, source: "catalogue" } : undefined;
  }

  isFlatRate(connectionId: string | undefined): boolean {
    return connectionId !== undefined && this.providers.getConnection(connectionId)?.flatRate === true;
  }

  /** USD, 0 on a flat-rate connection, null when the price or the usage is unknown. */
  costOf(call: PricedCall): number | null {
    if (this.isFlatRate(call.connectionId)) return 0;
    if (call.provider === undefined || call.model === undefined || call.usage === undefined) return null;
    const known = this.priceOf(call.provider, call.model);
    return known ? costAt(known.price, call.usage) : null;
  }

  listOverrides(): PricingOverrideRow[] {
    return [...this.overrides.values()].sort(
      (a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model),
    );
  }

  setOverride(provider: string, model: string, price: ModelPrice): PricingOverrideRow {
    const values = {
      provider: canonicalProvider(provider),
      model,
      input: price.input,
      output: price.output,
      cachedInput: price.cachedInput ?? null,
      cacheWrite: price.cacheWrite ?? null,
      reasoning: price.reasoning ?? null,
      updatedAt: new Date(),
    };
    const row = this.store.db
      .insert(pricingOverrides)
      .values(values)
      .onConflictDoUpdate({ target: [pricingOverrides.provider, pricingOverrides.model], set: values })
      .returning()
      .get();
    this.overrides.set(priceKey(row.provider, row.model), row);
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
}
