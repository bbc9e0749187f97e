/**
 * The built-in provider catalogue: for each upstream Switchyard knows out of the box, its wire
 * format, base URL, how it wants its key, and the models it is known to serve. It is data, not
 * code: an OpenAI-compatible provider is one entry here and nothing else.
 *
 * Figures (model ids, context windows, output limits, prices) were checked on 2026-12-02 against
 * the providers' own documentation where it could be found. They are defaults (prices are
 * overridable per model: usage/pricing.ts); a number that could not be confirmed is left out,
 * never guessed. Model lists are not exhaustive: providers with `listsModels` are asked for the
 * live list, and local runtimes list none here because their models come from the running server.
 *
 * Prices are the standard-tier, short-context rates: per token in `pricing`, and per image,
 * character, minute or search in `unitPricing` for models billed that way. Long-context
 * surcharges (e.g. OpenAI above 272K input tokens, xAI above 200K, Claude Haiku 5.5 above 100K),
 * batch, flex, fast and priority tiers are not modelled here.
 */
import type { Dialect } from "../wire/ir.ts";

/** How the upstream wants its key. */
export type AuthStyle = "bearer" | "x-api-key" | "x-goog-api-key" | "api-key" | "none";

/** USD per 1M tokens. */
export interface TokenPrice {
  input: number;
  output: number;
  cachedInput?: number;
  cacheWrite?: number;
  reasoning?: number;
}

/** USD per unit of what the APIs beyond chat bill other than tokens. */
export interface UnitPrice {
  /** Per image generated. */
  perImage?: number;
  /** Per 1M characters of text to speak. */
  perMillionCharacters?: number;
  /** Per minute of audio transcribed. */
  perMinute?: number;
  /** Per 1,000 rerank searches (one query over up to 100 documents). */
  perThousandSearches?: number;
}

/** A model's price: its token rates, its unit rates, or both. */
export type ModelPrice = (TokenPrice | { [rate in keyof TokenPrice]?: undefined }) & UnitPrice;

export interface ModelSpec {
  id: string; // the upstream's model id
  name?: string; // display name
  contextWindow?: number; // tokens
  maxOutputTokens?: number;
  /** Capabilities: true where the model is known to have it, false where known not to; absent is unknown (tried). */
  vision?: boolean;
  tools?: boolean;
  reasoning?: boolean;
  /**
   * USD per 1M tokens, from the provider's public price list; omit when unknown (never invent 0).
   * `cachedInput` is the cache-read rate, `cacheWrite` the cache-write rate (Anthropic's 5-minute
   * write, OpenAI's standard-retention write), `reasoning` a separate rate for reasoning tokens
   * where a provider has one (otherwise they are output tokens, billed at the output rate).
   */
  pricing?: TokenPrice;
  /** USD per image, character, minute or search, for a model billed by those; omit when unknown. */
  unitPricing?: UnitPrice;
}

/** The APIs beyond chat, each served in one upstream style (src/providers/media-apis.ts). */
export type MediaApi = "embeddings" | "images" | "speech" | "transcriptions" | "moderations" | "rerank";

/** How an upstream shapes an API's requests and answers. */
export type MediaStyle = "openai" | "gemini" | "ollama" | "cohere" | "voyage" | "jina";

export interface MediaRoute {
  style: MediaStyle;
  /** Resolved against the base URL as a link is (a leading slash starts at the host); else the style's own path. */
  path?: string;
}

