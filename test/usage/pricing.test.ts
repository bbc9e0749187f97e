import { describe, expect, it } from "bun:test";
import { costAt } from "../../src/usage/pricing.ts";
import { outcome } from "../helpers/outcomes.ts";
import { usageContext } from "../helpers/usage-context.ts";

const SOL = { input: 2, output: 10, cachedInput: 0.1, cacheWrite: 2.5 };

describe("cost", () => {
  it("bills uncached input, cache reads, cache writes, output and reasoning each at its rate", () => {
    // 10,000 input of which 4,000 read from cache and 1,000 written to it; 2,000 output of which 500 reasoning.
    const usage = {
      inputTokens: 10_000,
      cachedInputTokens: 4_000,
      cacheWriteTokens: 1_000,
      outputTokens: 2_000,
      reasoningTokens: 500,
    };
    const expected = (5_000 * 2 + 4_000 * 0.1 + 1_000 * 2.5 + 1_500 * 10 + 500 * 10) / 1_000_000;
    expect(costAt(SOL, { usage })).toBeCloseTo(expected, 12);
    expect(costAt({ ...SOL, reasoning: 20 }, { usage })).toBeCloseTo(expected + (500 * 10) / 1_000_000, 12);
  });

  it("bills cache tokens at the input rate when the model has no cache rates", () => {
    const usage = { inputTokens: 1_000, cachedInputTokens: 600, cacheWriteTokens: 100, outputTokens: 0 };
    expect(costAt({ input: 1, output: 5 }, { usage })).toBeCloseTo(1_000 / 1_000_000, 12);
  });

  it("bills each unit at its rate: images, 1M characters, minutes of audio, 1K searches", () => {
    const price = { perImage: 0.04, perMillionCharacters: 15, perMinute: 0.006, perThousandSearches: 2 };
    expect(costAt(price, { units: { images: 2 } })).toBeCloseTo(0.08, 12);
    expect(costAt(price, { units: { characters: 2_000 } })).toBeCloseTo(0.03, 12);
    expect(costAt(price, { units: { audioSeconds: 90 } })).toBeCloseTo(0.009, 12);
    expect(costAt(price, { units: { searches: 1 } })).toBeCloseTo(0.002, 12);
  });

  it("adds a model's token and unit parts, and counts each only where its rate is known", () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 0 };
    expect(costAt({ input: 5, output: 40, perImage: 0.01 }, { usage, units: { images: 3 } })).toBeCloseTo(
      5.03,
      12,
    );
    // Estimated tokens of a call billed by characters only are not billed.
    expect(costAt({ perMillionCharacters: 15 }, { usage, units: { characters: 100 } })).toBeCloseTo(
      0.0015,
      12,
    );
    expect(costAt({ input: 5, output: 40 }, { units: { images: 3 } })).toBeNull();
  });

  it("answers null when nothing the call used has a rate: a transcript without its duration", () => {
    const whisper = { perMinute: 0.006 };
    expect(costAt(whisper, { usage: { inputTokens: 0, outputTokens: 12, estimated: true } })).toBeNull();
    expect(costAt(whisper, { units: {} })).toBeNull();
  });

  it("prices a catalogued model from the built-in table", () => {
    using usage = usageContext();
    const cost = usage.context.usage.costOf({
      provider: "anthropic",
      model: "claude-sonnet-4-6",
      usage: { inputTokens: 2_000, cachedInputTokens: 1_000, outputTokens: 100 },
    });
    expect(cost).toBeCloseTo((1_000 * 3 + 1_000 * 0.3 + 100 * 15) / 1_000_000, 12);
  });

  it("answers null, never 0, when the model's price or the usage is unknown", () => {
    using usage = usageContext();
    const tokens = { inputTokens: 100, outputTokens: 100 };
    const call = (provider: string, model: string) =>
      usage.context.usage.costOf({ provider, model, usage: tokens });
    expect(call("deepseek", "deepseek-flash")).toBeNull();
    expect(call("openai", "a-model-nobody-priced")).toBeNull();
    expect(call("my-node", "llama")).toBeNull();
    expect(usage.context.usage.costOf({ provider: "openai", model: "gpt-6.2-sol" })).toBeNull();
  });

  it("costs 0 on a flat-rate connection, and the row still counts the tokens", () => {
    using usage = usageContext();
    const { context } = usage;
    context.providers.createConnection({
      id: "subscription",
      provider: "openai",
      name: "Plus",
      flatRate: true,
    });
    context.usage.record(
      outcome({ connectionId: "subscription", usage: { inputTokens: 900, outputTokens: 90 } }),
    );
    context.usage.flush();
    const row = context.store.sqlite
      .query<{ cost_usd: number; flat_rate: number; input_tokens: number }, []>(
        "SELECT cost_usd, flat_rate, input_tokens FROM usage_records",
      )
      .get();
    expect(row).toEqual({ cost_usd: 0, flat_rate: 1, input_tokens: 900 });
  });

  it("counts unpriced requests apart instead of adding them as $0", () => {
    using usage = usageContext();
    const { context } = usage;
    context.usage.record(outcome());
    context.usage.record(outcome({ provider: "deepseek", model: "deepseek-flash" }));
    context.usage.flush();
    const totals = context.usage.analytics.totals({ since: 0 });
    expect(totals.costUsd).toBeCloseTo(0.007, 12);
    expect(totals.unpricedRequests).toBe(1);
  });
});

describe("price overrides", () => {
  it("replace the catalogue's price for that model, survive a restart, and fall back when removed", () => {
    using usage = usageContext();
    const tokens = { inputTokens: 1_000_000, outputTokens: 0 };
    const sol = { provider: "openai", model: "gpt-6.2-sol", usage: tokens };
    usage.context.usage.pricing.setOverride("openai", "gpt-6.2-sol", { input: 1.5, output: 6 });
    expect(usage.context.usage.costOf(sol)).toBe(1.5);
    const context = usage.reopen();
    expect(context.usage.costOf(sol)).toBe(1.5);
    expect(context.usage.pricing.deleteOverride("openai", "gpt-6.2-sol")).toBe(true);
    expect(context.usage.costOf(sol)).toBe(2);
  });

  it("replace a unit rate, and price a model by units alone", () => {
    using usage = usageContext();
    const { pricing } = usage.context.usage;
    const tts = { provider: "openai", model: "tts-1", units: { characters: 1_000_000 } };
    expect(usage.context.usage.costOf(tts)).toBe(15);
    pricing.setOverride("openai", "tts-1", { perMillionCharacters: 30 });
    expect(usage.context.usage.costOf(tts)).toBe(30);
    const reopened = usage.reopen();
    expect(reopened.usage.pricing.priceOf("openai", "tts-1")).toEqual({
      price: { perMillionCharacters: 30 },
      source: "override",
    });
    expect(reopened.usage.costOf({ ...tts, usage: { inputTokens: 250_000, outputTokens: 0 } })).toBe(30);
  });

  it("price a model the catalogue does not know, under the provider's alias too", () => {
    using usage = usageContext();
    usage.context.usage.pricing.setOverride("Claude", "claude-private", { input: 4, output: 8 });
    expect(usage.context.usage.pricing.listOverrides()[0]).toMatchObject({
      provider: "anthropic",
      model: "claude-private",
    });
    expect(
      usage.context.usage.costOf({
        provider: "anthropic",
        model: "claude-private",
        usage: { inputTokens: 0, outputTokens: 1_000_000 },
      }),
    ).toBe(8);
  });
});
