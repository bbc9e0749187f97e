/**
 * `/api/compliance/audit-log`, and the hooks that fill it: every sign-in attempt and every
 * management request that may change something (any method but GET), with who, from where,
 * what and — where the resource is cheap to read — how it looked before and after. Secrets are
 * redacted before anything is written.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import type { Admin } from "../security/session.ts";
import type { AuditLogRow } from "../store/schema.ts";
import { REDACTED, redactSecrets } from "../usage/redact.ts";
import { clientAddressOrUnknown } from "./auth.ts";
import { publicCombo } from "./combos.ts";
import { publicKey } from "./keys.ts";
import { publicConnection, publicNode } from "./providers.ts";

const LOGIN_ROUTE = "/api/auth/login";
const READ_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);
/** POSTs that only compute an answer and change nothing. */
const READ_ONLY_POSTS: ReadonlySet<string> = new Set(["/api/translator/detect", "/api/translator/translate"]);

/** Field names whose values are credentials, wherever they appear in a body. */
const SECRET_FIELD =
  /^(?:key|api[-_]?key|.*password|.*secret|.*token|authorization|proxy-authorization|cookie|x-api-key|x-goog-api-key|headers)$/i;

/** A copy of a JSON value with credential fields and key-shaped strings redacted. */
export function redactForAudit(value: unknown): unknown {
  if (typeof value === "string") return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactForAudit);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([field, inner]) => [
        field,
        SECRET_FIELD.test(field) && inner !== null && inner !== undefined ? REDACTED : redactForAudit(inner),
      ]),
    );
  }
  return value;
}

/** Routes whose resource can be read from memory before the change, keyed by route pattern. */
function snapshotters(context: AppContext): Record<string, (id: string) => unknown> {
  const maybe =
    <Row>(find: (id: string) => Row | undefined, show: (row: Row) => unknown) =>
    (id: string) => {
      const row = find(id);
      return row === undefined ? undefined : show(row);
    };
  return {
    "/api/keys/:id": maybe((id) => context.apiKeys.get(id), publicKey),
    "/api/providers/:id": maybe(
      (id) => context.providers.getConnection(id),
      (row) => publicConnection(context, row),
    ),
    "/api/provider-nodes/:id": maybe((id) => context.providers.getNode(id), publicNode),
    "/api/combos/:id": maybe((id) => context.combos.get(id), publicCombo),
  };
}

interface HookContext {
  request: Request;
  route: string;
  /** Absent on routes without path parameters. */
  params?: Record<string, string | undefined>;
  admin: Admin | undefined;
}

interface TransformContext extends HookContext {
  server: { requestIP(request: Request): { address: string } | null } | null;
}

interface AfterContext extends HookContext {
  set: { status?: number | string };
  responseValue: unknown;
}

function audited(request: Request, route: string, admin: Admin | undefined): boolean {
  if (READ_METHODS.has(request.method) || READ_ONLY_POSTS.has(route)) return false;
  return route === LOGIN_ROUTE || (admin !== undefined && route.startsWith("/api/"));
}

function actorOf(admin: Admin | undefined, route: string, status: number): string {
  if (admin?.via === "key") return `key:${admin.keyId}`;
  if (admin?.via === "session" || admin?.via === "open") return admin.via;
  return route === LOGIN_ROUTE && status < 400 ? "session" : "anonymous";
}

/** The value a handler answered with: plain, or wrapped by Elysia's `status()` helper. */
function answered(responseValue: unknown): { status?: number; body: unknown } {
  if (responseValue instanceof Response) return { status: responseValue.status, body: undefined };
  if (responseValue !== null && typeof responseValue === "object" && "code" in responseValue) {
    const { code, response } = responseValue as { code: unknown; response: unknown };
    if (typeof code === "number") return { status: code, body: response };
  }
  return { body: responseValue };
}