export interface ProviderSpec {
  id: string; // stable lowercase id used in model strings: "<id>/<model>"
  name: string; // display name
  dialect: Dialect; // the upstream's wire format
  /** What that API's official SDK takes as base URL: OpenAI-style ends in /v1 (we append /chat/completions, /models…), Anthropic-style https://api.anthropic.com (we append /v1/messages), Gemini https://generativelanguage.googleapis.com (we append /v1beta/models/…), Ollama http://host:11434 (we append /api/chat). */
  baseUrl: string;
  auth: AuthStyle;
  /** Extra headers every request needs (e.g. anthropic-version). */
  headers?: Record<string, string>;
  /** Runs on the user's machine; no key needed by default. */
  local?: boolean;
  /** The upstream lists its models (OpenAI GET {base}/models, Anthropic GET /v1/models, Gemini GET /v1beta/models, Ollama GET /api/tags). */
  listsModels: boolean;
  /** For azure-openai: the base URL is the deployment URL and requests need ?api-version=. */
  apiVersion?: string;
  docsUrl?: string;
  /** The APIs beyond chat where they differ from the dialect's own (media-apis.ts has the defaults). */
  apis?: Partial<Record<MediaApi, MediaRoute>>;
  /**
   * The message field that makes a final assistant message the start of the answer, for an
   * OpenAI-style API that continues one only when asked (Mistral's `prefix`).
   */
  prefillField?: string;
  models: ModelSpec[];
}

export const ANTHROPIC_HEADERS = { "anthropic-version": "2023-06-01" };

/** Claude, GPT and Gemini models of the current generations all take images, call tools and think. */
const FRONTIER = { vision: true, tools: true, reasoning: true } as const;

/** OpenAI's open-weight gpt-oss models, wherever they are served: text in, tools, reasoning. */
const GPT_OSS = { vision: false, tools: true, reasoning: true } as const;

