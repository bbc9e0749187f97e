/**
 * The usage room as the rest of the house sees it (`context.usage`): record a finished request,
 * price a call, check a key's budget, and the analytics behind the management API. Everything
 * the gateway calls is O(1) and in memory; the disk is written by the recorder's batches and the
 * retention job, both on timers that `stop()` clears.
 */
import type { Logger } from "../ops/log.ts";
import type { ApiKeysRepo } from "../store/api-keys.ts";
import type { Store } from "../store/db.ts";
import type { ProvidersRepo } from "../store/providers.ts";
import type { ApiKeyRow } from "../store/schema.ts";
import type { SettingsRepo } from "../store/settings.ts";
import { UsageAnalytics } from "./analytics.ts";
import { type BudgetLimits, type BudgetStatus, Budgets } from "./budgets.ts";
import { KeyLimits, type Refusal } from "./key-limits.ts";
import type { CallOutcome } from "./outcome.ts";
import { type PricedCall, Pricing } from "./pricing.ts";
import { type UsageListener, UsageRecorder } from "./recorder.ts";
import { type PruneResult, pruneUsage } from "./retention.ts";
import { readUsageSettings, type UsageSettings } from "./settings.ts";

export interface UsageOptions {
  /** Unix ms; tests move it to cross budget periods and retention cut-offs. */
  now?: () => number;
  flushIntervalMs?: number;
  batchRows?: number;
  pruneIntervalMs?: number;
}

export interface UsageDeps {
  store: Store;
  providers: ProvidersRepo;
  apiKeys: ApiKeysRepo;
  settings: SettingsRepo;
  logger: Logger;
}

const DEFAULTS = { flushIntervalMs: 250, batchRows: 500, pruneIntervalMs: 3_600_000 };

/** Call logs written since the last prune beyond this share of the cap bring the next prune forward. */
const EARLY_PRUNE_SHARE = 0.1;

export class UsageRoom {
  readonly pricing: Pricing;
  readonly budgets: Budgets;
  readonly analytics: UsageAnalytics;
  private readonly keyLimits: KeyLimits;
  private readonly recorder: UsageRecorder;
  /** The clock every period and range is measured on. */
  readonly now: () => number;
  private readonly pruneTimer: ReturnType<typeof setInterval>;
  private pruning: Promise<PruneResult> | undefined;
  private callLogsSincePrune = 0;
  private stopped = false;

  constructor(
    private readonly deps: UsageDeps,
    options: UsageOptions = {},
  ) {
    const { flushIntervalMs, batchRows, pruneIntervalMs } = { ...DEFAULTS, ...options };
    this.now = options.now ?? Date.now;
    this.pricing = new Pricing(deps.store, deps.providers);
    this.budgets = new Budgets(deps.store, this.now);
    this.analytics = new UsageAnalytics(deps.store.db);
    this.keyLimits = new KeyLimits(deps.store, this.now);
    this.recorder = new UsageRecorder(deps.store, deps.logger, {
      flushIntervalMs,
      batchRows,
      maxBodyChars: () => this.settings().callLogs.maxBodyChars,
      onFlushed: ({ callLogs }) => this.countCallLogs(callLogs),
    });
    this.pruneTimer = setInterval(() => void this.prune(), pruneIntervalMs);
    this.pruneTimer.unref();
  }

  settings(): UsageSettings {
    return readUsageSettings(this.deps.settings);
  }

  /**
   * Queues the outcome of one client request (any status, aborted ones too); prices it and adds
   * its cost to the key's budget at once, so that the key's next request sees it.
   */
  record(outcome: CallOutcome): void {
    const costUsd = this.pricing.costOf(outcome);
    this.budgets.add(outcome.apiKeyId, outcome.startedAt, costUsd);
    if (outcome.usage)
      this.keyLimits.countTokens(outcome.apiKeyId, outcome.usage.inputTokens + outcome.usage.outputTokens);
    this.recorder.push({
      outcome,
      costUsd,
      flatRate: this.pricing.isFlatRate(outcome.connectionId),
      keepBodies: outcome.bodies !== undefined && this.callLogBodyCap(outcome.apiKeyId) > 0,
    });
  }

  /** USD for a call (for the response header): 0 on a flat-rate connection, null if unknown. */
  costOf(call: PricedCall): number | null {
    return this.pricing.costOf(call);
  }

  /**
   * Why this key may not make a request now (expired, wrong address, over its budget or its
   * request and token rates), or undefined; check before calling upstream. Counts what it admits.
   */
  admit(key: ApiKeyRow, clientIp: string | undefined): Refusal | undefined {
    const overBudget = this.budgets.exceeded(key.id);
    if (overBudget) {
      return {
        error: { type: "rate_limit", status: 429, message: `This API key's ${overBudget.message}` },
        retryAfterSeconds: Math.max(1, Math.ceil((overBudget.resetsAt - this.now()) / 1000)),
      };
    }
    return this.keyLimits.admit(key, clientIp);
  }

  /** How many characters of each body the gateway should keep for this key's call log; 0: none. */
  callLogBodyCap(apiKeyId: string): number {
    const { callLogs } = this.settings();
    return callLogs.enabled && this.deps.apiKeys.get(apiKeyId)?.noLog !== true ? callLogs.maxBodyChars : 0;
  }

  /** Saves a key's budget; what is queued is written first, so that its spend so far counts. */
  setBudget(apiKeyId: string, limits: BudgetLimits): BudgetStatus | undefined {
    this.recorder.flush();
    return this.budgets.set(apiKeyId, limits);
  }

  /** Calls `listener` with the usage rows of each committed batch; returns the unsubscribe function. */
  subscribe(listener: UsageListener): () => void {
    return this.recorder.subscribe(listener);
  }

  /** Writes what is queued; returns the number of usage rows written. */
  flush(): number {
    return this.recorder.flush();
  }

  /** Runs the retention job now (one at a time); resolves with what it deleted. */
  prune(): Promise<PruneResult> {
    this.pruning ??= pruneUsage(this.deps.store, this.settings(), this.now(), () => !this.stopped)
      .catch((error: unknown) => {
        this.deps.logger.error("usage retention failed", {
          error: error instanceof Error ? error.message : String(error),
        });
        return { usageRows: 0, attempts: 0, rollups: 0, callLogs: 0 };
      })
      .finally(() => {
        this.pruning = undefined;
        this.callLogsSincePrune = 0;
      });
    return this.pruning;
  }

  /** Flushes and clears the timers; an unfinished retention job stops at its next chunk. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.pruneTimer);
    this.recorder.stop();
  }

  private countCallLogs(written: number): void {
    this.callLogsSincePrune += written;
    if (!this.stopped && this.callLogsSincePrune > this.settings().callLogs.maxRows * EARLY_PRUNE_SHARE)
      void this.prune();
  }
}
