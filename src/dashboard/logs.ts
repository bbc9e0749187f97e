/**
 * The logs page: the newest requests (an indexed page of usage rows), a live tail over SSE fed
 * by the usage recorder as it commits each batch, and a request's detail with its attempts and
 * call log.
 */
import { asc, eq } from "drizzle-orm";
import { Elysia, t } from "elysia";
import {
  type LogDetailView,
  type LogFilterView,
  type LogRowView,
  logDetailPage,
  logRow,
  logsPage,
} from "../../views/pages/logs.ts";
import type { AppContext } from "../context.ts";
import { type UsageRecordRow, usageAttempts, usageRecords } from "../store/schema.ts";
import type { LogFilter } from "../usage/analytics.ts";
import type { WrittenUsage } from "../usage/recorder.ts";
import { page } from "./respond.ts";

const PAGE_ROWS = 50;
/** Proxies and browsers drop an SSE connection that stays silent too long. */
const HEARTBEAT_MS = 15_000;

const filterQuery = t.Object({
  status: t.Optional(t.String()),
  provider: t.Optional(t.String()),
  model: t.Optional(t.String()),
  apiKeyId: t.Optional(t.String()),
});

/** The filter with its blank fields dropped. */
function filterOf(query: Record<string, string | undefined>): LogFilterView {
  const filter: LogFilterView = {};
  for (const name of ["status", "provider", "model", "apiKeyId"] as const) {
    const value = query[name]?.trim();
    if (value) filter[name] = value;
  }
  if (filter.status !== "success" && filter.status !== "error") delete filter.status;
  return filter;
}

function matches(row: WrittenUsage, filter: LogFilterView): boolean {
  if (filter.status === "success" && row.status >= 400) return false;
  if (filter.status === "error" && row.status < 400) return false;
  if (filter.provider !== undefined && row.provider !== filter.provider) return false;
  if (filter.model !== undefined && row.model !== filter.model) return false;
  return filter.apiKeyId === undefined || row.apiKeyId === filter.apiKeyId;
}

/** One SSE message; every line of the fragment is its own `data:` line. */
function sseMessage(markup: string): string {
  return `${markup
    .split("\n")
    .map((line) => `data: ${line}`)
    .join("\n")}\n\n`;
}

export function logPages(context: AppContext) {
  const keyLabel = (id: string) => context.apiKeys.get(id)?.label ?? "revoked key";
  const rowView = (row: UsageRecordRow | WrittenUsage): LogRowView => ({
    ...row,
    startedAt: row.startedAt instanceof Date ? row.startedAt.getTime() : row.startedAt,
    keyLabel: keyLabel(row.apiKeyId),
  });

  function liveTail(request: Request, filter: LogFilterView): Response {
    const encoder = new TextEncoder();
    let stop = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (text: string) => controller.enqueue(encoder.encode(text));
        const unsubscribe = context.usage.subscribe((rows) => {
          // Newest on top: the batch is oldest first and each message is prepended.
          for (const row of rows) if (matches(row, filter)) send(sseMessage(logRow(rowView(row)).value));
        });
        const heartbeat = setInterval(() => send(": heartbeat\n\n"), HEARTBEAT_MS);
        stop = () => {
          unsubscribe();
          clearInterval(heartbeat);
        };
        request.signal.addEventListener("abort", () => {
          stop();
          controller.close();
        });
        send(": connected\n\n");
      },
      cancel: () => stop(),
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  }

  function detail(id: number): LogDetailView | undefined {
    const logged = context.usage.analytics.callLog(id);
    // Without a call log the usage row and its attempts still tell the story (by primary key).
    const record =
      logged?.record ?? context.store.db.select().from(usageRecords).where(eq(usageRecords.id, id)).get();
    if (record === undefined) return undefined;
    const attempts =
      logged?.attempts ??
      context.store.db
        .select()
        .from(usageAttempts)
        .where(eq(usageAttempts.usageId, id))
        .orderBy(asc(usageAttempts.attempt))
        .all();
    const { log } = logged ?? {};
    return {
      row: { ...record, ...rowView(record) },
      attempts: attempts.map((attempt) => ({
        ...attempt,
        connectionName: context.providers.getConnection(attempt.connectionId)?.name ?? attempt.connectionId,
      })),
      truncated: log?.truncated ?? false,
      ...(log
        ? {
            bodies: [
              { title: "Client request", text: pretty(log.clientRequest) },
              { title: "Upstream request", text: pretty(log.upstreamRequest) },
              { title: "Upstream response", text: pretty(log.upstreamResponse) },
              { title: "Client response", text: pretty(log.clientResponse) },
            ],
          }
        : {}),
    };
  }

  return new Elysia()
    .get(
      "/dashboard/logs",
      ({ query }) => {
        const filter = filterOf(query);
        const logFilter: LogFilter = {
          ...filter,
          status: filter.status as LogFilter["status"],
          limit: PAGE_ROWS,
          offset: 0,
        };
        const { rows, hasMore } = context.usage.analytics.usageLogs(logFilter);
        const search = new URLSearchParams(filter as Record<string, string>).toString();
        return page(
          logsPage({
            rows: rows.map(rowView),
            filter,
            keys: context.apiKeys.list().map(({ id, label }) => ({ id, label })),
            query: search ? `?${search}` : "",
            hasMore,
          }),
        );
      },
      { query: filterQuery },
    )
    .get(
      "/dashboard/logs/stream",
      ({ query, request, server }) => {
        // An SSE stream is idle between requests; Bun's idle timeout must not end it.
        server?.timeout(request, 0);
        return liveTail(request, filterOf(query));
      },
      { query: filterQuery },
    )
    .get(
      "/dashboard/logs/:id",
      ({ params }) => {
        const view = detail(params.id);
        return view ? page(logDetailPage(view)) : new Response("No such request", { status: 404 });
      },
      { params: t.Object({ id: t.Numeric({ minimum: 1 }) }) },
    );
}

/** JSON bodies indented; anything else (stream frames, truncated JSON) as it was. */
function pretty(text: string | null): string | null {
  if (text === null) return null;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
