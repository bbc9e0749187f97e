/**
 * The settings page: admin password, sign-in, outbound proxy, combo defaults and resilience
 * profile, system prompt, thinking budget, IP filter, response cache, price overrides, backups. Each form saves through the management API (the password through the
 * security room, which has no management route) and answers with itself.
 */
import { Elysia } from "elysia";
import {
  backupsSection,
  type CacheStatsView,
  cacheSection,
  type IpFilterOutcome,
  ipFilterSection,
  type Outcome,
  passwordForm,
  pricingSection,
  proxyForm,
  type RoutingView,
  requireLoginForm,
  routingForm,
  type SettingsView,
  settingsPage,
  systemPromptForm,
  type ThinkingBudgetView,
  thinkingBudgetForm,
  UNIT_RATE_LABELS,
} from "../../views/pages/settings.ts";
import type { FieldProblem } from "../admin/errors.ts";
import type { AppContext } from "../context.ts";
import { EFFORT_LEVELS, readSystemPrompt, readThinkingBudget, THINKING_MODES } from "../gateway/shaping.ts";
import { listBackups } from "../ops/backups.ts";
import { readProxySettings } from "../providers/proxy.ts";
import { readResilience } from "../routing/settings.ts";
import { ACCOUNT_STRATEGIES } from "../routing/strategies.ts";
import { readIpFilter } from "../security/ip-filter.ts";
import { adminAuth, loginRequired, startSession } from "../security/session.ts";
import type { ApiAnswer, ManagementCall } from "./management.ts";
import { type FormFields, filled, formBody, page } from "./respond.ts";

const MIN_PASSWORD_LENGTH = 8;

function routingView(context: AppContext): RoutingView {
  const { accountStrategy, stickyRequests, profile } = readResilience(context.settings);
  return {
    accountStrategy,
    accountStrategies: ACCOUNT_STRATEGIES,
    stickyRequests,
    maxAttempts: profile.maxAttempts,
    deadlineMs: profile.deadlineMs,
    cooldownBaseMs: profile.cooldown.baseMs,
    breakerFailureRate: profile.breaker.failureRate,
    breakerOpenMs: profile.breaker.openMs,
  };
}

function prices(context: AppContext) {
  return context.usage.pricing.listOverrides();
}

function thinkingBudgetView(context: AppContext): ThinkingBudgetView {
  return { ...readThinkingBudget(context.settings), modes: THINKING_MODES, effortLevels: EFFORT_LEVELS };
}

/** The IP filter with only the bans still in force. */
function ipFilterView(context: AppContext) {
  const filter = readIpFilter(context.settings);
  const now = Date.now();
  return { ...filter, tempBans: filter.tempBans.filter((ban) => ban.until > now) };
}

/** The response cache's statistics as the management API reports them, or its refusal. */
async function cacheStats(api: ManagementCall, request: Request) {
  return api<{ stats: CacheStatsView }>(request, "GET", "/api/cache");
}

async function settingsView(
  context: AppContext,
  api: ManagementCall,
  request: Request,
): Promise<SettingsView> {
  const cache = await cacheStats(api, request);
  return {
    proxy: readProxySettings(context.settings),
    routing: routingView(context),
    prices: prices(context),
    backups: listBackups(context.store),
    requireLogin: loginRequired(context),
    ipFilter: ipFilterView(context),
    systemPrompt: readSystemPrompt(context.settings),
    thinkingBudget: thinkingBudgetView(context),
    cacheStats: cache.ok ? cache.data.stats : undefined,
  };
}

