/**
 * `/api/settings` (one validated document: upstream timeouts, body size limit, proxy, usage
 * retention and call-log bounds; it shows the request shaping too) and
 * `/api/settings/proxy`, `/api/settings/ip-filter`, `/api/settings/system-prompt`,
 * `/api/settings/thinking-budget`. A change is checked whole before anything is saved, and takes effect on
 * the next request; nothing needs a restart.
 */
import { Elysia, t } from "elysia";
import { CACHE_SETTINGS_KEY, readCacheSettings } from "../cache/replay.ts";
import type { AppContext } from "../context.ts";
import {
  EFFORT_LEVELS,
  readSystemPrompt,
  readThinkingBudget,
  SYSTEM_PROMPT_KEY,
  THINKING_BUDGET_KEY,
  THINKING_MODES,
} from "../gateway/shaping.ts";
import { GATEWAY_LIMITS_KEY, type GatewayLimits, readGatewayLimits } from "../limits.ts";
import {
  PROXY_SETTINGS_KEY,
  type ProxySettings,
  proxyUrlProblem,
  readProxySettings,
} from "../providers/proxy.ts";
import { type AddressedServer, clientAddress } from "../security/client-address.ts";
import { IP_FILTER_KEY, type IpFilterSettings, ipRefusalUnder, readIpFilter } from "../security/ip-filter.ts";
import { ipPatternError } from "../security/ip-rules.ts";
import { loginRequired, REQUIRE_LOGIN_KEY } from "../security/session.ts";
import { readUsageSettings, USAGE_SETTINGS_KEY, type UsageSettings } from "../usage/settings.ts";
import { type FieldProblem, managementError } from "./errors.ts";

const proxyPatch = t.Object({
  enabled: t.Optional(t.Boolean()),
  url: t.Optional(t.Union([t.String(), t.Null()])),
  noProxy: t.Optional(t.Array(t.String())),
});

const milliseconds = (minimum: number) => t.Optional(t.Integer({ minimum, maximum: 3_600_000 }));
const settingsPatch = t.Object({
  timeouts: t.Optional(
    t.Object({
      connectMs: milliseconds(100),
      firstByteMs: milliseconds(100),
      idleMs: milliseconds(100),
      totalMs: milliseconds(1000),
    }),
  ),
  maxBodyBytes: t.Optional(t.Integer({ minimum: 1024, maximum: 512 * 1024 * 1024 })),
  proxy: t.Optional(proxyPatch),
  cache: t.Optional(
    t.Object({
      enabled: t.Optional(t.Boolean()),
      ttlMs: t.Optional(t.Integer({ minimum: 1000, maximum: 30 * 86_400_000 })),
      maxEntries: t.Optional(t.Integer({ minimum: 1, maximum: 1_000_000 })),
      maxBytes: t.Optional(t.Integer({ minimum: 1024, maximum: 4 * 1024 * 1024 * 1024 })),
      idempotencyWindowMs: t.Optional(t.Integer({ minimum: 1000, maximum: 7 * 86_400_000 })),
    }),
  ),
  usage: t.Optional(
    t.Object({
      retentionDays: t.Optional(t.Integer({ minimum: 1, maximum: 3650 })),
      callLogs: t.Optional(
        t.Object({
          enabled: t.Optional(t.Boolean()),
          retentionDays: t.Optional(t.Integer({ minimum: 1, maximum: 3650 })),
          maxRows: t.Optional(t.Integer({ minimum: 1, maximum: 1_000_000 })),
          maxBodyChars: t.Optional(t.Integer({ minimum: 256, maximum: 1_048_576 })),
        }),
      ),
    }),
  ),
});

const systemPromptPatch = t.Object({
  enabled: t.Optional(t.Boolean()),
  prompt: t.Optional(t.String({ maxLength: 100_000 })),
});

const thinkingBudgetPatch = t.Object({
  mode: t.Optional(t.UnionEnum([...THINKING_MODES, "manual"])),
  customBudget: t.Optional(t.Integer({ minimum: 0, maximum: 131_072 })),
  effortLevel: t.Optional(t.UnionEnum([...EFFORT_LEVELS])),
});

const address = t.String({ minLength: 1, maxLength: 100 });
const ipFilterPatch = t.Object({
  enabled: t.Optional(t.Boolean()),
  mode: t.Optional(t.UnionEnum(["blacklist", "whitelist"])),
  blacklist: t.Optional(t.Array(address, { maxItems: 10_000 })),
  whitelist: t.Optional(t.Array(address, { maxItems: 10_000 })),
  addBlacklist: t.Optional(address),
  removeBlacklist: t.Optional(address),
  addWhitelist: t.Optional(address),
  removeWhitelist: t.Optional(address),
  tempBan: t.Optional(
    t.Object({
      ip: address,
      durationMs: t.Integer({ minimum: 1000, maximum: 365 * 86_400_000 }),
      reason: t.Optional(t.String({ maxLength: 500 })),
    }),
  ),
  removeBan: t.Optional(address),
});

