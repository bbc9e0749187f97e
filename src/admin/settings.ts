/**
 * Settings of the management API that exist so far: the outbound proxy.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import {
  PROXY_SETTINGS_KEY,
  type ProxySettings,
  proxyUrlProblem,
  readProxySettings,
} from "../providers/proxy.ts";
import { managementError } from "./errors.ts";

const proxyPatch = t.Object({
  enabled: t.Optional(t.Boolean()),
  url: t.Optional(t.Union([t.String(), t.Null()])),
  noProxy: t.Optional(t.Array(t.String())),
});

/** Where the proxy test goes when the caller names no target: any HTTP answer proves the proxy works. */
const DEFAULT_PROXY_TEST_TARGET = "https://api.openai.com/v1/models";
const PROXY_TEST_TIMEOUT_MS = 10_000;

export function settingsRoutes(context: AppContext) {
  const update = ({
    body,
    status,
  }: {
    body: (typeof proxyPatch)["static"];
    status: (code: 400, body: unknown) => unknown;
  }) => {
    const next: ProxySettings = { ...readProxySettings(context.settings), ...body };
    if (next.url === "") next.url = null;
    const problem = next.url ? proxyUrlProblem(next.url) : undefined;
    if (problem) return status(400, managementError(`url: ${problem}`, [{ field: "url", message: problem }]));
    if (next.enabled && !next.url) {
      return status(
        400,
        managementError("url: required to enable the proxy", [
          { field: "url", message: "required when enabled" },
        ]),
      );
    }
    context.settings.set(PROXY_SETTINGS_KEY, next);
    return next;
  };
  return new Elysia()
    .get("/api/settings/proxy", () => readProxySettings(context.settings))
    .patch("/api/settings/proxy", update, { body: proxyPatch })
    .put("/api/settings/proxy", update, { body: proxyPatch })
    .post(
      "/api/settings/proxy/test",
      async ({ body, status }) => {
        const proxy = body?.url ?? readProxySettings(context.settings).url;
        if (!proxy)
          return status(
            400,
            managementError("url: no proxy given or configured", [{ field: "url", message: "required" }]),
          );
        const problem = proxyUrlProblem(proxy);
        if (problem)
          return status(400, managementError(`url: ${problem}`, [{ field: "url", message: problem }]));
        const started = performance.now();
        try {
          const response = await fetch(body?.targetUrl ?? DEFAULT_PROXY_TEST_TARGET, {
            proxy,
            signal: AbortSignal.timeout(PROXY_TEST_TIMEOUT_MS),
          });
          await response.arrayBuffer();
          return {
            ok: true,
            statusCode: response.status,
            latencyMs: Math.round(performance.now() - started),
            error: null,
          };
        } catch (error) {
          return {
            ok: false,
            statusCode: null,
            latencyMs: Math.round(performance.now() - started),
            error: String((error as Error).message ?? error),
          };
        }
      },
      { body: t.Optional(t.Object({ url: t.Optional(t.String()), targetUrl: t.Optional(t.String()) })) },
    );
}