export const PROVIDERS: readonly ProviderSpec[] = [
  {
    id: "openai",
    name: "OpenAI",
    // The GPT-6 models are built for the Responses API (built-in tools; on Chat Completions some
    // allow function calling only with reasoning effort "none"), but Chat Completions is the
    // lowest common denominator every client and proxy speaks, so it stays the default.
    dialect: "openai-chat",
    baseUrl: "https://api.openai.com/v1",
    auth: "bearer",
    listsModels: true,
    docsUrl: "https://developers.openai.com/api/docs/models",
    models: [
      {
        id: "gpt-6.2-astra",
        name: "GPT-6.2 Astra",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 8, output: 40, cachedInput: 0.4 },
      },
      {
        id: "gpt-6.2-sol",
        name: "GPT-6.2 Sol",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 2, output: 10, cachedInput: 0.1, cacheWrite: 2.5 },
      },
      {
        id: "gpt-6.1-terra",
        name: "GPT-6.1 Terra",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 1, output: 5 },
      },
      {
        id: "gpt-6-luna",
        name: "GPT-6 Luna",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 0.1, output: 0.5 },
      },
      {
        id: "gpt-6-astra",
        name: "GPT-6 Astra",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 10, output: 50, cachedInput: 1, cacheWrite: 12.5 },
      },
      {
        id: "gpt-6.1-sol",
        name: "GPT-6.1 Sol",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 2, output: 10, cachedInput: 0.1 },
      },
      {
        id: "gpt-6-sol",
        name: "GPT-6 Sol",
        contextWindow: 1_050_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 2, output: 10, cachedInput: 0.2, cacheWrite: 2.5 },
      },
      { id: "text-embedding-3-small", name: "Text Embedding 3 Small", pricing: { input: 0.02, output: 0 } },
      { id: "text-embedding-3-large", name: "Text Embedding 3 Large", pricing: { input: 0.13, output: 0 } },
      // Moderations cost nothing.
      { id: "omni-moderation-latest", name: "Omni Moderation", pricing: { input: 0, output: 0 } },
      // Text input and image output tokens; image input tokens ($10) are not told apart in usage.
      { id: "gpt-image-1", name: "GPT Image 1", pricing: { input: 5, output: 40 } },
      // Billed per image at rates that depend on size and quality, and listed by OpenAI as removed
      // from the API: no rate.
      { id: "dall-e-3", name: "DALL·E 3" },
      { id: "tts-1", name: "TTS-1", unitPricing: { perMillionCharacters: 15 } },
      { id: "whisper-1", name: "Whisper", unitPricing: { perMinute: 0.006 } },
    ],
  },
  {
    id: "anthropic",
    name: "Anthropic",
    dialect: "anthropic",
    baseUrl: "https://api.anthropic.com",
    auth: "x-api-key",
    headers: ANTHROPIC_HEADERS,
    listsModels: true,
    docsUrl: "https://platform.claude.com/docs/en/about-claude/models/overview",
    models: [
      {
        id: "claude-fable-5-2",
        name: "Claude Fable 5.2",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 8, output: 40 },
      },
      {
        id: "claude-fable-5-1",
        name: "Claude Fable 5.1",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 10, output: 50 },
      },
      {
        id: "claude-opus-5-5",
        name: "Claude Opus 5.5",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 4, output: 20, cachedInput: 0.2, cacheWrite: 5 },
      },
      {
        id: "claude-sonnet-5-5",
        name: "Claude Sonnet 5.5",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 2, output: 10, cachedInput: 0.2, cacheWrite: 2.5 },
      },
      {
        id: "claude-haiku-5-5",
        name: "Claude Haiku 5.5",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 0.1, output: 0.5, cacheWrite: 0.125 },
      },
      {
        id: "claude-opus-5",
        name: "Claude Opus 5",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 5, output: 25, cachedInput: 0.5, cacheWrite: 6.25 },
      },
      {
        id: "claude-sonnet-5",
        name: "Claude Sonnet 5",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 2, output: 10, cachedInput: 0.2, cacheWrite: 2.5 },
      },
      {
        id: "claude-opus-4-6",
        name: "Claude Opus 4.6",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 5, output: 25, cachedInput: 0.5, cacheWrite: 6.25 },
      },
      {
        id: "claude-sonnet-4-6",
        name: "Claude Sonnet 4.6",
        contextWindow: 1_000_000,
        maxOutputTokens: 128_000,
        ...FRONTIER,
        pricing: { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
      },
      {
        id: "claude-haiku-4-5",
        name: "Claude Haiku 4.5",
        contextWindow: 200_000,
        maxOutputTokens: 64_000,
        ...FRONTIER,
        pricing: { input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25 },
      },
    ],
  },
  {
    id: "gemini",
    name: "Google Gemini",
    dialect: "gemini",
    baseUrl: "https://generativelanguage.googleapis.com",
    auth: "x-goog-api-key",
    listsModels: true,
    docsUrl: "https://ai.google.dev/gemini-api/docs/models",
    models: [
      // Gemini 4 counts input and output against one shared 1,048,576-token limit; 65,536 is what a
      // single (streamed) segment generates before a long-decode continuation is needed.
      {
        id: "gemini-4-carbon",
        name: "Gemini 4 Carbon",
        contextWindow: 1_048_576,
        maxOutputTokens: 65_536,
        ...FRONTIER,
      },
      {
        id: "gemini-4-argon",
        name: "Gemini 4 Argon",
        contextWindow: 1_048_576,
        maxOutputTokens: 65_536,
        ...FRONTIER,
        // The list price from 2026-12-01, when the launch discount ended.
        pricing: { input: 4, output: 20, cachedInput: 0.2 },
      },
      {
        id: "gemini-3.8-flash",
        name: "Gemini 3.8 Flash",
        contextWindow: 1_048_576,
        maxOutputTokens: 65_536,
        ...FRONTIER,
      },
      { id: "gemini-3.5-flash-lite", name: "Gemini 3.5 Flash-Lite", vision: true, tools: true },
      { id: "gemini-3.1-pro-preview", name: "Gemini 3.1 Pro Preview", ...FRONTIER },
      { id: "gemini-embedding-001", name: "Gemini Embedding" },
      { id: "imagen-4.0-generate-001", name: "Imagen 4" },
    ],
  },
  {
    id: "openrouter",
    name: "OpenRouter",
    dialect: "openai-chat",
    baseUrl: "https://openrouter.ai/api/v1",
    auth: "bearer",
    listsModels: true,
    docsUrl: "https://openrouter.ai/docs",
    // Prices vary with the provider OpenRouter routes to; the live list carries them.
    models: [
      { id: "openrouter/auto", name: "Auto Router" },
      { id: "anthropic/claude-opus-5.5", name: "Claude Opus 5.5" },
      { id: "google/gemini-4-carbon", name: "Gemini 4 Carbon" },
      { id: "openai/gpt-oss-120b", name: "gpt-oss-120b", ...GPT_OSS },
    ],
  },
  {
    id: "groq",
    name: "Groq",
    dialect: "openai-chat",
    baseUrl: "https://api.groq.com/openai/v1",
    auth: "bearer",
    listsModels: true,
    docsUrl: "https://console.groq.com/docs/models",
    models: [
      {
        id: "openai/gpt-oss-120b",
        name: "GPT-OSS 120B",
        contextWindow: 131_072,
        maxOutputTokens: 65_536,
        ...GPT_OSS,
        pricing: { input: 0.15, output: 0.6 },
      },
      { id: "openai/gpt-oss-20b", name: "GPT-OSS 20B", contextWindow: 131_072, ...GPT_OSS },
      { id: "groq/compound", name: "Groq Compound", tools: true },
    ],
  },
  {
    id: "deepseek",
    name: "DeepSeek",
    dialect: "openai-chat",
    baseUrl: "https://api.deepseek.com/v1",
    auth: "bearer",
    listsModels: true,
    docsUrl: "https://api-docs.deepseek.com/quick_start/pricing",
    // DeepSeek prices by time of day (off-peak is half the peak rate), which one flat price cannot
    // express, so pricing is left to overrides. deepseek-chat / deepseek-reasoner were retired.
    models: [
      {
        id: "deepseek-flash",
        name: "DeepSeek V4.1 Flash",
        maxOutputTokens: 384_000,
        vision: true,
        tools: true,
        reasoning: true,
      },
      {
        id: "deepseek-v4-pro",
        name: "DeepSeek V4 Pro",
        maxOutputTokens: 384_000,
        tools: true,
        reasoning: true,
      },
    ],
  },
  {
    id: "mistral",
    name: "Mistral AI",
    dialect: "openai-chat",
    baseUrl: "https://api.mistral.ai/v1",
    auth: "bearer",
    listsModels: true,
    docsUrl: "https://docs.mistral.ai/getting-started/models/",
    prefillField: "prefix",
    models: [
      { id: "mistral-medium-latest", name: "Mistral Medium", vision: true, tools: true, reasoning: true },
      { id: "mistral-large-latest", name: "Mistral Large", tools: true },
      { id: "mistral-small-latest", name: "Mistral Small", tools: true },
      { id: "codestral-latest", name: "Codestral", tools: true },
    ],
  },
  {
    id: "xai",
    name: "xAI",
    dialect: "openai-chat",
    baseUrl: "https://api.x.ai/v1",
    auth: "bearer",
    listsModels: true,
    docsUrl: "https://docs.x.ai/developers/models",
    models: [
      {
        id: "grok-4.7",
        name: "Grok 4.7",
        contextWindow: 500_000,
        ...FRONTIER,
        pricing: { input: 2, output: 6, cachedInput: 0.5 },
      },
      {
        id: "grok-4.5",
        name: "Grok 4.5",
        contextWindow: 500_000,
        ...FRONTIER,
        pricing: { input: 2, output: 6, cachedInput: 0.5 },
      },
      {
        id: "grok-4.3",
        name: "Grok 4.3",
        contextWindow: 1_000_000,
        ...FRONTIER,
        pricing: { input: 1.25, output: 2.5, cachedInput: 0.2 },
      },
      { id: "grok-4.20-non-reasoning", name: "Grok 4.20 (non-reasoning)", vision: true, tools: true },
    ],
  },
  {
    id: "together",
    name: "Together AI",
    dialect: "openai-chat",
    baseUrl: "https://api.together.xyz/v1",
    auth: "bearer",
    listsModels: true,
    docsUrl: "https://docs.together.ai/docs/serverless-models",
    models: [{ id: "openai/gpt-oss-120b", name: "GPT-OSS 120B", ...GPT_OSS }],
  },
  {
    id: "fireworks",
    name: "Fireworks AI",
    dialect: "openai-chat",
    baseUrl: "https://api.fireworks.ai/inference/v1",
    auth: "bearer",
    listsModels: true,
    docsUrl: "https://docs.fireworks.ai/",
    models: [
      { id: "accounts/fireworks/models/deepseek-v4-flash", name: "DeepSeek V4 Flash", tools: true },
      { id: "accounts/fireworks/models/glm-5", name: "GLM-5", tools: true },
    ],
  },
  {
    id: "cerebras",
    name: "Cerebras",
    dialect: "openai-chat",
    baseUrl: "https://api.cerebras.ai/v1",
    auth: "bearer",
    listsModels: true,
    docsUrl: "https://inference-docs.cerebras.ai/models/overview",
    // Context is 65K on the free tier and 131K on paid tiers, so no single window is recorded.
    models: [
      { id: "gpt-oss-120b", name: "GPT-OSS 120B", ...GPT_OSS },
      { id: "qwen-3.8-27b", name: "Qwen 3.8 27B", tools: true, reasoning: true },
    ],
  },
  {
    id: "nvidia",
    name: "NVIDIA NIM",
    dialect: "openai-chat",
    baseUrl: "https://integrate.api.nvidia.com/v1",
    auth: "bearer",
    listsModels: true,
    docsUrl: "https://build.nvidia.com/models",
    models: [{ id: "openai/gpt-oss-120b", name: "GPT-OSS 120B", ...GPT_OSS }],
  },
  {
    id: "perplexity",
    name: "Perplexity",
    // Sonar Chat Completions was retired on 2026-09-27; the Agent API speaks the Responses format.
    dialect: "openai-responses",
    baseUrl: "https://api.perplexity.ai/v1",
    auth: "bearer",
    listsModels: false,
    docsUrl: "https://docs.perplexity.ai/docs/agent-api/migrate-from-sonar/overview",
    models: [{ id: "perplexity/sonar", name: "Sonar", tools: true }],
  },
  {
    id: "moonshot",
    name: "Moonshot AI (Kimi)",
    dialect: "openai-chat",
    baseUrl: "https://api.moonshot.ai/v1",
    auth: "bearer",
    listsModels: true,
    docsUrl: "https://platform.moonshot.ai/docs",
    models: [
      { id: "kimi-k3", name: "Kimi K3", tools: true, reasoning: true },
      {
        id: "kimi-k2.6",
        name: "Kimi K2.6",
        contextWindow: 262_144,
        vision: true,
        tools: true,
        reasoning: true,
      },
    ],
  },
  {
    id: "zai",
    name: "Z.ai (GLM)",
    dialect: "anthropic",
    baseUrl: "https://api.z.ai/api/anthropic",
    // Z.ai's Anthropic-compatible endpoint is documented with ANTHROPIC_AUTH_TOKEN, i.e. a bearer token.
    auth: "bearer",
    headers: ANTHROPIC_HEADERS,
    listsModels: false,
    docsUrl: "https://docs.z.ai/",
    models: [
      { id: "glm-5.3", name: "GLM-5.3", tools: true, reasoning: true },
      { id: "glm-5.2", name: "GLM-5.2", contextWindow: 1_048_576, tools: true, reasoning: true },
      { id: "glm-5.1", name: "GLM-5.1", tools: true, reasoning: true },
    ],
  },
  {
    id: "minimax",
    name: "MiniMax",
    dialect: "anthropic",
    baseUrl: "https://api.minimax.io/anthropic",
    auth: "x-api-key",
    headers: ANTHROPIC_HEADERS,
    listsModels: false,
    docsUrl: "https://platform.minimax.io/docs/api-reference/text-anthropic-api",
    models: [
      {
        id: "MiniMax-M3",
        name: "MiniMax M3",
        contextWindow: 1_000_000,
        vision: true,
        tools: true,
        reasoning: true,
      },
      { id: "MiniMax-M2.7", name: "MiniMax M2.7", contextWindow: 204_800, tools: true, reasoning: true },
      {
        id: "MiniMax-M2.7-highspeed",
        name: "MiniMax M2.7 Highspeed",
        contextWindow: 204_800,
        tools: true,
        reasoning: true,
      },
    ],
  },
  {
    id: "azure-openai",
    name: "Azure OpenAI",
    dialect: "openai-chat",
    // A placeholder: every user has their own resource and deployment, and must supply this URL.
    baseUrl: "https://{resource}.openai.azure.com/openai/deployments/{deployment}",
    auth: "api-key",
    // The deployment URL fixes the model, and the models list lives elsewhere on the resource.
    listsModels: false,
    apiVersion: "2024-10-21",
    docsUrl: "https://learn.microsoft.com/azure/ai-foundry/openai/reference",
    models: [],
  },
  {
    id: "cohere",
    name: "Cohere",
    dialect: "openai-chat",
    baseUrl: "https://api.cohere.ai/compatibility/v1",
    auth: "bearer",
    // The Compatibility API covers chat completions and embeddings, not the models list.
    listsModels: false,
    docsUrl: "https://docs.cohere.com/docs/compatibility-api",
    // Embed and rerank in Cohere's own v2 API, beside the Compatibility API on the same host.
    apis: {
      embeddings: { style: "cohere", path: "/v2/embed" },
      rerank: { style: "cohere", path: "/v2/rerank" },
    },
    models: [
      {
        id: "command-a-03-2025",
        name: "Command A",
        contextWindow: 256_000,
        tools: true,
        pricing: { input: 2.5, output: 10 },
      },
      { id: "embed-v4.0", name: "Embed 4" },
      // Billed per search (one query over up to 100 documents); Cohere's price list gives no
      // per-search rate for it, so none is set.
      { id: "rerank-v3.5", name: "Rerank 3.5" },
    ],
  },
  // Voyage and Jina serve embeddings and rerank only; they have no chat API.
  {
    id: "voyage",
    name: "Voyage AI",
    dialect: "openai-chat",
    baseUrl: "https://api.voyageai.com/v1",
    auth: "bearer",
    listsModels: false,
    docsUrl: "https://docs.voyageai.com/reference/embeddings-api",
    apis: { embeddings: { style: "voyage" }, rerank: { style: "voyage" } },
    models: [
      { id: "voyage-3.5", name: "Voyage 3.5" },
      { id: "rerank-2.5", name: "Rerank 2.5" },
    ],
  },
  {
    id: "jina",
    name: "Jina AI",
    dialect: "openai-chat",
    baseUrl: "https://api.jina.ai/v1",
    auth: "bearer",
    listsModels: false,
    docsUrl: "https://jina.ai/embeddings/",
    apis: { embeddings: { style: "jina" }, rerank: { style: "jina" } },
    models: [
      { id: "jina-embeddings-v3", name: "Jina Embeddings v3" },
      { id: "jina-reranker-v2-base-multilingual", name: "Jina Reranker v2" },
    ],
  },
  {
    id: "qwen",
    name: "Qwen (Alibaba Cloud Model Studio)",
    dialect: "openai-chat",
    baseUrl: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
    auth: "bearer",
    listsModels: false,
    docsUrl: "https://www.alibabacloud.com/help/en/model-studio/",
    models: [
      { id: "qwen-max", name: "Qwen Max", tools: true },
      { id: "qwen-plus", name: "Qwen Plus", tools: true },
      { id: "qwen-flash", name: "Qwen Flash", tools: true },
      { id: "qwen3-coder-plus", name: "Qwen3 Coder Plus", tools: true },
    ],
  },
  {
    id: "deepinfra",
    name: "DeepInfra",
    dialect: "openai-chat",
    baseUrl: "https://api.deepinfra.com/v1/openai",
    auth: "bearer",
    listsModels: true,
    docsUrl: "https://deepinfra.com/docs/openai_api",
    models: [{ id: "openai/gpt-oss-120b", name: "GPT-OSS 120B", ...GPT_OSS }],
  },
  {
    id: "novita",
    name: "Novita AI",
    dialect: "openai-chat",
    baseUrl: "https://api.novita.ai/openai/v1",
    auth: "bearer",
    listsModels: true,
    docsUrl: "https://novita.ai/docs/guides/llm-api",
    models: [],
  },
  {
    id: "sambanova",
    name: "SambaNova Cloud",
    dialect: "openai-chat",
    baseUrl: "https://api.sambanova.ai/v1",
    auth: "bearer",
    listsModels: true,
    docsUrl: "https://docs.sambanova.ai/",
    models: [],
  },
  {
    id: "hyperbolic",
    name: "Hyperbolic",
    dialect: "openai-chat",
    baseUrl: "https://api.hyperbolic.xyz/v1",
    auth: "bearer",
    listsModels: true,
    docsUrl: "https://docs.hyperbolic.xyz/",
    models: [],
  },
  {
    id: "ollama",
    name: "Ollama",
    dialect: "ollama",
    baseUrl: "http://127.0.0.1:11434",
    auth: "none",
    local: true,
    listsModels: true,
    docsUrl: "https://docs.ollama.com/api",
    models: [],
  },
  {
    id: "lm-studio",
    name: "LM Studio",
    dialect: "openai-chat",
    baseUrl: "http://127.0.0.1:1234/v1",
    auth: "none",
    local: true,
    listsModels: true,
    docsUrl: "https://lmstudio.ai/docs/app/api/endpoints/openai",
    models: [],
  },
  {
    id: "vllm",
    name: "vLLM",
    dialect: "openai-chat",
    baseUrl: "http://127.0.0.1:8000/v1",
    auth: "none",
    local: true,
    listsModels: true,
    docsUrl: "https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html",
    models: [],
  },
  {
    id: "llama-cpp",
    name: "llama.cpp server",
    dialect: "openai-chat",
    baseUrl: "http://127.0.0.1:8080/v1",
    auth: "none",
    local: true,
    listsModels: true,
    docsUrl: "https://github.com/ggml-org/llama.cpp/tree/master/tools/server",
    models: [],
  },
];

