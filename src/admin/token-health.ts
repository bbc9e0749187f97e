/**
 * `/api/token-health`: for every connection, whether its credential works — the last attempt
 * that succeeded and the last that failed (from the usage attempts), failures in the last day,
 * the last live test, what the health room holds against it now (disabled, cooldowns, breaker),
 * and when the credential expires when the connection records it (`providerSpecificData.expiresAt`).
 */
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";
import type { ProviderConnectionRow } from "../store/schema.ts";

const DAY_MS = 24 * 3600 * 1000;
/** A credential expiring within this is reported as "expiring". */
const EXPIRY_WARNING_MS = 3 * DAY_MS;

type TokenStatus = "healthy" | "expiring" | "expired" | "disabled" | "failing" | "inactive" | "untested";

function recordedExpiry(row: ProviderConnectionRow): Date | null {
  const value = row.providerSpecificData?.expiresAt;
  if (typeof value !== "string" && typeof value !== "number") return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}

function statusOf(
  row: ProviderConnectionRow,
  facts: { expiresAt: Date | null; disabled: string | null; succeededAt?: number; failedAt?: number },
  now: number,
): TokenStatus {
  const { expiresAt, disabled, succeededAt, failedAt } = facts;
  if (!row.isActive) return "inactive";
  if (expiresAt !== null && expiresAt.getTime() <= now) return "expired";
  if (disabled !== null) return "disabled";
  if ((failedAt ?? 0) > (succeededAt ?? 0)) return "failing";
  if (succeededAt === undefined && row.testStatus === "error") return "failing";
  if (expiresAt !== null && expiresAt.getTime() - now < EXPIRY_WARNING_MS) return "expiring";
  if (succeededAt === undefined && row.testStatus === "untested") return "untested";
  return "healthy";
}

export function tokenHealthRoutes(context: AppContext) {
  const { sqlite } = context.store;
  const lastAttempt = (succeeded: boolean) =>
    sqlite.query<{ at: number }, [string]>(
      `SELECT started_at AS at FROM usage_attempts WHERE connection_id = ? AND failure IS ${succeeded ? "" : "NOT "}NULL ORDER BY started_at DESC LIMIT 1`,
    );
  const lastSuccess = lastAttempt(true);
  const lastFailure = lastAttempt(false);
  const failuresSince = sqlite.query<{ failures: number }, [string, number]>(
    "SELECT count(*) AS failures FROM usage_attempts WHERE connection_id = ? AND started_at >= ? AND failure IS NOT NULL",
  );
  const iso = (at: number | undefined) => (at === undefined ? null : new Date(at).toISOString());

  return new Elysia().get("/api/token-health", () => {
    const now = Date.now();
    const connections = context.providers.listConnections().map((row) => {
      const state = context.health.connectionState(row.id);
      const expiresAt = recordedExpiry(row);
      const succeededAt = lastSuccess.get(row.id)?.at;
      const failedAt = lastFailure.get(row.id)?.at;
      const status = statusOf(row, { expiresAt, disabled: state.disabled, succeededAt, failedAt }, now);
      return {
        connectionId: row.id,
        provider: row.provider,
        name: row.name,
        isActive: row.isActive,
        status,
        hasCredential: row.apiKeyEncrypted !== null,
        expiresAt: expiresAt?.toISOString() ?? null,
        lastSuccessAt: iso(succeededAt),
        lastFailureAt: iso(failedAt),
        failuresLast24h: failuresSince.get(row.id, now - DAY_MS)?.failures ?? 0,
        lastTest: {
          status: row.testStatus,
          at: row.lastTestedAt?.toISOString() ?? null,
          error: row.lastError,
        },
        disabled: state.disabled,
        cooldowns: state.cooldowns,
        breaker: state.breaker,
      };
    });
    return { checkedAt: new Date(now).toISOString(), connections };
  });
}
