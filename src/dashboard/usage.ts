/** The usage page: charts over a range and a breakdown, all from the hourly rollups. */
import { Elysia, t } from "elysia";
import { USAGE_GROUPS, type UsageGroupBy, usagePage } from "../../views/pages/usage.ts";
import type { AppContext } from "../context.ts";
import { type Granularity, RANGES, type Range } from "../usage/analytics.ts";
import { HOUR_MS } from "../usage/rollup.ts";
import { page } from "./respond.ts";

const DAY_MS = 24 * HOUR_MS;

/** The key columns a breakdown row may carry, by what it is grouped. */
type GroupFields = Partial<Record<"provider" | "model" | "apiKeyId" | "connectionId", string>>;

export function usagePages(context: AppContext) {
  const { analytics } = context.usage;

  function groupName(by: UsageGroupBy, group: GroupFields): string {
    const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : "none");
    if (by === "model") return `${text(group.provider)}/${text(group.model)}`;
    if (by === "apiKey") return context.apiKeys.get(String(group.apiKeyId))?.label ?? "revoked key";
    if (by === "connection")
      return context.providers.getConnection(String(group.connectionId))?.name ?? text(group.connectionId);
    return text(group.provider);
  }

  return new Elysia().get(
    "/dashboard/usage",
    ({ query }) => {
      const range: Range = query.range && query.range in RANGES ? (query.range as Range) : "24h";
      const by: UsageGroupBy = query.by && query.by in USAGE_GROUPS ? (query.by as UsageGroupBy) : "model";
      const granularity: Granularity = range === "24h" ? "hour" : "day";
      const size = granularity === "hour" ? HOUR_MS : DAY_MS;
      const now = context.usage.now();
      const buckets = RANGES[range] / size;
      const first = Math.floor(now / size) * size - (buckets - 1) * size;
      const filter = { since: first };
      const trend = new Map(analytics.trend(filter, granularity).map((point) => [point.at, point]));
      const points = Array.from({ length: buckets }, (_, index) => {
        const at = first + index * size;
        const point = trend.get(at);
        const iso = new Date(at).toISOString();
        return {
          label: granularity === "hour" ? `${iso.slice(11, 16)} UTC` : iso.slice(0, 10),
          requests: point?.requests ?? 0,
          tokens: (point?.inputTokens ?? 0) + (point?.outputTokens ?? 0),
          costUsd: point?.costUsd ?? 0,
        };
      });
      const totals = analytics.totals(filter);
      const groups = analytics.breakdown(filter, by).map((group) => ({
        name: groupName(by, group as GroupFields),
        requests: group.requests,
        tokens: group.inputTokens + group.outputTokens,
        costUsd: group.costUsd,
        successRate: group.successRate,
        avgLatencyMs: group.avgLatencyMs,
      }));
      return page(
        usagePage({
          range,
          ranges: Object.keys(RANGES),
          by,
          points,
          groups,
          totals: { ...totals, tokens: totals.inputTokens + totals.outputTokens },
        }),
      );
    },
    { query: t.Object({ range: t.Optional(t.String()), by: t.Optional(t.String()) }) },
  );
}
