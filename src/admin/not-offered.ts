/**
 * The paths of OmniRoute's API for services Switchyard does not offer, answered 501 with the
 * reason and what to use instead (management JSON), so that a script calling them learns why
 * rather than getting a bare 404.
 */
import { Elysia } from "elysia";
import { managementError } from "./errors.ts";

interface NotOffered {
  reason: string;
  routes: Array<[method: "GET" | "POST" | "PUT" | "DELETE", path: string]>;
}

const NOT_OFFERED: NotOffered[] = [
  {
    reason:
      "Switchyard does not intercept Google Antigravity's traffic (that takes a TLS man-in-the-middle of the IDE). " +
      "The tools that can be pointed at an endpoint are set up under /api/cli-tools/{tool}-settings.",
    routes: [
      ["GET", "/api/cli-tools/antigravity-mitm"],
      ["POST", "/api/cli-tools/antigravity-mitm"],
      ["DELETE", "/api/cli-tools/antigravity-mitm"],
      ["GET", "/api/cli-tools/antigravity-mitm/alias"],
      ["PUT", "/api/cli-tools/antigravity-mitm/alias"],
    ],
  },
  {
    reason:
      "Switchyard connects providers with their API keys (POST /api/providers); signing in to subscription " +
      "accounts through their OAuth flows, or importing Cursor's or Kiro's local sign-ins, is not offered.",
    routes: [
      ["GET", "/api/oauth/:provider/:action"],
      ["GET", "/api/oauth/cursor/auto-import"],
      ["GET", "/api/oauth/cursor/import"],
      ["POST", "/api/oauth/cursor/import"],
      ["GET", "/api/oauth/kiro/auto-import"],
      ["GET", "/api/oauth/kiro/import"],
      ["POST", "/api/oauth/kiro/import"],
      ["GET", "/api/oauth/kiro/social-authorize"],
      ["POST", "/api/oauth/kiro/social-exchange"],
    ],
  },
  {
    reason:
      "Switchyard is local-first: there is no cloud service to sign in to or sync with (its aliases and " +
      "model resolution are served locally at /api/cloud/models/alias and /api/cloud/model/resolve). " +
      "To move its data, take a backup (POST /api/db-backups) and restore it on the other machine.",
    routes: [
      ["POST", "/api/cloud/auth"],
      ["PUT", "/api/cloud/credentials/update"],
      ["POST", "/api/sync/cloud"],
      ["POST", "/api/sync/initialize"],
    ],
  },
];

export function notOfferedRoutes() {
  const app = new Elysia();
  for (const { reason, routes } of NOT_OFFERED) {
    for (const [method, path] of routes)
      app.route(method, path, ({ status }) => status(501, managementError(`Not offered: ${reason}`)));
  }
  return app;
}
