/**
 * The database schema (drizzle). `drizzle-kit generate` turns changes here into the SQL
 * migrations under ./migrations, which are embedded in the binary and applied at start.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" }).notNull().default(sql`(unixepoch('subsec') * 1000)`);

/** Single-row facts and documents: the admin password hash, the session secret, settings. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`),
});

/** Switchyard API keys; only a SHA-256 hash of the secret is stored. */
export const apiKeys = sqliteTable("api_keys", {
  id: text("id").primaryKey(),
  label: text("label").notNull(),
  keyHash: text("key_hash").notNull().unique(),
  keyPreview: text("key_preview").notNull(),
  isAdmin: integer("is_admin", { mode: "boolean" }).notNull().default(false),
  isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
  createdAt: createdAt(),
  lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
  /** Set when the key is deleted; the row stays so that usage history keeps its label. */
  revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  /** Requests with this key are accounted for but their bodies are never kept in call logs. */
  noLog: integer("no_log", { mode: "boolean" }).notNull().default(false),
  /** Model patterns this key may call (`*` wildcards); null: every model. */
  allowedModels: text("allowed_models", { mode: "json" }).$type<string[]>(),
  requestsPerMinute: integer("requests_per_minute"),
  requestsPerDay: integer("requests_per_day"),
  tokensPerMinute: integer("tokens_per_minute"),
  expiresAt: integer("expires_at", { mode: "timestamp_ms" }),
  /** Client addresses this key may be used from (IPs or CIDR ranges); null: anywhere. */
  ipAllowlist: text("ip_allowlist", { mode: "json" }).$type<string[]>(),
});

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/** Custom upstream endpoints a user adds (an OpenAI- or Anthropic-compatible server). */
export const providerNodes = sqliteTable("provider_nodes", {
  id: text("id").primaryKey(),
  /** "openai-compatible" | "anthropic-compatible" */
  type: text("type").notNull(),
  /** For openai-compatible nodes: "chat" or "responses". */
  apiType: text("api_type").notNull().default("chat"),
  name: text("name").notNull(),
  prefix: text("prefix").notNull().unique(),
  baseUrl: text("base_url").notNull(),
  createdAt: createdAt(),
});

