/**
 * `/api/resilience` (the profile and live breaker/cooldown states; reset), `/api/rate-limits`
 * (per connection: limits, in flight, cooldowns) and `/api/rate-limit` (the request limits), and
 * `/api/sessions` (sticky client sessions).
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import {
  DEFAULT_RESILIENCE,
  RATE_LIMITS_KEY,
  RESILIENCE_KEY,
  type ResilienceSettings,
  readRateLimits,
  readResilience,
} from "../routing/settings.ts";
import { ACCOUNT_STRATEGIES } from "../routing/strategies.ts";
import { type FieldProblem, managementError } from "./errors.ts";

const positive = t.Optional(t.Number({ exclusiveMinimum: 0 }));
const resiliencePatch = t.Object({
  accountStrategy: t.Optional(t.String()),
  stickyRequests: t.Optional(t.Integer({ minimum: 1 })),
  profile: t.Optional(
    t.Object({
      maxAttempts: t.Optional(t.Integer({ minimum: 1, maximum: 20 })),
      deadlineMs: t.Optional(t.Integer({ minimum: 1000 })),
      cooldown: t.Optional(t.Object({ baseMs: positive, maxMs: positive, retryAfterCapMs: positive })),
      breaker: t.Optional(
        t.Object({
          windowMs: positive,
          minRequests: t.Optional(t.Integer({ minimum: 1 })),
          failureRate: t.Optional(t.Number({ exclusiveMinimum: 0, maximum: 1 })),
          openMs: positive,
        }),
      ),
    }),
  ),
});

const limit = t.Object({
  requestsPerMinute: t.Optional(t.Integer({ minimum: 1 })),
  concurrency: t.Optional(t.Integer({ minimum: 1 })),
});
const rateLimitBody = t.Object({
  defaults: t.Optional(limit),
  connections: t.Optional(t.Record(t.String(), limit)),
});

export function resilienceRoutes(context: AppContext) {
  const { settings, health, providers } = context;
  const view = () => ({
    ...readResilience(settings),
    defaults: DEFAULT_RESILIENCE,
    states: health.snapshot(),
  });

  const update = ({
    body,
    status,
  }: {
    body: (typeof resiliencePatch)["static"];
    status: (code: 400, body: unknown) => unknown;
  }) => {
    const current = readResilience(settings);
    const problems: FieldProblem[] = [];
    if (
      body.accountStrategy !== undefined &&
      !(ACCOUNT_STRATEGIES as readonly string[]).includes(body.accountStrategy)
    ) {
      problems.push({ field: "accountStrategy", message: `one of ${ACCOUNT_STRATEGIES.join(", ")}` });
    }
    if (problems.length > 0)
      return status(400, managementError(`${problems[0]!.field}: ${problems[0]!.message}`, problems));
    const next: ResilienceSettings = {
      accountStrategy:
        (body.accountStrategy as ResilienceSettings["accountStrategy"] | undefined) ??
        current.accountStrategy,
      stickyRequests: body.stickyRequests ?? current.stickyRequests,
      profile: {
        ...current.profile,
        ...body.profile,
        cooldown: { ...current.profile.cooldown, ...body.profile?.cooldown },
        breaker: { ...current.profile.breaker, ...body.profile?.breaker },
      },
    };
    settings.set(RESILIENCE_KEY, next);
    return view();
  };

  const saveLimits = ({ body }: { body: (typeof rateLimitBody)["static"] }) => {
    const current = readRateLimits(settings);
    const next = {
      defaults: body.defaults ?? current.defaults,
      connections: { ...current.connections, ...body.connections },
    };
    settings.set(RATE_LIMITS_KEY, next);
    return next;
  };

  return new Elysia()
    .get("/api/resilience", view)
    .put("/api/resilience", update, { body: resiliencePatch })
    .patch("/api/resilience", update, { body: resiliencePatch })
    .post("/api/resilience/reset", () => {
      health.reset();
      return { ok: true, states: health.snapshot() };
    })
    .get("/api/rate-limits", () => ({
      connections: providers.listConnections().map((connection) => ({
        connectionId: connection.id,
        provider: connection.provider,
        name: connection.name,
        ...health.connectionState(connection.id),
      })),
    }))
    .get("/api/rate-limit", () => readRateLimits(settings))
    .post("/api/rate-limit", saveLimits, { body: rateLimitBody })
    .get("/api/sessions", () => ({
      sessions: context.sessions
        .active()
        .map((session) => ({ ...session, lastSeen: new Date(session.lastSeen).toISOString() })),
    }));
}