/** The filter after a change: lists replaced, entries added or removed, a ban added or lifted; expired bans dropped. */
function changedIpFilter(
  current: IpFilterSettings,
  patch: (typeof ipFilterPatch)["static"],
  problems: FieldProblem[],
): IpFilterSettings {
  const edit = (list: string[], add?: string, remove?: string) => {
    const next = list.filter((entry) => entry !== remove);
    return add !== undefined && !next.includes(add) ? [...next, add] : next;
  };
  const now = Date.now();
  const next: IpFilterSettings = {
    enabled: patch.enabled ?? current.enabled,
    mode: patch.mode ?? current.mode,
    blacklist: edit(patch.blacklist ?? current.blacklist, patch.addBlacklist, patch.removeBlacklist),
    whitelist: edit(patch.whitelist ?? current.whitelist, patch.addWhitelist, patch.removeWhitelist),
    tempBans: current.tempBans.filter((ban) => ban.until > now && ban.ip !== patch.removeBan),
  };
  if (patch.tempBan) {
    const { ip, durationMs, reason } = patch.tempBan;
    next.tempBans.push({ ip, until: now + durationMs, reason: reason ?? "" });
  }
  for (const [field, list] of [
    ["blacklist", next.blacklist],
    ["whitelist", next.whitelist],
    ["tempBans", next.tempBans.map((ban) => ban.ip)],
  ] as const) {
    list.forEach((pattern, index) => {
      const problem = ipPatternError(pattern);
      if (problem) problems.push({ field: `${field}[${index}]`, message: problem });
    });
  }
  return next;
}

/** Where the proxy test goes when the caller names no target: any HTTP answer proves the proxy works. */
const DEFAULT_PROXY_TEST_TARGET = "https://api.openai.com/v1/models";
const PROXY_TEST_TIMEOUT_MS = 10_000;

type Status = (code: 400, body: unknown) => unknown;

function mergedProxy(
  current: ProxySettings,
  patch: (typeof proxyPatch)["static"],
  problems: FieldProblem[],
  prefix = "",
) {
  const next: ProxySettings = { ...current, ...patch };
  if (next.url === "") next.url = null;
  const problem = next.url ? proxyUrlProblem(next.url) : undefined;
  if (problem) problems.push({ field: `${prefix}url`, message: problem });
  if (next.enabled && !next.url)
    problems.push({ field: `${prefix}url`, message: "required to enable the proxy" });
  return next;
}

function mergedLimits(
  current: GatewayLimits,
  patch: (typeof settingsPatch)["static"],
  problems: FieldProblem[],
) {
  const next: GatewayLimits = {
    timeouts: { ...current.timeouts, ...patch.timeouts },
    maxBodyBytes: patch.maxBodyBytes ?? current.maxBodyBytes,
  };
  if (next.timeouts.totalMs < next.timeouts.firstByteMs) {
    problems.push({ field: "timeouts.totalMs", message: "must be at least timeouts.firstByteMs" });
  }
  return next;
}

function refusal(problems: FieldProblem[]) {
  return managementError(
    problems.map((problem) => `${problem.field}: ${problem.message}`).join("; "),
    problems,
  );
}

