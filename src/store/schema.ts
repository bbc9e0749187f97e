/**
 * The database schema (drizzle). `drizzle-kit generate` turns changes here into the SQL
 * migrations under ./migrations, which are embedded in the binary and applied at start.
 */
import { sql } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
