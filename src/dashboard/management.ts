/**
 * The dashboard's writes go through the management API in-process, so that validation, secret
 * sealing and live tests live in one place (src/admin/). The signed-in admin's cookie and origin
 * are forwarded: the API sees the same caller the dashboard saw.
 */

import type { GatewayCaller } from "../admin/console-call.ts";
import type { FieldProblem } from "../admin/errors.ts";
import { adminApi } from "../admin/index.ts";
import type { AppContext } from "../context.ts";
import { FORWARDED_ADDRESS_HEADER } from "../security/client-address.ts";

export type ApiAnswer<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; message: string; problems: FieldProblem[] };

export type ManagementCall = <T = Record<string, unknown>>(
  from: Request,
  method: string,
  path: string,
  json?: unknown,
) => Promise<ApiAnswer<T>>;

/** The address each dashboard request came from, handed on to the API it calls in process. */
const callers = new WeakMap<Request, string>();

export function rememberCaller(request: Request, address: string | undefined): void {
  if (address !== undefined) callers.set(request, address);
}

export function managementClient(context: AppContext, callGateway: GatewayCaller): ManagementCall {
  const api = adminApi(context, callGateway);
  return async (from, method, path, json) => {
    const headers = new Headers();
    for (const name of ["cookie", "origin", "authorization"]) {
      const value = from.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    if (json !== undefined) headers.set("content-type", "application/json");
    const caller = callers.get(from);
    if (caller !== undefined) headers.set(FORWARDED_ADDRESS_HEADER, caller);
    const response = await api.handle(
      new Request(new URL(path, from.url), {
        method,
        headers,
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      }),
    );
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    // The API's after-response hooks (the audit log) run on the next turn; let them finish
    // inside this request, which the server's drain on shutdown waits for.
    await new Promise((resolve) => setImmediate(resolve));
    if (response.ok) return { ok: true, status: response.status, data: body as never };
    const error = body.error as { message?: string; details?: FieldProblem[] } | undefined;
    if (error)
      return {
        ok: false,
        status: response.status,
        message: error.message ?? "",
        problems: error.details ?? [],
      };
    return { ok: false, status: response.status, ...schemaRefusal(body, response.status) };
  };
}

/**
 * Elysia's own answer to a body its schema refuses: the app's global error handler, which turns
 * it into the management error shape, is not on this in-process path.
 */
function schemaRefusal(body: Record<string, unknown>, status: number) {
  if (body.type !== "validation" || typeof body.property !== "string")
    return { message: `The request was refused (${status})`, problems: [] };
  const field = body.property.replace(/^\//, "").replaceAll("/", ".") || "body";
  const message = typeof body.summary === "string" ? body.summary : String(body.message ?? "is not valid");
  return { message, problems: [{ field, message }] };
}
