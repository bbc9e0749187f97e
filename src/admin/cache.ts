/**
 * `/api/cache`: the response cache's statistics and settings, and clearing it;
 * `/api/cache/stats`: the statistics alone, and starting them over.
 */
import { Elysia } from "elysia";
import { readCacheSettings } from "../cache/replay.ts";
import type { AppContext } from "../context.ts";

export function cacheRoutes(context: AppContext) {
  const { cache } = context;
  return new Elysia()
    .get("/api/cache", () => ({ settings: readCacheSettings(context.settings), stats: cache.stats() }))
    .delete("/api/cache", () => ({ ok: true, cleared: cache.clear() }))
    .get("/api/cache/stats", () => cache.stats())
    .delete("/api/cache/stats", () => {
      cache.resetStats();
      return cache.stats();
    });
}