export function settingsRoutes(context: AppContext) {
  const { settings } = context;
  const document = () => ({
    ...readGatewayLimits(settings),
    proxy: readProxySettings(settings),
    usage: readUsageSettings(settings),
    cache: readCacheSettings(settings),
    requireLogin: loginRequired(context),
    ipFilter: readIpFilter(settings),
    systemPrompt: readSystemPrompt(settings),
    thinkingBudget: readThinkingBudget(settings),
  });

  const updateDocument = ({ body, status }: { body: (typeof settingsPatch)["static"]; status: Status }) => {
    const problems: FieldProblem[] = [];
    const limits = mergedLimits(readGatewayLimits(settings), body, problems);
    const proxy = body.proxy
      ? mergedProxy(readProxySettings(settings), body.proxy, problems, "proxy.")
      : undefined;
    if (problems.length > 0) return status(400, refusal(problems));
    settings.set(GATEWAY_LIMITS_KEY, limits);
    if (proxy) settings.set(PROXY_SETTINGS_KEY, proxy);
    if (body.cache) settings.set(CACHE_SETTINGS_KEY, { ...readCacheSettings(settings), ...body.cache });
    if (body.usage) {
      const current = readUsageSettings(settings);
      const usage: UsageSettings = {
        retentionDays: body.usage.retentionDays ?? current.retentionDays,
        callLogs: { ...current.callLogs, ...body.usage.callLogs },
      };
      settings.set(USAGE_SETTINGS_KEY, usage);
    }
    return document();
  };

  const updateProxy = ({ body, status }: { body: (typeof proxyPatch)["static"]; status: Status }) => {
    const problems: FieldProblem[] = [];
    const proxy = mergedProxy(readProxySettings(settings), body, problems);
    if (problems.length > 0) return status(400, refusal(problems));
    settings.set(PROXY_SETTINGS_KEY, proxy);
    return proxy;
  };

  const updateSystemPrompt = ({ body }: { body: (typeof systemPromptPatch)["static"] }) => {
    const next = { ...readSystemPrompt(settings), ...body };
    settings.set(SYSTEM_PROMPT_KEY, next);
    return next;
  };

  const updateThinkingBudget = ({ body }: { body: (typeof thinkingBudgetPatch)["static"] }) => {
    // OmniRoute calls the custom budget "manual".
    const { mode, ...rest } = body;
    const next = {
      ...readThinkingBudget(settings),
      ...rest,
      ...(mode ? { mode: mode === "manual" ? ("custom" as const) : mode } : {}),
    };
    settings.set(THINKING_BUDGET_KEY, next);
    return next;
  };

  const updateIpFilter = ({
    body,
    request,
    server,
    status,
  }: {
    body: (typeof ipFilterPatch)["static"];
    request: Request;
    server: AddressedServer | null;
    status: Status;
  }) => {
    const problems: FieldProblem[] = [];
    const next = changedIpFilter(readIpFilter(settings), body, problems);
    if (problems.length > 0) return status(400, refusal(problems));
    const caller = clientAddress(server, request);
    const lockout = ipRefusalUnder(next, caller);
    if (lockout) {
      return status(
        400,
        managementError(
          `Refused: this filter would lock you out (${lockout}); allow ${caller ?? "your address"} first`,
        ),
      );
    }
    settings.set(IP_FILTER_KEY, next);
    return next;
  };

  return new Elysia()
    .get("/api/settings", document)
    .post(
      "/api/settings/require-login",
      ({ body, status }) => {
        const requireLogin = body?.requireLogin ?? !loginRequired(context);
        if (!requireLogin && !context.password.isSet())
          return status(
            400,
            managementError("Set an admin password before opening the console without sign-in"),
          );
        settings.set(REQUIRE_LOGIN_KEY, requireLogin);
        return { requireLogin: loginRequired(context) };
      },
      { body: t.Optional(t.Object({ requireLogin: t.Optional(t.Boolean()) })) },
    )
    .patch("/api/settings", updateDocument, { body: settingsPatch })
    .put("/api/settings", updateDocument, { body: settingsPatch })
    .get("/api/settings/ip-filter", () => readIpFilter(settings))
    .put("/api/settings/ip-filter", updateIpFilter, { body: ipFilterPatch })
    .patch("/api/settings/ip-filter", updateIpFilter, { body: ipFilterPatch })
    .get("/api/settings/system-prompt", () => readSystemPrompt(settings))
    .put("/api/settings/system-prompt", updateSystemPrompt, { body: systemPromptPatch })
    .patch("/api/settings/system-prompt", updateSystemPrompt, { body: systemPromptPatch })
    .get("/api/settings/thinking-budget", () => readThinkingBudget(settings))
    .put("/api/settings/thinking-budget", updateThinkingBudget, { body: thinkingBudgetPatch })
    .patch("/api/settings/thinking-budget", updateThinkingBudget, { body: thinkingBudgetPatch })
    .get("/api/settings/proxy", () => readProxySettings(settings))
    .patch("/api/settings/proxy", updateProxy, { body: proxyPatch })
    .put("/api/settings/proxy", updateProxy, { body: proxyPatch })
    .post(
      "/api/settings/proxy/test",
      async ({ body, status }) => {
        const proxy = body?.url ?? readProxySettings(settings).url;
        const problem = proxy ? proxyUrlProblem(proxy) : "no proxy given or configured";
        if (!proxy || problem)
          return status(400, refusal([{ field: "url", message: problem ?? "required" }]));
        const started = performance.now();
        const elapsed = () => Math.round(performance.now() - started);
        try {
          const response = await fetch(body?.targetUrl ?? DEFAULT_PROXY_TEST_TARGET, {
            proxy,
            signal: AbortSignal.timeout(PROXY_TEST_TIMEOUT_MS),
          });
          await response.arrayBuffer();
          return { ok: true, statusCode: response.status, latencyMs: elapsed(), error: null };
        } catch (error) {
          return {
            ok: false,
            statusCode: null,
            latencyMs: elapsed(),
            error: String((error as Error).message ?? error),
          };
        }
      },
      { body: t.Optional(t.Object({ url: t.Optional(t.String()), targetUrl: t.Optional(t.String()) })) },
    );
}