/** A one-entry-per-line text field as a list, blank lines dropped. */
export function linesOf(text: string | undefined): string[] {
  return (text ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

const MS_PER_MINUTE = 60_000;

/** Saved, or the form back with the API's objections. */
function outcomeOf(answer: ApiAnswer<unknown>, values: FormFields, saved: string): Outcome {
  return answer.ok ? { saved } : { form: { values, message: answer.message, problems: answer.problems } };
}

/** A number field as the API wants it: absent when blank, NaN kept so the API's schema refuses it. */
function numberOf(form: FormFields, name: string): number | undefined {
  const value = filled(form, name);
  return value === undefined ? undefined : Number(value);
}

export function settingsPages(context: AppContext, api: ManagementCall) {
  const ipFilterAnswer = (answer: ApiAnswer<unknown>, outcome: IpFilterOutcome) =>
    page(ipFilterSection(ipFilterView(context), outcome), answer.ok ? 200 : answer.status);
  return new Elysia()
    .use(adminAuth(context))
    .get("/dashboard/settings", async ({ request }) =>
      page(settingsPage(await settingsView(context, api, request))),
    )
    .post(
      "/dashboard/settings/password",
      async ({ body, cookie, request, sessionJwt }) => {
        const problems: FieldProblem[] = [];
        if (!(await context.password.verify(body.current ?? "")))
          problems.push({ field: "current", message: "This is not the current password" });
        if ((body.password ?? "").length < MIN_PASSWORD_LENGTH)
          problems.push({ field: "password", message: `At least ${MIN_PASSWORD_LENGTH} characters` });
        else if (body.password !== body.confirm)
          problems.push({ field: "confirm", message: "The two new passwords differ" });
        if (problems.length > 0) return page(passwordForm({ form: { values: {}, problems } }), 400);
        await context.password.change(body.password!);
        // The change ends every session, this one too: issue this browser a fresh one.
        await startSession(context, sessionJwt, cookie, request);
        return page(passwordForm({ saved: "Password changed. Other browsers are signed out." }));
      },
      { body: formBody },
    )
    .post(
      "/dashboard/settings/require-login",
      async ({ body, request }) => {
        const answer = await api(request, "POST", "/api/settings/require-login", {
          requireLogin: body.requireLogin === "1",
        });
        const outcome = outcomeOf(answer, body, "Sign-in setting saved; it applies to the next request.");
        return page(requireLoginForm(loginRequired(context), outcome), answer.ok ? 200 : answer.status);
      },
      { body: formBody },
    )
    .post(
      "/dashboard/settings/system-prompt",
      async ({ body, request }) => {
        const answer = await api(request, "PUT", "/api/settings/system-prompt", {
          enabled: body.enabled === "1",
          prompt: body.prompt ?? "",
        });
        const outcome = outcomeOf(answer, body, "System prompt saved; the next request carries it.");
        return page(
          systemPromptForm(readSystemPrompt(context.settings), outcome),
          answer.ok ? 200 : answer.status,
        );
      },
      { body: formBody },
    )
    .post(
      "/dashboard/settings/thinking-budget",
      async ({ body, request }) => {
        const answer = await api(request, "PUT", "/api/settings/thinking-budget", {
          mode: body.mode,
          customBudget: numberOf(body, "customBudget"),
          effortLevel: body.effortLevel,
        });
        const outcome = outcomeOf(answer, body, "Thinking budget saved; the next request follows it.");
        return page(
          thinkingBudgetForm(thinkingBudgetView(context), outcome),
          answer.ok ? 200 : answer.status,
        );
      },
      { body: formBody },
    )
    .post(
      "/dashboard/settings/ip-filter",
      async ({ body, request }) => {
        const answer = await api(request, "PUT", "/api/settings/ip-filter", {
          enabled: body.enabled === "1",
          mode: body.mode,
          blacklist: linesOf(body.blacklist),
          whitelist: linesOf(body.whitelist),
        });
        const filter = outcomeOf(answer, body, "IP filter saved; it applies to the next request.");
        return ipFilterAnswer(answer, { filter });
      },
      { body: formBody },
    )
    .post(
      "/dashboard/settings/ip-filter/bans",
      async ({ body, request }) => {
        const minutes = numberOf(body, "minutes");
        const answer = await api(request, "PUT", "/api/settings/ip-filter", {
          tempBan: {
            ip: body.ip?.trim() ?? "",
            durationMs: minutes === undefined ? undefined : Math.round(minutes * MS_PER_MINUTE),
            reason: body.reason?.trim() ?? "",
          },
        });
        const ban = outcomeOf(answer, body, `${body.ip?.trim() ?? ""} is banned for ${minutes} minutes.`);
        return ipFilterAnswer(answer, { ban });
      },
      { body: formBody },
    )
    .delete("/dashboard/settings/ip-filter/bans", async ({ query, request }) => {
      const answer = await api(request, "PUT", "/api/settings/ip-filter", { removeBan: query.ip ?? "" });
      const ban = outcomeOf(answer, {}, `The ban on ${query.ip ?? ""} is lifted.`);
      return ipFilterAnswer(answer, { ban });
    })
    .delete("/dashboard/settings/cache", async ({ request }) => {
      const cleared = await api<{ cleared: number }>(request, "DELETE", "/api/cache");
      const stats = await cacheStats(api, request);
      const outcome = cleared.ok
        ? { saved: `Cache cleared (${cleared.data.cleared} entries removed).` }
        : { error: cleared.message };
      return page(
        cacheSection(stats.ok ? stats.data.stats : undefined, outcome),
        cleared.ok ? 200 : cleared.status,
      );
    })
    .post(
      "/dashboard/settings/proxy",
      async ({ body, request }) => {
        const url = filled(body, "url") ?? null;
        const answer = await api(request, "PATCH", "/api/settings/proxy", {
          enabled: body.enabled === "1",
          url,
          noProxy: (body.noProxy ?? "")
            .split(",")
            .map((host) => host.trim())
            .filter(Boolean),
        });
        const outcome = outcomeOf(answer, body, "Proxy saved; the next upstream call uses it.");
        return page(proxyForm(readProxySettings(context.settings), outcome), answer.ok ? 200 : answer.status);
      },
      { body: formBody },
    )
    .post(
      "/dashboard/settings/routing",
      async ({ body, request }) => {
        const answer = await api(request, "PATCH", "/api/resilience", {
          accountStrategy: body.accountStrategy,
          stickyRequests: numberOf(body, "stickyRequests"),
          profile: {
            maxAttempts: numberOf(body, "maxAttempts"),
            deadlineMs: numberOf(body, "deadlineMs"),
            cooldown: { baseMs: numberOf(body, "cooldownBaseMs") },
            breaker: {
              failureRate: numberOf(body, "breakerFailureRate"),
              openMs: numberOf(body, "breakerOpenMs"),
            },
          },
        });
        const outcome = outcomeOf(answer, body, "Routing saved; the next request follows it.");
        return page(routingForm(routingView(context), outcome), answer.ok ? 200 : answer.status);
      },
      { body: formBody },
    )
    .post(
      "/dashboard/settings/pricing",
      async ({ body, request }) => {
        const answer = await api(request, "POST", "/api/pricing", {
          provider: body.provider?.trim() ?? "",
          model: body.model?.trim() ?? "",
          input: numberOf(body, "input"),
          output: numberOf(body, "output"),
          ...Object.fromEntries(UNIT_RATE_LABELS.map(([rate]) => [rate, numberOf(body, rate)])),
        });
        const outcome = outcomeOf(answer, body, "Price saved; it applies to the next requests.");
        return page(pricingSection(prices(context), outcome), answer.ok ? 200 : answer.status);
      },
      { body: formBody },
    )
    .delete("/dashboard/settings/pricing", async ({ query, request }) => {
      const search = new URLSearchParams({ provider: query.provider ?? "", model: query.model ?? "" });
      const answer = await api(request, "DELETE", `/api/pricing?${search.toString()}`);
      return page(pricingSection(prices(context), outcomeOf(answer, {}, "Price override removed.")));
    })
    .post("/dashboard/settings/backups", async ({ request }) => {
      const answer = await api<{ backup: { id: string } }>(request, "POST", "/api/db-backups", {
        action: "create",
      });
      const outcome = answer.ok
        ? { saved: `Backup ${answer.data.backup.id} taken.` }
        : { error: answer.message };
      return page(backupsSection(listBackups(context.store), outcome), answer.ok ? 200 : answer.status);
    })
    .post(
      "/dashboard/settings/backups/restore",
      async ({ body, request }) => {
        const answer = await api(request, "POST", "/api/db-backups", {
          action: "restore",
          backupId: body.backupId,
        });
        const outcome = answer.ok
          ? { saved: "Restored; the server is restarting. Reload this page in a few seconds." }
          : { error: answer.message };
        return page(backupsSection(listBackups(context.store), outcome), answer.ok ? 200 : answer.status);
      },
      { body: formBody },
    );
}
