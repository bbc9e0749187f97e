/**
 * Who is calling the management API and the dashboard: a signed-in admin (an HttpOnly JWT
 * cookie) or a script with an admin-scoped API key. `adminAuth` derives `admin` for every
 * route of the plugin that uses it; guards decide what an anonymous caller gets.
 */
import { jwt } from "@elysiajs/jwt";
import { Elysia } from "elysia";
import type { AppContext } from "../context.ts";
import { authenticateKey } from "./api-keys.ts";

export const SESSION_COOKIE = "switchyard_session";
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 3600;

/** `open`: nobody signed in, but the console is set not to require it (`requireLogin`). */
export type Admin = { via: "session" } | { via: "key"; keyId: string } | { via: "open" };

export const REQUIRE_LOGIN_KEY = "admin.requireLogin";

/** Whether the console needs a sign-in; it can only be opened while a password is set. */
export function loginRequired(context: AppContext): boolean {
  return context.settings.get<boolean>(REQUIRE_LOGIN_KEY) !== false || !context.password.isSet();
}

export function adminAuth(context: AppContext) {
  return new Elysia({ name: "admin-auth", seed: context.sessionSecret })
    .use(jwt({ name: "sessionJwt", secret: context.sessionSecret, exp: `${SESSION_MAX_AGE_SECONDS}s` }))
    .derive({ as: "scoped" }, async ({ cookie, headers, sessionJwt }) => {
      const bearer = headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
      if (bearer) {
        const key = authenticateKey(context.apiKeys, bearer.trim());
        return { admin: key?.isAdmin ? ({ via: "key", keyId: key.id } as Admin) : undefined };
      }
      const token = cookie[SESSION_COOKIE]?.value;
      const claims = typeof token === "string" && token !== "" ? await sessionJwt.verify(token) : false;
      if (claims !== false && claims.epoch === context.password.sessionEpoch())
        return { admin: { via: "session" } as Admin };
      return { admin: loginRequired(context) ? undefined : ({ via: "open" } as Admin) };
    });
}

interface CookieJar {
  [name: string]: { set(options: ReturnType<typeof sessionCookie>): unknown } | undefined;
}

/** Issues the session cookie for an admin who just proved the password. */
export async function startSession(
  context: AppContext,
  sessionJwt: { sign(claims: { sub: string; epoch: number }): Promise<string> },
  cookie: CookieJar,
  request: Request,
): Promise<void> {
  const token = await sessionJwt.sign({ sub: "admin", epoch: context.password.sessionEpoch() });
  cookie[SESSION_COOKIE]!.set(sessionCookie(token, new URL(request.url).protocol === "https:"));
}

export function endSession(cookie: CookieJar): void {
  cookie[SESSION_COOKIE]!.set(sessionCookie("", false));
}

/** Cookie attributes of the session: never readable by scripts, not sent on cross-site posts. */
export function sessionCookie(value: string, secure: boolean) {
  return {
    value,
    httpOnly: true,
    sameSite: "lax" as const,
    path: "/",
    secure,
    maxAge: value === "" ? 0 : SESSION_MAX_AGE_SECONDS,
  };
}

/**
 * A state-changing request carried by a cookie must come from our own pages. SameSite=Lax
 * already keeps cross-site posts cookieless; this also refuses same-site foreign origins.
 */
export function crossOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return false;
  try {
    return new URL(origin).host !== new URL(request.url).host;
  } catch {
    return true;
  }
}
