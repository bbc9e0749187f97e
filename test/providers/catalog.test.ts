/**
 * The built-in provider catalogue: its entries are well-formed and its look-ups resolve ids,
 * aliases and models.
 */
import { describe, expect, it } from "bun:test";
import { modelSpec, PROVIDER_ALIASES, PROVIDERS, providerSpec } from "../../src/providers/catalog.ts";

const AZURE = "azure-openai";

const REQUIRED = [
  "openai",
  "anthropic",
  "gemini",
  "openrouter",
  "groq",
  "deepseek",
  "mistral",
  "xai",
  "together",
  "fireworks",
  "cerebras",
  "nvidia",
  "perplexity",
  "moonshot",
  "zai",
  "minimax",
  "azure-openai",
  "cohere",
  "ollama",
  "lm-studio",
  "vllm",
  "llama-cpp",
];

const isOpenAIStyle = (dialect: string) => dialect === "openai-chat" || dialect === "openai-responses";

describe("provider catalogue", () => {
  it("has unique lowercase ids", () => {
    const ids = PROVIDERS.map((spec) => spec.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });

  it("contains every required provider", () => {
    const ids = new Set(PROVIDERS.map((spec) => spec.id));
    for (const id of REQUIRED) expect(ids.has(id)).toBe(true);
  });

  it("gives every base URL as a parseable URL without a trailing slash", () => {
    for (const spec of PROVIDERS) {
      expect(spec.baseUrl.endsWith("/")).toBe(false);
      if (spec.id === AZURE) continue;
      const url = new URL(spec.baseUrl);
      expect(url.search).toBe("");
      expect(url.hash).toBe("");
      expect(["http:", "https:"]).toContain(url.protocol);
    }
  });

  it("keeps the Azure base URL a placeholder the user must fill in, with an api-version", () => {
    const azure = providerSpec(AZURE)!;
    expect(azure.baseUrl).toContain("{resource}");
    expect(azure.baseUrl).toContain("{deployment}");
    expect(azure.auth).toBe("api-key");
    expect(azure.apiVersion).toMatch(/^\d{4}-\d{2}-\d{2}(?:-preview)?$/);
  });

  it("ends OpenAI-style base URLs in a version segment, as the OpenAI SDK expects", () => {
    for (const spec of PROVIDERS) {
      if (!isOpenAIStyle(spec.dialect) || spec.id === AZURE) continue;
      // DeepInfra's OpenAI-compatible root is /v1/openai, hence the optional trailing /openai.
      expect(new URL(spec.baseUrl).pathname).toMatch(/\/v\d+(?:beta|alpha)?(?:\/openai)?$/);
    }
  });

  it("does not end Anthropic-style base URLs in /v1, since /v1/messages is appended", () => {
    const anthropicStyle = PROVIDERS.filter((spec) => spec.dialect === "anthropic");
    expect(anthropicStyle.length).toBeGreaterThan(0);
    for (const spec of anthropicStyle) {
      expect(spec.baseUrl).not.toMatch(/\/v\d+$/);
      expect(spec.headers?.["anthropic-version"]).toBe("2023-06-01");
    }
  });

  it("gives Gemini and Ollama bare hosts, since their API paths are appended", () => {
    for (const spec of PROVIDERS) {
      if (spec.dialect === "gemini" || spec.dialect === "ollama") {
        expect(new URL(spec.baseUrl).pathname).toBe("/");
      }
    }
  });

  it("asks for a key from every hosted provider", () => {
    for (const spec of PROVIDERS) {
      if (!spec.local) expect(spec.auth).not.toBe("none");
    }
  });

  it("asks no key of local runtimes and lists no models for them", () => {
    const local = PROVIDERS.filter((spec) => spec.local);
    expect(local.map((spec) => spec.id).sort()).toEqual(["llama-cpp", "lm-studio", "ollama", "vllm"]);
    for (const spec of local) {
      expect(spec.auth).toBe("none");
      expect(spec.listsModels).toBe(true);
      expect(spec.models).toEqual([]);
      expect(new URL(spec.baseUrl).hostname).toBe("127.0.0.1");
    }
  });

  it("has unique model ids within each provider", () => {
    for (const spec of PROVIDERS) {
      const ids = spec.models.map((model) => model.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id.trim()).toBe(id);
    }
  });

  it("has non-negative prices, and cache reads cheaper than fresh input", () => {
    for (const spec of PROVIDERS) {
      for (const model of spec.models) {
        for (const value of [
          ...Object.values(model.pricing ?? {}),
          ...Object.values(model.unitPricing ?? {}),
        ]) {
          expect(Number.isFinite(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(0);
        }
        const pricing = model.pricing;
        if (pricing?.cachedInput !== undefined)
          expect(pricing.cachedInput).toBeLessThanOrEqual(pricing.input);
      }
    }
  });

  it("has positive token limits that fit the context window", () => {
    for (const spec of PROVIDERS) {
      for (const model of spec.models) {
        for (const limit of [model.contextWindow, model.maxOutputTokens]) {
          if (limit !== undefined) expect(Number.isInteger(limit) && limit > 0).toBe(true);
        }
        if (model.contextWindow !== undefined && model.maxOutputTokens !== undefined) {
          expect(model.maxOutputTokens).toBeLessThanOrEqual(model.contextWindow);
        }
      }
    }
  });

  it("gives parseable docs URLs", () => {
    for (const spec of PROVIDERS) {
      if (spec.docsUrl) expect(new URL(spec.docsUrl).protocol).toBe("https:");
    }
  });
});

describe("providerSpec", () => {
  it("finds a provider by id in any letter case", () => {
    expect(providerSpec("openai")?.id).toBe("openai");
    expect(providerSpec("OpenAI")?.id).toBe("openai");
    expect(providerSpec(" GROQ ")?.id).toBe("groq");
  });

  it("resolves the documented aliases case-insensitively", () => {
    const cases: Record<string, string> = {
      kimi: "moonshot",
      GLM: "zai",
      Google: "gemini",
      CLAUDE: "anthropic",
      azure: "azure-openai",
      LMStudio: "lm-studio",
      llamacpp: "llama-cpp",
    };
    for (const [alias, id] of Object.entries(cases)) expect(providerSpec(alias)?.id).toBe(id);
  });

  it("maps every alias to an existing provider without shadowing an id", () => {
    for (const [alias, id] of Object.entries(PROVIDER_ALIASES)) {
      expect(alias).toBe(alias.toLowerCase());
      expect(PROVIDERS.some((spec) => spec.id === alias)).toBe(false);
      expect(PROVIDERS.some((spec) => spec.id === id)).toBe(true);
    }
  });

  it("returns undefined for an unknown provider", () => {
    expect(providerSpec("no-such-provider")).toBeUndefined();
    expect(providerSpec("")).toBeUndefined();
  });
});

describe("modelSpec", () => {
  it("finds a known model through the provider id or an alias", () => {
    expect(modelSpec("anthropic", "claude-haiku-4-5")?.contextWindow).toBe(200_000);
    expect(modelSpec("Claude", "claude-haiku-4-5")?.id).toBe("claude-haiku-4-5");
  });

  it("matches model ids exactly, since upstreams treat them as case-sensitive", () => {
    expect(modelSpec("minimax", "MiniMax-M3")?.id).toBe("MiniMax-M3");
    expect(modelSpec("minimax", "minimax-m3")).toBeUndefined();
  });

  it("returns undefined for an unknown model or provider", () => {
    expect(modelSpec("openai", "no-such-model")).toBeUndefined();
    expect(modelSpec("no-such-provider", "gpt-6-luna")).toBeUndefined();
  });
});
