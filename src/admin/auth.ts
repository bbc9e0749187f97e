/**
 * Sign-in for the management API: login, logout, and the public facts a login screen needs.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { type AddressedServer, clientAddress } from "../security/client-address.ts";
import { adminAuth, endSession, loginRequired, startSession } from "../security/session.ts";
import { managementError } from "./errors.ts";

export type LoginOutcome =
  | { ok: true }
  | { ok: false; status: 401 | 429; message: string; retryAfter?: number };

/** Shared by the API and the dashboard's login form: throttled password check. */
export async function attemptLogin(
  context: AppContext,
  address: string,
  password: string,
): Promise<LoginOutcome> {
  const wait = context.loginThrottle.retryAfter(address);
  if (wait > 0) {
    return {
      ok: false,
      status: 429,
      message: `Too many failed sign-ins; try again in ${wait} s`,
      retryAfter: wait,
    };
  }
  if (!(await context.password.verify(password))) {
    context.loginThrottle.fail(address);
    return { ok: false, status: 401, message: "Invalid password" };
  }
  context.loginThrottle.succeed(address);
  return { ok: true };
}

/** The caller's address for the login throttle and the audit log; "unknown" when it cannot tell. */
export function clientAddressOrUnknown(server: AddressedServer | null, request: Request): string {
  return clientAddress(server, request) ?? "unknown";
}

export function authRoutes(context: AppContext) {
  return new Elysia()
    .use(adminAuth(context))
    .post(
      "/api/auth/login",
      async ({ body, cookie, request, server, set, sessionJwt, status }) => {
        const outcome = await attemptLogin(context, clientAddressOrUnknown(server, request), body.password);
        if (!outcome.ok) {
          if (outcome.retryAfter) set.headers["retry-after"] = String(outcome.retryAfter);
          return status(outcome.status, managementError(outcome.message));
        }
        await startSession(context, sessionJwt, cookie, request);
        return { ok: true };
      },
      { body: t.Object({ password: t.String() }) },
    )
    .post("/api/auth/logout", ({ cookie }) => {
      endSession(cookie);
      return { ok: true };
    })
    .get("/api/init", ({ admin }) => ({
      initialized: context.password.isSet(),
      requireLogin: loginRequired(context),
      authenticated: admin !== undefined && admin.via !== "open",
    }))
    .get("/api/settings/require-login", () => ({
      requireLogin: loginRequired(context),
      hasPassword: context.password.isSet(),
    }));
}
