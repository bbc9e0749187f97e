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
