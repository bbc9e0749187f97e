/**
 * What an API key may do, checked before any upstream call from memory: expiry, the addresses it
 * may be used from, the models it may call, and its request and token rates (requests per
 * minute and per UTC day, tokens per minute). A key's counters are read once from the usage rows
 * the first time it is checked in a process, so they survive a restart; after that they are only
 * counted in memory. The clock is injectable.
 */
import { and, eq, gte, sql } from "drizzle-orm";
import { type IpRules, ipRules } from "../security/ip-rules.ts";
import type { Store } from "../store/db.ts";
import { type ApiKeyRow, usageHourly, usageRecords } from "../store/schema.ts";
import type { IRError } from "../wire/ir.ts";
import { nextPeriodStart, periodStart } from "./budgets.ts";

const MINUTE_MS = 60_000;

export interface Refusal {
  error: IRError;
  /** Seconds until the request could succeed, for Retry-After. */
  retryAfterSeconds?: number;
}

/** Compiled once per stored list: a key's row, and so its list, is replaced when the key changes. */
const allowlists = new WeakMap<readonly string[], IpRules>();

function allowlistOf(patterns: readonly string[]): IpRules {
  let rules = allowlists.get(patterns);
  if (rules === undefined) {
    rules = ipRules(patterns);
    allowlists.set(patterns, rules);
  }
  return rules;
}

/** One key's recent traffic: request times and token counts of the last minute, requests today. */
interface Counters {
  requestTimes: number[];
  tokenEntries: Array<{ at: number; tokens: number }>;
  dayStartedAt: number;
  requestsToday: number;
}

function refusal(type: IRError["type"], status: number, message: string, retryAt?: number, now = 0): Refusal {
  return {
    error: { type, status, message },
    ...(retryAt !== undefined ? { retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)) } : {}),
  };
}

export class KeyLimits {
  private readonly counters = new Map<string, Counters>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  /** Why this key may not make a request now, or undefined; an admitted request is counted. */
  admit(key: ApiKeyRow, clientIp: string | undefined): Refusal | undefined {
    const now = this.now();
    if (key.expiresAt !== null && key.expiresAt.getTime() <= now) {
      return refusal("authentication", 401, `This API key expired at ${key.expiresAt.toISOString()}`);
    }
    if (
      key.ipAllowlist !== null &&
      (clientIp === undefined || !allowlistOf(key.ipAllowlist).matches(clientIp))
    ) {
      return refusal(
        "permission",
        403,
        `This API key may not be used from ${clientIp ?? "an unknown address"}`,
      );
    }
    if (key.requestsPerMinute === null && key.requestsPerDay === null && key.tokensPerMinute === null) return;
    const counters = this.current(key.id, now);
    if (key.requestsPerMinute !== null && counters.requestTimes.length >= key.requestsPerMinute) {
      const retryAt =
        counters.requestTimes[counters.requestTimes.length - key.requestsPerMinute]! + MINUTE_MS;
      return refusal(
        "rate_limit",
        429,
        `This API key is limited to ${key.requestsPerMinute} requests per minute`,
        retryAt,
        now,
      );
    }
    if (key.requestsPerDay !== null && counters.requestsToday >= key.requestsPerDay) {
      return refusal(
        "rate_limit",
        429,
        `This API key is limited to ${key.requestsPerDay} requests per day (UTC)`,
        nextPeriodStart("day", now),
        now,
      );
    }
    if (key.tokensPerMinute !== null) {
      const used = counters.tokenEntries.reduce((sum, entry) => sum + entry.tokens, 0);
      if (used >= key.tokensPerMinute) {
        const retryAt = (counters.tokenEntries[0]?.at ?? now) + MINUTE_MS;
        return refusal(
          "rate_limit",
          429,
          `This API key is limited to ${key.tokensPerMinute} tokens per minute (${used} used)`,
          retryAt,
          now,
        );
      }
    }
    counters.requestTimes.push(now);
    counters.requestsToday++;
    return undefined;
  }

  /** Counts a finished request's tokens against the key's per-minute limit. */
  countTokens(apiKeyId: string, tokens: number): void {
    if (tokens <= 0) return;
    const counters = this.counters.get(apiKeyId);
    if (counters) counters.tokenEntries.push({ at: this.now(), tokens });
  }

  /** The key's counters with what is older than its window dropped; read from the store the first time. */
  private current(apiKeyId: string, now: number): Counters {
    let counters = this.counters.get(apiKeyId);
    if (counters === undefined) {
      counters = this.fromStore(apiKeyId, now);
      this.counters.set(apiKeyId, counters);
    }
    const minuteAgo = now - MINUTE_MS;
    while (counters.requestTimes.length > 0 && counters.requestTimes[0]! <= minuteAgo)
      counters.requestTimes.shift();
    while (counters.tokenEntries.length > 0 && counters.tokenEntries[0]!.at <= minuteAgo)
      counters.tokenEntries.shift();
    const today = periodStart("day", now);
    if (counters.dayStartedAt !== today) {
      counters.dayStartedAt = today;
      counters.requestsToday = 0;
    }
    return counters;
  }

  private fromStore(apiKeyId: string, now: number): Counters {
    const dayStartedAt = periodStart("day", now);
    const recent = this.store.db
      .select({
        startedAt: usageRecords.startedAt,
        inputTokens: usageRecords.inputTokens,
        outputTokens: usageRecords.outputTokens,
      })
      .from(usageRecords)
      .where(and(eq(usageRecords.apiKeyId, apiKeyId), gte(usageRecords.startedAt, new Date(now - MINUTE_MS))))
      .orderBy(usageRecords.startedAt)
      .all();
    const today = this.store.db
      .select({ requests: sql<number>`coalesce(sum(${usageHourly.requests}), 0)` })
      .from(usageHourly)
      .where(and(eq(usageHourly.apiKeyId, apiKeyId), gte(usageHourly.hour, new Date(dayStartedAt))))
      .get();
    return {
      requestTimes: recent.map((row) => row.startedAt.getTime()),
      tokenEntries: recent.map((row) => ({
        at: row.startedAt.getTime(),
        tokens: (row.inputTokens ?? 0) + (row.outputTokens ?? 0),
      })),
      dayStartedAt,
      requestsToday: today?.requests ?? 0,
    };
  }
}
