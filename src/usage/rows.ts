/**
 * A recorded request as the rows the recorder writes: its usage row, one row per upstream
 * attempt, and its call log (redacted and capped). Runs at flush time, off the hot path.
 */
import type { callLogs, usageAttempts, usageRecords } from "../store/schema.ts";
import type { CallOutcome } from "./outcome.ts";
import { redactSecrets } from "./redact.ts";

/** What `record()` queues: the outcome and what was decided about it on the hot path. */
export interface PendingRecord {
  outcome: CallOutcome;
  costUsd: number | null;
  flatRate: boolean;
  /** Call logs are on and the key does not say no-log. */
  keepBodies: boolean;
}

export type NewUsageRecord = typeof usageRecords.$inferInsert;
export type NewUsageAttempt = typeof usageAttempts.$inferInsert;
export type NewCallLog = typeof callLogs.$inferInsert;

const MAX_ERROR_CHARS = 1_000;

/** Rows per INSERT: SQLite binds at most 32,766 values per statement, the widest row has 32. */
export const ROWS_PER_INSERT = 500;

export function* chunks<T>(rows: readonly T[], size = ROWS_PER_INSERT): Generator<T[]> {
  for (let start = 0; start < rows.length; start += size) yield rows.slice(start, start + size);
}

function cap(text: string | undefined, chars: number): string | undefined {
  return text === undefined || text.length <= chars ? text : text.slice(0, chars);
}

export function usageRow(id: number, { outcome, costUsd, flatRate }: PendingRecord): NewUsageRecord {
  const { usage, units } = outcome;
  return {
    id,
    startedAt: new Date(outcome.startedAt),
    requestId: outcome.requestId,
    apiKeyId: outcome.apiKeyId,
    clientDialect: outcome.clientDialect,
    requestedModel: outcome.requestedModel,
    provider: outcome.provider ?? null,
    connectionId: outcome.connectionId ?? null,
    model: outcome.model ?? null,
    combo: outcome.combo ?? null,
    comboStep: outcome.comboStep ?? null,
    stream: outcome.stream,
    status: outcome.status,
    errorType: outcome.errorType ?? null,
    errorMessage: cap(outcome.errorMessage, MAX_ERROR_CHARS) ?? null,
    attempts: outcome.attempts.length,
    aborted: outcome.aborted,
    latencyMs: outcome.latencyMs,
    ttfbMs: outcome.ttfbMs ?? null,
    overheadMs: outcome.overheadMs ?? null,
    inputTokens: usage?.inputTokens ?? null,
    outputTokens: usage?.outputTokens ?? null,
    cachedInputTokens: usage ? (usage.cachedInputTokens ?? 0) : null,
    cacheWriteTokens: usage ? (usage.cacheWriteTokens ?? 0) : null,
    reasoningTokens: usage ? (usage.reasoningTokens ?? 0) : null,
    images: units?.images ?? null,
    characters: units?.characters ?? null,
    audioSeconds: units?.audioSeconds ?? null,
    searches: units?.searches ?? null,
    estimated: usage?.estimated === true,
    costUsd,
    flatRate,
  };
}

export function attemptRows(usageId: number, outcome: CallOutcome): NewUsageAttempt[] {
  return outcome.attempts.map((attempt, index) => ({
    usageId,
    startedAt: new Date(outcome.startedAt),
    attempt: index,
    provider: attempt.provider,
    connectionId: attempt.connectionId,
    model: attempt.model,
    status: attempt.status ?? null,
    failure: attempt.failure ?? null,
    error: cap(attempt.error, MAX_ERROR_CHARS) ?? null,
    latencyMs: attempt.latencyMs,
  }));
}

export function callLogRow(
  usageId: number,
  pending: PendingRecord,
  maxBodyChars: number,
): NewCallLog | undefined {
  const { bodies } = pending.outcome;
  if (!pending.keepBodies || bodies === undefined) return undefined;
  let truncated = bodies.truncated;
  const keep = (text: string | undefined): string | null => {
    if (text === undefined) return null;
    // Redacted before the cut, so that a key at the cut is still recognised whole.
    const redacted = redactSecrets(text);
    if (redacted.length > maxBodyChars) truncated = true;
    return cap(redacted, maxBodyChars) ?? "";
  };
  return {
    usageId,
    startedAt: new Date(pending.outcome.startedAt),
    clientRequest: keep(bodies.clientRequest) ?? "",
    upstreamRequest: keep(bodies.upstreamRequest),
    upstreamResponse: keep(bodies.upstreamResponse),
    clientResponse: keep(bodies.clientResponse),
    truncated,
  };
}
