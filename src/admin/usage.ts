/**
 * `/api/usage/*` and `/api/telemetry/summary`: analytics over a range, history, per-connection
 * usage, the logs (usage rows, requests, upstream attempts, call logs with their bodies) and
 * budgets per API key. Thin: parse the query, ask the usage room, name ids, shape JSON.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import type { UsageAttemptRow, UsageRecordRow } from "../store/schema.ts";
import { type LogFilter, RANGES, type Range, type RollupFilter } from "../usage/analytics.ts";
import { type BudgetStatus, DEFAULT_WARN_AT } from "../usage/budgets.ts";
import { type FieldProblem, managementError } from "./errors.ts";

const DAY_MS = 86_400_000;
const DEFAULT_PAGE = 50;

/** OmniRoute's `period` names for the same ranges. */
const PERIODS: Record<string, Range> = { day: "24h", week: "7d", month: "30d" };

const rangeQuery = t.Object({
  range: t.Optional(t.Union([t.Literal("24h"), t.Literal("7d"), t.Literal("30d")])),
  period: t.Optional(t.Union([t.Literal("day"), t.Literal("week"), t.Literal("month")])),
});

const text = t.Optional(t.String({ minLength: 1 }));
const logQuery = t.Object({
  from: text,
  to: text,
  apiKeyId: text,
  provider: text,
  model: text,
  connectionId: text,
  status: t.Optional(
    t.Union([t.Literal("success"), t.Literal("error"), t.Numeric({ minimum: 100, maximum: 599 })]),
  ),
  limit: t.Optional(t.Numeric({ minimum: 1, maximum: 500 })),
  offset: t.Optional(t.Numeric({ minimum: 0 })),
});
type LogQuery = (typeof logQuery)["static"];

const usd = t.Optional(t.Union([t.Number({ minimum: 0 }), t.Null()]));
const budgetBody = t.Object({
  apiKeyId: t.String({ minLength: 1 }),
  dailyUsd: usd,
  weeklyUsd: usd,
  monthlyUsd: usd,
  warnAt: t.Optional(t.Number({ minimum: 0, maximum: 1 })),
});

const REQUEST_LOG_FIELDS = [
  "id",
  "requestId",
  "timestamp",
  "apiKeyId",
  "apiKeyName",
  "clientDialect",
  "requestedModel",
  "stream",
  "status",
  "errorType",
  "aborted",
  "latencyMs",
  "ttfbMs",
  "units",
] as const;

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, value[key]])) as Pick<T, K>;
}

const orNull = (value: string | null | undefined) => (value === "" || value === undefined ? null : value);
const iso = (at: Date | number) => new Date(at).toISOString();

function rangeOf(query: (typeof rangeQuery)["static"]): Range {
  return query.range ?? PERIODS[query.period ?? ""] ?? "24h";
}

/** A time as ISO 8601 or Unix milliseconds. */
function parseTime(field: string, value: string | undefined, problems: FieldProblem[]): number | undefined {
  if (value === undefined) return undefined;
  const at = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(at)) problems.push({ field, message: "an ISO 8601 time or Unix milliseconds" });
  return at;
}

function logFilter(query: LogQuery): LogFilter | FieldProblem[] {
  const problems: FieldProblem[] = [];
  const from = parseTime("from", query.from, problems);
  const to = parseTime("to", query.to, problems);
  if (problems.length > 0) return problems;
  return {
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(query.apiKeyId !== undefined ? { apiKeyId: query.apiKeyId } : {}),
    ...(query.provider !== undefined ? { provider: query.provider } : {}),
    ...(query.model !== undefined ? { model: query.model } : {}),
    ...(query.connectionId !== undefined ? { connectionId: query.connectionId } : {}),
    ...(query.status !== undefined ? { status: query.status } : {}),
    limit: query.limit ?? DEFAULT_PAGE,
    offset: query.offset ?? 0,
  };
}

function invalidQuery(problems: FieldProblem[]) {
  return managementError(
    problems.map((problem) => `${problem.field}: ${problem.message}`).join("; "),
    problems,
  );
}