/** An account at a provider (catalogue id) or a custom node: its key, base URL and order. */
export const providerConnections = sqliteTable("provider_connections", {
  id: text("id").primaryKey(),
  /** A catalogue provider id or a provider node id. */
  provider: text("provider").notNull(),
  name: text("name").notNull(),
  /** The upstream API key, encrypted at rest (security/secrets.ts); null for keyless local runtimes. */
  apiKeyEncrypted: text("api_key_encrypted"),
  /** Overrides the provider's default base URL. */
  baseUrl: text("base_url"),
  priority: integer("priority").notNull().default(0),
  isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
  defaultModel: text("default_model"),
  /** Extra request headers, JSON object. */
  headers: text("headers", { mode: "json" }).$type<Record<string, string>>(),
  providerSpecificData: text("provider_specific_data", { mode: "json" }).$type<Record<string, unknown>>(),
  /** Model ids the upstream listed the last time it was asked. */
  models: text("models", { mode: "json" }).$type<string[]>(),
  /** "active" | "error" | "untested" */
  testStatus: text("test_status").notNull().default("untested"),
  lastError: text("last_error"),
  lastTestedAt: integer("last_tested_at", { mode: "timestamp_ms" }),
  /** A subscription: its requests cost nothing per token (their tokens still count). */
  flatRate: integer("flat_rate", { mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`),
});

/** A short name for a model string: `alias` → `target` ("<provider>/<model>" or another alias). */
export const modelAliases = sqliteTable("model_aliases", {
  alias: text("alias").primaryKey(),
  target: text("target").notNull(),
  createdAt: createdAt(),
});

export type ProviderNodeRow = typeof providerNodes.$inferSelect;
export type ProviderConnectionRow = typeof providerConnections.$inferSelect;
export type ModelAliasRow = typeof modelAliases.$inferSelect;

export interface ComboStep {
  /** A model string ("<provider>/<model>", an alias, a bare id or another combo's name). */
  model?: string;
  /** Pins the step to one connection. */
  connectionId?: string;
  weight: number;
  priority: number;
}

/** A named routing plan: its steps and how to order them. Its name is usable as a model. */
export const combos = sqliteTable("combos", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  strategy: text("strategy").notNull().default("priority"),
  /** The model the spec's `nodes` form applies to each connection step. */
  model: text("model"),
  steps: text("steps", { mode: "json" }).$type<ComboStep[]>().notNull(),
  /** An instruction added to every request this combo serves, after the global one. */
  systemPrompt: text("system_prompt"),
  createdAt: createdAt(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`),
});

/** Per model: the providers to try, in order (OmniRoute's fallback chains). */
export const fallbackChains = sqliteTable("fallback_chains", {
  model: text("model").primaryKey(),
  chain: text("chain", { mode: "json" })
    .$type<Array<{ provider: string; priority: number; enabled: boolean }>>()
    .notNull(),
  createdAt: createdAt(),
});

export type ComboRow = typeof combos.$inferSelect;
export type FallbackChainRow = typeof fallbackChains.$inferSelect;

const at = (name: string) => integer(name, { mode: "timestamp_ms" }).notNull();

/**
 * One row per client request (usage/recorder.ts). `id` is assigned by the recorder inside its
 * write transaction, so that attempts and call logs of a batch can point at their request.
 * Token counts are null when the request reported no usage at all; unit counts (images,
 * characters, audio seconds, searches) are null where the call is not measured in them or the
 * count is unknown; `cost_usd` is null when the price is unknown (never a guessed 0).
 */
export const usageRecords = sqliteTable(
  "usage_records",
  {
    id: integer("id").primaryKey(),
    startedAt: at("started_at"),
    requestId: text("request_id").notNull(),
    apiKeyId: text("api_key_id").notNull(),
    clientDialect: text("client_dialect").notNull(),
    requestedModel: text("requested_model").notNull(),
    provider: text("provider"),
    connectionId: text("connection_id"),
    model: text("model"),
    combo: text("combo"),
    comboStep: integer("combo_step"),
    stream: integer("stream", { mode: "boolean" }).notNull(),
    status: integer("status").notNull(),
    errorType: text("error_type"),
    errorMessage: text("error_message"),
    attempts: integer("attempts").notNull(),
    aborted: integer("aborted", { mode: "boolean" }).notNull(),
    latencyMs: real("latency_ms").notNull(),
    ttfbMs: real("ttfb_ms"),
    overheadMs: real("overhead_ms"),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    cachedInputTokens: integer("cached_input_tokens"),
    cacheWriteTokens: integer("cache_write_tokens"),
    reasoningTokens: integer("reasoning_tokens"),
    images: integer("images"),
    characters: integer("characters"),
    audioSeconds: real("audio_seconds"),
    searches: integer("searches"),
    estimated: integer("estimated", { mode: "boolean" }).notNull(),
    costUsd: real("cost_usd"),
    flatRate: integer("flat_rate", { mode: "boolean" }).notNull(),
  },
  (table) => [
    index("usage_records_started_at").on(table.startedAt),
    index("usage_records_key").on(table.apiKeyId, table.startedAt),
    index("usage_records_connection").on(table.connectionId, table.startedAt),
    index("usage_records_model").on(table.model, table.startedAt),
    index("usage_records_provider").on(table.provider, table.startedAt),
    // Failures are few: listing them newest first must not walk every success.
    index("usage_records_errors").on(table.startedAt).where(sql`${table.status} >= 400`),
  ],
);

/** Every upstream attempt of a request, in order (the proxy log). */
export const usageAttempts = sqliteTable(
  "usage_attempts",
  {
    id: integer("id").primaryKey(),
    usageId: integer("usage_id").notNull(),
    /** The request's start, repeated for time filters and pruning without a join. */
    startedAt: at("started_at"),
    attempt: integer("attempt").notNull(),
    provider: text("provider").notNull(),
    connectionId: text("connection_id").notNull(),
    model: text("model").notNull(),
    status: integer("status"),
    failure: text("failure"),
    error: text("error"),
    latencyMs: real("latency_ms").notNull(),
  },
  (table) => [
    index("usage_attempts_started_at").on(table.startedAt),
    index("usage_attempts_connection").on(table.connectionId, table.startedAt),
    index("usage_attempts_usage").on(table.usageId),
  ],
);

/** Request and response bodies of a request (redacted, capped), kept for a short retention. */
export const callLogs = sqliteTable(
  "call_logs",
  {
    usageId: integer("usage_id").primaryKey(),
    startedAt: at("started_at"),
    clientRequest: text("client_request").notNull(),
    upstreamRequest: text("upstream_request"),
    upstreamResponse: text("upstream_response"),
    clientResponse: text("client_response"),
    truncated: integer("truncated", { mode: "boolean" }).notNull(),
  },
  (table) => [index("call_logs_started_at").on(table.startedAt)],
);

/**
 * Usage summed per hour and per (key, provider, model, connection, error type), written in the
 * recorder's transaction: analytics over a month read thousands of these, not a million rows.
 * Empty strings stand for "none", because SQLite treats NULLs in a key as all distinct.
 */
export const usageHourly = sqliteTable(
  "usage_hourly",
  {
    hour: at("hour"),
    apiKeyId: text("api_key_id").notNull(),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    connectionId: text("connection_id").notNull(),
    errorType: text("error_type").notNull(),
    requests: integer("requests").notNull(),
    successes: integer("successes").notNull(),
    aborted: integer("aborted").notNull(),
    /** Requests that needed more than one attempt. */
    fallbacks: integer("fallbacks").notNull(),
    attempts: integer("attempts").notNull(),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    cachedInputTokens: integer("cached_input_tokens").notNull(),
    cacheWriteTokens: integer("cache_write_tokens").notNull(),
    reasoningTokens: integer("reasoning_tokens").notNull(),
    costUsd: real("cost_usd").notNull(),
    /** Requests whose cost is unknown (no price, or no usage reported). */
    unpriced: integer("unpriced").notNull(),
    latencyMsSum: real("latency_ms_sum").notNull(),
  },
  (table) => [
    primaryKey({
      columns: [table.hour, table.apiKeyId, table.provider, table.model, table.connectionId, table.errorType],
    }),
  ],
);

/** Latency histograms per hour (log-spaced buckets, usage/histogram.ts), for percentiles. */
export const usageLatency = sqliteTable(
  "usage_latency",
  {
    /** "total" | "ttfb" | "overhead" */
    metric: text("metric").notNull(),
    hour: at("hour"),
    bucket: integer("bucket").notNull(),
    count: integer("count").notNull(),
  },
  (table) => [primaryKey({ columns: [table.metric, table.hour, table.bucket] })],
);

/** A price that replaces the catalogue's for one model at one provider: USD per 1M tokens, and per unit. */
export const pricingOverrides = sqliteTable(
  "pricing_overrides",
  {
    /** A catalogue id or a provider node's prefix. */
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    /** USD per 1M tokens; input and output are both set or both null (a price by units only). */
    input: real("input"),
    output: real("output"),
    cachedInput: real("cached_input"),
    cacheWrite: real("cache_write"),
    reasoning: real("reasoning"),
    perImage: real("per_image"),
    perMillionCharacters: real("per_million_characters"),
    perMinute: real("per_minute"),
    perThousandSearches: real("per_thousand_searches"),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (table) => [primaryKey({ columns: [table.provider, table.model] })],
);

/** Spending limits of one API key, USD per UTC day, ISO week and calendar month. */
export const usageBudgets = sqliteTable("usage_budgets", {
  apiKeyId: text("api_key_id")
    .primaryKey()
    .references(() => apiKeys.id, { onDelete: "cascade" }),
  dailyUsd: real("daily_usd"),
  weeklyUsd: real("weekly_usd"),
  monthlyUsd: real("monthly_usd"),
  /** The share of a limit at which the budget reports a warning. */
  warnAt: real("warn_at").notNull().default(0.8),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`),
});

export type UsageRecordRow = typeof usageRecords.$inferSelect;
export type UsageAttemptRow = typeof usageAttempts.$inferSelect;
export type CallLogRow = typeof callLogs.$inferSelect;
export type PricingOverrideRow = typeof pricingOverrides.$inferSelect;
export type UsageBudgetRow = typeof usageBudgets.$inferSelect;

/**
 * Who changed what through the management API, and every sign-in attempt. `before`/`after` are
 * the resource as the API shows it, with secrets redacted before they are written.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey(),
    at: at("at"),
    /** "session", "key:<api key id>", or "anonymous" for a failed sign-in. */
    actor: text("actor").notNull(),
    ip: text("ip").notNull(),
    method: text("method").notNull(),
    /** The route pattern, e.g. "/api/keys/:id". */
    route: text("route").notNull(),
    /** The id the route acted on, when it names one. */
    target: text("target"),
    status: integer("status").notNull(),
    before: text("before", { mode: "json" }),
    after: text("after", { mode: "json" }),
  },
  (table) => [index("audit_log_at").on(table.at), index("audit_log_actor").on(table.actor, table.at)],
);

/** Request bodies saved by name in the translator playground. */
export const translatorSnippets = sqliteTable("translator_snippets", {
  name: text("name").primaryKey(),
  sourceFormat: text("source_format"),
  targetFormat: text("target_format"),
  body: text("body", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  createdAt: createdAt(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`),
});

export interface EvalCheck {
  type: "contains" | "regex" | "json" | "json-schema";
  /** The text to find (contains) or the pattern (regex). */
  value?: string;
  /** For json-schema. */
  schema?: Record<string, unknown>;
  ignoreCase?: boolean;
}

export interface EvalCase {
  name: string;
  prompt: string;
  system?: string;
  checks: EvalCheck[];
}

/** A named set of prompts, each with the checks its answer must pass. */
export const evalSuites = sqliteTable("eval_suites", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  description: text("description"),
  cases: text("cases", { mode: "json" }).$type<EvalCase[]>().notNull(),
  createdAt: createdAt(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`),
});

export interface EvalResult {
  model: string;
  case: string;
  status: number;
  latencyMs: number;
  output: string | null;
  error: string | null;
  checks: Array<{ type: EvalCheck["type"]; passed: boolean; message: string | null }>;
  passed: boolean;
}

/** One run of a suite against a list of models or combos; results per (model, case). */
export const evalRuns = sqliteTable(
  "eval_runs",
  {
    id: text("id").primaryKey(),
    suiteId: text("suite_id")
      .notNull()
      .references(() => evalSuites.id, { onDelete: "cascade" }),
    startedAt: at("started_at"),
    finishedAt: at("finished_at"),
    models: text("models", { mode: "json" }).$type<string[]>().notNull(),
    results: text("results", { mode: "json" }).$type<EvalResult[]>().notNull(),
    passed: integer("passed").notNull(),
    failed: integer("failed").notNull(),
  },
  (table) => [index("eval_runs_suite").on(table.suiteId, table.startedAt)],
);

export type AuditLogRow = typeof auditLog.$inferSelect;
export type TranslatorSnippetRow = typeof translatorSnippets.$inferSelect;
export type EvalSuiteRow = typeof evalSuites.$inferSelect;
export type EvalRunRow = typeof evalRuns.$inferSelect;