/** Other names users type for a provider, lowercase, each mapped to a catalogue id. */
export const PROVIDER_ALIASES: Readonly<Record<string, string>> = {
  claude: "anthropic",
  google: "gemini",
  "google-ai-studio": "gemini",
  kimi: "moonshot",
  "moonshot-ai": "moonshot",
  glm: "zai",
  "z.ai": "zai",
  "z-ai": "zai",
  zhipu: "zai",
  grok: "xai",
  "x-ai": "xai",
  azure: "azure-openai",
  "together-ai": "together",
  "fireworks-ai": "fireworks",
  nim: "nvidia",
  dashscope: "qwen",
  alibaba: "qwen",
  lmstudio: "lm-studio",
  llamacpp: "llama-cpp",
  "llama.cpp": "llama-cpp",
};

const BY_ID = new Map(PROVIDERS.map((spec) => [spec.id, spec]));

/** The catalogue entry for a provider id or a documented alias, in any letter case. */
export function providerSpec(id: string): ProviderSpec | undefined {
  const exact = BY_ID.get(id);
  if (exact) return exact;
  const key = id.trim().toLowerCase();
  return BY_ID.get(key) ?? BY_ID.get(PROVIDER_ALIASES[key] ?? "");
}

/**
 * A model the catalogue knows at a provider (id or alias). Model ids match exactly: upstreams
 * treat them as case-sensitive ("MiniMax-M3"), so a near miss must not route as a known model.
 */
export function modelSpec(providerId: string, modelId: string): ModelSpec | undefined {
  const spec = providerSpec(providerId);
  return spec ? MODELS_BY_PROVIDER.get(spec)?.get(modelId) : undefined;
}

/** Asked for every target of every request (capabilities, context windows): a lookup, not a scan. */
const MODELS_BY_PROVIDER = new Map(
  PROVIDERS.map((spec) => [spec, new Map(spec.models.map((model) => [model.id, model]))]),
);