export function usageRoutes(context: AppContext) {
  const { usage, apiKeys, providers } = context;
  const keyName = (id: string) => apiKeys.get(id)?.label ?? null;
  const connectionName = (id: string | null) => (id ? (providers.getConnection(id)?.name ?? null) : null);

  function publicUsage(row: UsageRecordRow) {
    return {
      id: row.id,
      requestId: row.requestId,
      timestamp: iso(row.startedAt),
      apiKeyId: row.apiKeyId,
      apiKeyName: keyName(row.apiKeyId),
      clientDialect: row.clientDialect,
      requestedModel: row.requestedModel,
      provider: row.provider,
      connectionId: row.connectionId,
      connectionName: connectionName(row.connectionId),
      model: row.model,
      combo: row.combo,
      comboStep: row.comboStep,
      stream: row.stream,
      status: row.status,
      errorType: row.errorType,
      errorMessage: row.errorMessage,
      attempts: row.attempts,
      aborted: row.aborted,
      latencyMs: row.latencyMs,
      ttfbMs: row.ttfbMs,
      overheadMs: row.overheadMs,
      tokens: {
        input: row.inputTokens,
        output: row.outputTokens,
        cachedInput: row.cachedInputTokens,
        cacheWrite: row.cacheWriteTokens,
        reasoning: row.reasoningTokens,
      },
      units: {
        images: row.images,
        characters: row.characters,
        audioSeconds: row.audioSeconds,
        searches: row.searches,
      },
      estimated: row.estimated,
      costUsd: row.costUsd,
      flatRate: row.flatRate,
    };
  }

  /** The client's side of a request only. */
  const requestLog = (row: UsageRecordRow) => pick(publicUsage(row), REQUEST_LOG_FIELDS);

  function proxyLog(row: UsageAttemptRow) {
    return {
      id: row.id,
      usageId: row.usageId,
      timestamp: iso(row.startedAt),
      attempt: row.attempt,
      provider: row.provider,
      connectionId: row.connectionId,
      connectionName: connectionName(row.connectionId),
      model: row.model,
      status: row.status,
      failure: row.failure,
      error: row.error,
      latencyMs: row.latencyMs,
    };
  }

  function publicBudget(status: BudgetStatus) {
    return {
      ...status,
      apiKeyName: keyName(status.apiKeyId),
      periods: status.periods.map((period) => ({
        ...period,
        startedAt: iso(period.startedAt),
        resetsAt: iso(period.resetsAt),
      })),
    };
  }

  /** The usage of one slice of traffic: totals, a trend and the breakdowns asked for. */
  function report(filter: RollupFilter, range: Range) {
    const granularity = range === "24h" ? "hour" : "day";
    const { totals, trend, breakdowns } = usage.analytics.overview(filter, granularity);
    return {
      report: {
        range,
        from: iso(filter.since),
        to: iso(usage.now()),
        totals,
        trend: { granularity, points: trend.map((point) => ({ ...point, at: iso(point.at) })) },
        byModel: breakdowns.model.map((row) => ({
          ...row,
          provider: orNull(row.provider),
          model: orNull(row.model),
        })),
      },
      breakdowns,
    };
  }

  const since = (range: Range) => usage.now() - RANGES[range];

  /** Runs a log query, or answers 400 for a malformed filter. */
  function logPage<T, R>(
    query: LogQuery,
    status: (code: 400, body: unknown) => unknown,
    read: (filter: LogFilter) => { rows: T[]; hasMore: boolean },
    shape: (row: T) => R,
  ) {
    const filter = logFilter(query);
    if (Array.isArray(filter)) return status(400, invalidQuery(filter));
    const { rows, hasMore } = read(filter);
    return { logs: rows.map(shape), limit: filter.limit, offset: filter.offset, hasMore };
  }

  return (
    new Elysia()
      .get(
        "/api/usage/analytics",
        ({ query }) => {
          const range = rangeOf(query);
          const filter = { since: since(range) };
          const { report: summary, breakdowns } = report(filter, range);
          return {
            ...summary,
            latencyMs: usage.analytics.latency("total", filter.since),
            byProvider: breakdowns.provider.map((row) => ({ ...row, provider: orNull(row.provider) })),
            byKey: breakdowns.apiKey.map((row) => ({ ...row, name: keyName(row.apiKeyId) })),
            byConnection: breakdowns.connection.map((row) => ({
              ...row,
              connectionId: orNull(row.connectionId),
              provider: orNull(row.provider),
              name: connectionName(row.connectionId),
            })),
          };
        },
        { query: rangeQuery },
      )
      .get(
        "/api/usage/history",
        ({ query }) => {
          const days = Math.min(query.days ?? 30, usage.settings().retentionDays);
          const filter: RollupFilter = {
            since: usage.now() - days * DAY_MS,
            ...(query.apiKeyId !== undefined ? { apiKeyId: query.apiKeyId } : {}),
            ...(query.provider !== undefined ? { provider: query.provider } : {}),
            ...(query.model !== undefined ? { model: query.model } : {}),
            ...(query.connectionId !== undefined ? { connectionId: query.connectionId } : {}),
          };
          return {
            days,
            from: iso(filter.since),
            to: iso(usage.now()),
            totals: usage.analytics.totals(filter),
            daily: usage.analytics.trend(filter, "day").map((point) => ({ ...point, at: iso(point.at) })),
          };
        },
        {
          query: t.Object({
            days: t.Optional(t.Numeric({ minimum: 1, maximum: 3650 })),
            apiKeyId: text,
            provider: text,
            model: text,
            connectionId: text,
          }),
        },
      )
      .get(
        "/api/usage/logs",
        ({ query, status }) =>
          logPage(query, status, (filter) => usage.analytics.usageLogs(filter), publicUsage),
        {
          query: logQuery,
        },
      )
      .get(
        "/api/usage/request-logs",
        ({ query, status }) =>
          logPage(query, status, (filter) => usage.analytics.usageLogs(filter), requestLog),
        { query: logQuery },
      )
      .get(
        "/api/usage/proxy-logs",
        ({ query, status }) =>
          logPage(query, status, (filter) => usage.analytics.attemptLogs(filter), proxyLog),
        { query: logQuery },
      )
      .get(
        "/api/usage/call-logs",
        ({ query, status }) =>
          logPage(
            query,
            status,
            (filter) => usage.analytics.callLogs(filter),
            ({ record, truncated }) => ({ ...publicUsage(record), truncated }),
          ),
        { query: logQuery },
      )
      .get("/api/usage/call-logs/:id", ({ params, status }) => {
        const id = Number(params.id);
        const detail = Number.isInteger(id) ? usage.analytics.callLog(id) : undefined;
        if (detail === undefined) return status(404, managementError(`No call log with id ${params.id}`));
        const { record, log, attempts } = detail;
        return {
          ...publicUsage(record),
          attemptLog: attempts.map(proxyLog),
          bodies: {
            clientRequest: log.clientRequest,
            upstreamRequest: log.upstreamRequest,
            upstreamResponse: log.upstreamResponse,
            clientResponse: log.clientResponse,
            truncated: log.truncated,
          },
        };
      })
      .get(
        "/api/usage/budget",
        ({ query }) => ({
          budgets: usage.budgets
            .list()
            .filter((budget) => query.apiKeyId === undefined || budget.apiKeyId === query.apiKeyId)
            .map(publicBudget),
        }),
        { query: t.Object({ apiKeyId: text }) },
      )
      .post(
        "/api/usage/budget",
        ({ body, status }) => {
          if (apiKeys.get(body.apiKeyId) === undefined)
            return status(404, managementError(`No API key with id ${body.apiKeyId}`));
          const current = usage.budgets.status(body.apiKeyId);
          const saved = usage.setBudget(body.apiKeyId, {
            dailyUsd: body.dailyUsd === undefined ? (current?.dailyUsd ?? null) : body.dailyUsd,
            weeklyUsd: body.weeklyUsd === undefined ? (current?.weeklyUsd ?? null) : body.weeklyUsd,
            monthlyUsd: body.monthlyUsd === undefined ? (current?.monthlyUsd ?? null) : body.monthlyUsd,
            warnAt: body.warnAt ?? current?.warnAt ?? DEFAULT_WARN_AT,
          });
          return { apiKeyId: body.apiKeyId, budget: saved ? publicBudget(saved) : null };
        },
        { body: budgetBody },
      )
      .get(
        "/api/telemetry/summary",
        ({ query }) => {
          const range = rangeOf(query);
          const filter = { since: since(range) };
          const { analytics } = usage;
          const totals = analytics.totals(filter);
          const rate = (count: number) => (totals.requests === 0 ? null : count / totals.requests);
          return {
            range,
            from: iso(filter.since),
            to: iso(usage.now()),
            requests: totals.requests,
            latencyMs: analytics.latency("total", filter.since),
            ttfbMs: analytics.latency("ttfb", filter.since),
            overheadMs: analytics.latency("overhead", filter.since),
            errorRate: rate(totals.errors),
            abortRate: rate(totals.aborted),
            fallbackRate: totals.fallbackRate,
            errors: analytics
              .breakdown(filter, "errorType")
              .filter((row) => row.errorType !== "")
              .map((row) => ({ errorType: row.errorType, count: row.requests, rate: rate(row.requests) })),
            providers: analytics.breakdown(filter, "provider").map((row) => ({
              provider: orNull(row.provider),
              requests: row.requests,
              errorRate: row.requests === 0 ? null : row.errors / row.requests,
              avgLatencyMs: row.avgLatencyMs,
            })),
          };
        },
        { query: rangeQuery },
      )
      // Last: a parameter route; Elysia's router prefers the fixed paths above whatever the order.
      .get(
        "/api/usage/:connectionId",
        ({ params, query, status }) => {
          const range = rangeOf(query);
          const connection = providers.getConnection(params.connectionId);
          const result = report({ since: since(range), connectionId: params.connectionId }, range).report;
          if (connection === undefined && result.totals.requests === 0)
            return status(404, managementError(`No provider connection with id ${params.connectionId}`));
          return {
            connectionId: params.connectionId,
            name: connection?.name ?? null,
            provider: connection?.provider ?? null,
            ...result,
          };
        },
        { query: rangeQuery },
      )
  );
}
