/**
 * Everything a running Switchyard holds: the store and its in-memory repositories, security
 * state and the logger. main.ts builds one per process; tests build one per temp data dir.
 */

import { homedir } from "node:os";
import { Idempotency, ResponseCache, readCacheSettings } from "./cache/replay.ts";
import type { Logger } from "./ops/log.ts";
import { Health } from "./routing/health.ts";
import { ComboMetrics } from "./routing/metrics.ts";
import { Resolver } from "./routing/resolve.ts";
import { Sessions } from "./routing/sessions.ts";
import { readRateLimits, readResilience } from "./routing/settings.ts";
import { LoginThrottle } from "./security/login-throttle.ts";
import { AdminPassword } from "./security/password.ts";
import { SecretBox } from "./security/secrets.ts";
import { ApiKeysRepo } from "./store/api-keys.ts";
import { AuditRepo } from "./store/audit.ts";
import { CombosRepo } from "./store/combos.ts";
import type { Store } from "./store/db.ts";
import { EvalsRepo } from "./store/evals.ts";
import { ProvidersRepo } from "./store/providers.ts";
import { SettingsRepo } from "./store/settings.ts";
import { TranslatorSnippetsRepo } from "./store/translator-snippets.ts";
import { CodingTools } from "./tools/index.ts";
import { type UsageOptions, UsageRoom } from "./usage/index.ts";

export interface AppContext {
  store: Store;
  settings: SettingsRepo;
  apiKeys: ApiKeysRepo;
  providers: ProvidersRepo;
  combos: CombosRepo;
  secrets: SecretBox;
  resolver: Resolver;
  health: Health;
  comboMetrics: ComboMetrics;
  sessions: Sessions;
  password: AdminPassword;
  loginThrottle: LoginThrottle;
  /** Usage rows, call logs, pricing, budgets and analytics (src/usage/). */
  usage: UsageRoom;
  /** Answers kept for the exact-match cache and for idempotency keys (cache/replay.ts). */
  cache: ResponseCache;
  idempotency: Idempotency;
  /** Sign-ins and management changes (admin/audit.ts). */
  audit: AuditRepo;
  translatorSnippets: TranslatorSnippetsRepo;
  evals: EvalsRepo;
  /** The coding tools on this machine and their config files (tools/). */
  tools: CodingTools;
  logger: Logger;
  sessionSecret: string;
  /** performance.now() at start, for uptime. */
  startedAt: number;
}

const SESSION_SECRET_KEY = "admin.sessionSecret";

/** `toolsHome`: the home folder whose coding tools the console sets up (tools/). */
export function createContext(
  store: Store,
  logger: Logger,
  usageOptions: UsageOptions = {},
  toolsHome: string = homedir(),
): AppContext {
  const secrets = SecretBox.forDataDir(store.dataDir);
  const providers = new ProvidersRepo(store);
  const combos = new CombosRepo(store);
  const settings = new SettingsRepo(store);
  let sessionSecret = settings.get<string>(SESSION_SECRET_KEY);
  if (sessionSecret === undefined) {
    sessionSecret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
    settings.set(SESSION_SECRET_KEY, sessionSecret);
  }
  const rateLimits = () => readRateLimits(settings);
  const health = new Health(
    () => readResilience(settings).profile,
    (connectionId) => {
      const limits = rateLimits();
      return limits.connections[connectionId] ?? limits.defaults;
    },
  );
  const comboMetrics = new ComboMetrics();
  const resolver = new Resolver(providers, combos, secrets, () => {
    const { accountStrategy, stickyRequests } = readResilience(settings);
    return {
      accountStrategy,
      stickyRequests,
      inFlight: (connectionId) => health.inFlightOf(connectionId),
      stepUses: (combo, step) => comboMetrics.stepUses(combo, step),
    };
  });
  const apiKeys = new ApiKeysRepo(store);
  return {
    store,
    settings,
    apiKeys,
    providers,
    combos,
    secrets,
    resolver,
    health,
    comboMetrics,
    sessions: new Sessions(),
    password: new AdminPassword(settings),
    loginThrottle: new LoginThrottle(),
    usage: new UsageRoom({ store, providers, apiKeys, settings, logger }, usageOptions),
    cache: new ResponseCache(() => readCacheSettings(settings)),
    idempotency: new Idempotency(() => readCacheSettings(settings).idempotencyWindowMs),
    audit: new AuditRepo(store),
    translatorSnippets: new TranslatorSnippetsRepo(store),
    evals: new EvalsRepo(store),
    tools: new CodingTools(toolsHome, store.dataDir),
    logger,
    sessionSecret,
    startedAt: performance.now(),
  };
}

/** Writes what is kept in memory between flushes; called on shutdown and periodically. */
export function flushContext(context: AppContext): void {
  context.apiKeys.flushUsage();
  context.usage.flush();
}