/** The id in the path, or that of the resource created: `{id}` or `{<resource>: {id}}`. */
function targetOf(params: HookContext["params"], body: unknown): string | null {
  const named = params?.id;
  if (named !== undefined) return named;
  if (body === null || typeof body !== "object") return null;
  const candidates = [body, ...Object.values(body)] as Array<{ id?: unknown } | null>;
  const id = candidates.find((candidate) => typeof candidate?.id === "string")?.id;
  return typeof id === "string" ? id : null;
}

export function auditHooks(context: AppContext) {
  const snapshot = snapshotters(context);
  const pending = new WeakMap<Request, { ip: string; before: unknown }>();
  const written = new WeakSet<Request>();
  return {
    /**
     * Before validation and the handler: the caller's address (gone once the answer is sent)
     * and the resource as it was.
     */
    capture({ request, route, params, admin, server }: TransformContext): void {
      if (!audited(request, route, admin)) return;
      const id = params?.id;
      const read = snapshot[route];
      pending.set(request, {
        ip: clientAddressOrUnknown(server, request),
        before: read !== undefined && id !== undefined ? read(id) : undefined,
      });
    },
    /** Before the answer is sent, so that a shutdown cannot close the database in between. */
    record({ request, route, params, admin, set, responseValue }: AfterContext): void {
      if (!audited(request, route, admin)) return;
      const { status: wrapped, body } = answered(responseValue);
      write(
        { request, route, params, admin },
        wrapped ?? (typeof set.status === "number" ? set.status : 200),
        body,
      );
    },
    /**
     * Requests refused before their handler ran (unparseable or invalid bodies) are written
     * once answered; they changed nothing, so one lost to a shutdown in between costs little.
     */
    recordRefused({ request, route, params, admin, set }: Omit<AfterContext, "responseValue">): void {
      if (written.has(request) || !audited(request, route, admin)) return;
      write({ request, route, params, admin }, typeof set.status === "number" ? set.status : 400, undefined);
    },
  };

  function write({ request, route, params, admin }: HookContext, status: number, body: unknown): void {
    written.add(request);
    const captured = pending.get(request);
    const prior = captured?.before;
    context.audit.append({
      at: new Date(),
      actor: actorOf(admin, route, status),
      ip: captured?.ip ?? "unknown",
      method: request.method,
      route,
      target: targetOf(params, body),
      status,
      before: prior === undefined ? null : redactForAudit(prior),
      after: status < 400 && route !== LOGIN_ROUTE && body !== undefined ? redactForAudit(body) : null,
    });
  }
}

function publicEntry(row: AuditLogRow) {
  return {
    id: row.id,
    timestamp: row.at.toISOString(),
    actor: row.actor,
    ip: row.ip,
    action: `${row.method} ${row.route}`,
    method: row.method,
    route: row.route,
    target: row.target,
    status: row.status,
    before: row.before,
    after: row.after,
  };
}

const isoDate = t.String({ format: "date-time" });

export function auditRoutes(context: AppContext) {
  return new Elysia().get(
    "/api/compliance/audit-log",
    ({ query }) => {
      const limit = query.limit ?? 100;
      const offset = query.offset ?? 0;
      const { entries, total } = context.audit.query({
        limit,
        offset,
        ...(query.actor !== undefined && { actor: query.actor }),
        ...(query.method !== undefined && { method: query.method }),
        ...(query.route !== undefined && { route: query.route }),
        ...(query.target !== undefined && { target: query.target }),
        ...(query.from !== undefined && { from: new Date(query.from) }),
        ...(query.to !== undefined && { to: new Date(query.to) }),
      });
      return { entries: entries.map(publicEntry), total, limit, offset };
    },
    {
      query: t.Object({
        limit: t.Optional(t.Integer({ minimum: 1, maximum: 1000 })),
        offset: t.Optional(t.Integer({ minimum: 0 })),
        actor: t.Optional(t.String({ minLength: 1 })),
        method: t.Optional(t.String({ minLength: 1 })),
        route: t.Optional(t.String({ minLength: 1 })),
        target: t.Optional(t.String({ minLength: 1 })),
        from: t.Optional(isoDate),
        to: t.Optional(isoDate),
      }),
    },
  );
}
