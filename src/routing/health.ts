/**
 * Live health of every target, in memory: cooldowns per (connection, model), circuit breakers
 * per provider and per connection, connections disabled by an auth failure, and per-connection
 * request limits (requests per minute, concurrency). The gateway asks `check` before an attempt
 * and reports every outcome; nothing here waits or retries.
 */
import type { Classified } from "./classify.ts";

export interface ResilienceProfile {
  /** Attempts per client request, across every layer (accounts, models, combo steps). */
  maxAttempts: number;
  /** The whole client request, every attempt included. */
  deadlineMs: number;
  cooldown: {
    /** First backoff after a failure without Retry-After; doubles per consecutive failure, with jitter. */
    baseMs: number;
    maxMs: number;
    /** The longest wait an upstream's Retry-After or reset header may impose. */
    retryAfterCapMs: number;
  };
  breaker: {
    windowMs: number;
    /** Outcomes needed in the window before the failure rate counts. */
    minRequests: number;
    /** Failure share (0–1) that opens the breaker. */
    failureRate: number;
    /** How long an open breaker waits before letting one probe through. */
    openMs: number;
  };
}

export const DEFAULT_PROFILE: ResilienceProfile = {
  maxAttempts: 3,
  deadlineMs: 600_000,
  cooldown: { baseMs: 1000, maxMs: 300_000, retryAfterCapMs: 600_000 },
  breaker: { windowMs: 60_000, minRequests: 5, failureRate: 0.5, openMs: 30_000 },
};

export interface ConnectionLimit {
  requestsPerMinute?: number;
  concurrency?: number;
}

export type Unavailable = {
  until: number;
  reason: "cooldown" | "breaker" | "disabled" | "rate_limit" | "concurrency";
};

type BreakerState = "closed" | "open" | "half-open";

/** A half-open probe that was handed out but never reported (its attempt was skipped) expires after this. */
const PROBE_EXPIRY_MS = 60_000;

/**
 * Opens on a failure rate over a sliding window; after openMs lets a single probe through.
 * A provider's breaker counts every account's outcomes but opens only when the failures come from
 * more than one account (or the provider has just one): one dead account is that account's
 * breaker's business, not a reason to stop using its healthy siblings.
 */
/** Outcomes of one slice of a breaker's window, counted per source. */
interface Slice {
  /** When its first outcome came: a slice takes outcomes for windowMs / SLICES_PER_WINDOW from then. */
  start: number;
  /** When its newest outcome came: it leaves the window windowMs after that. */
  last: number;
  bySource: Map<string, Tally>;
}

interface Tally {
  total: number;
  failures: number;
}

/** How finely a breaker's window is sliced: outcomes leave it a slice at a time. */
const SLICES_PER_WINDOW = 50;

export class Breaker {
  /** The window as slices, oldest first; with running tallies, so an outcome costs O(1) however busy. */
  private slices: Slice[] = [];
  private readonly tallies = new Map<string, Tally>();
  private total = 0;
  private failures = 0;
  /** Sources with at least one failure in the window. */
  private failingSources = 0;
  state: BreakerState = "closed";
  openedAt = 0;
  /** When the half-open probe was handed out; a probe that never reports back expires. */
  private probingSince: number | undefined;

  constructor(private readonly profile: () => ResilienceProfile["breaker"]) {}

  /** When it will let a request through, or 0 if it does now (claiming the probe when half-open). */
  blockedUntil(now: number): number {
    if (this.state === "closed") return 0;
    const reopensAt = this.openedAt + this.profile().openMs;
    if (this.state === "open") {
      if (now < reopensAt) return reopensAt;
      this.state = "half-open";
      this.probingSince = undefined;
    }
    if (this.probingSince !== undefined && now - this.probingSince < PROBE_EXPIRY_MS) return now + 1000;
    this.probingSince = now;
    return 0;
  }

  record(ok: boolean, now: number, source = ""): void {
    if (this.state === "half-open") {
      if (ok) this.close();
      else this.open(now);
      return;
    }
    if (this.state === "open") return;
    const { windowMs, minRequests, failureRate } = this.profile();
    while (this.slices.length > 0 && this.slices[0]!.last < now - windowMs) this.drop(this.slices.shift()!);
    let slice = this.slices.at(-1);
    if (!slice || now - slice.start >= windowMs / SLICES_PER_WINDOW) {
      slice = { start: now, last: now, bySource: new Map() };
      this.slices.push(slice);
    }
    slice.last = now;
    this.count(slice, source, ok ? 0 : 1);
    if (this.total < minRequests || this.failures / this.total < failureRate) return;
    if (this.failingSources >= Math.min(2, this.tallies.size)) this.open(now);
  }

  close(): void {
    this.state = "closed";
    this.reset();
    this.probingSince = undefined;
  }

  private open(now: number): void {
    this.state = "open";
    this.openedAt = now;
    this.probingSince = undefined;
    this.reset();
  }

  private reset(): void {
    this.slices = [];
    this.tallies.clear();
    this.total = 0;
    this.failures = 0;
    this.failingSources = 0;
  }

  private count(slice: Slice, source: string, failed: number): void {
    const inSlice = slice.bySource.get(source) ?? { total: 0, failures: 0 };
    inSlice.total++;
    inSlice.failures += failed;
    slice.bySource.set(source, inSlice);
    this.adjust(source, 1, failed);
  }

  /** A slice leaves the window: its outcomes stop counting. */
  private drop(slice: Slice): void {
    for (const [source, tally] of slice.bySource) this.adjust(source, -tally.total, -tally.failures);
  }

  private adjust(source: string, total: number, failures: number): void {
    const tally = this.tallies.get(source) ?? { total: 0, failures: 0 };
    const wasFailing = tally.failures > 0;
    tally.total += total;
    tally.failures += failures;
    this.total += total;
    this.failures += failures;
    if (tally.total === 0) this.tallies.delete(source);
    else this.tallies.set(source, tally);
    if (wasFailing !== tally.failures > 0) this.failingSources += wasFailing ? -1 : 1;
  }

  snapshot() {
    return {
      state: this.state,
      openedAt: this.openedAt ? new Date(this.openedAt).toISOString() : null,
      recent: this.total,
    };
  }
}

interface Cooldown {
  until: number;
  failures: number;
  reason: string;
}

export interface TargetKey {
  providerId: string;
  connectionId: string;
  model: string;
}

export class Health {
  private readonly cooldowns = new Map<string, Cooldown>();
  private readonly providerBreakers = new Map<string, Breaker>();
  private readonly connectionBreakers = new Map<string, Breaker>();
  private readonly disabled = new Map<string, string>();
  private readonly inFlight = new Map<string, number>();
  private readonly recentStarts = new Map<string, number[]>();

  /** `profile` and `limits` are read on every decision, so edits take effect at once. */
  constructor(
    private readonly profileOf: () => ResilienceProfile = () => DEFAULT_PROFILE,
    private readonly limits: (connectionId: string) => ConnectionLimit = () => ({}),
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  private get profile(): ResilienceProfile {
    return this.profileOf();
  }

  /** Whether the target may be tried now; when not, until when (ms since epoch) and why. */
  check(target: TargetKey): Unavailable | undefined {
    const now = this.now();
    if (this.disabled.has(target.connectionId))
      return { until: Number.POSITIVE_INFINITY, reason: "disabled" };
    const cooldown = this.cooldowns.get(cooldownKey(target));
    if (cooldown && cooldown.until > now) return { until: cooldown.until, reason: "cooldown" };
    const limit = this.limits(target.connectionId);
    if (
      limit.concurrency !== undefined &&
      (this.inFlight.get(target.connectionId) ?? 0) >= limit.concurrency
    ) {
      return { until: now + 1000, reason: "concurrency" };
    }
    if (limit.requestsPerMinute !== undefined) {
      const starts = this.windowOf(target.connectionId, now);
      if (starts.length >= limit.requestsPerMinute)
        return { until: starts[0]! + 60_000, reason: "rate_limit" };
    }
    const connectionBlocked = this.breaker(this.connectionBreakers, target.connectionId).blockedUntil(now);
    if (connectionBlocked > 0) return { until: connectionBlocked, reason: "breaker" };
    const providerBlocked = this.breaker(this.providerBreakers, target.providerId).blockedUntil(now);
    if (providerBlocked > 0) return { until: providerBlocked, reason: "breaker" };
    return undefined;
  }

  /** An attempt starts: counts against the connection's concurrency and per-minute limits. */
  started(target: TargetKey): void {
    this.inFlight.set(target.connectionId, (this.inFlight.get(target.connectionId) ?? 0) + 1);
    if (this.limits(target.connectionId).requestsPerMinute !== undefined) {
      this.windowOf(target.connectionId, this.now()).push(this.now());
    }
  }

  succeeded(target: TargetKey): void {
    const now = this.now();
    this.finished(target);
    this.cooldowns.delete(cooldownKey(target));
    this.breaker(this.connectionBreakers, target.connectionId).record(true, now);
    this.breaker(this.providerBreakers, target.providerId).record(true, now, target.connectionId);
  }

  /** Records a failure; auth failures disable the connection, the rest cool the (connection, model) down. */
  failed(target: TargetKey, failure: Classified, message: string): void {
    const now = this.now();
    this.finished(target);
    if (failure.class === "client_abort" || failure.class === "client" || failure.class === "content_filter")
      return;
    if (failure.class === "context_length") return;
    if (failure.class === "auth") {
      this.disabled.set(target.connectionId, message);
      return;
    }
    const key = cooldownKey(target);
    const failures = (this.cooldowns.get(key)?.failures ?? 0) + 1;
    const { baseMs, maxMs, retryAfterCapMs } = this.profile.cooldown;
    const backoff = Math.min(maxMs, baseMs * 2 ** (failures - 1)) * (0.75 + this.random() * 0.5);
    const wait =
      failure.retryAfterMs !== undefined ? Math.min(failure.retryAfterMs, retryAfterCapMs) : backoff;
    this.cooldowns.set(key, { until: now + wait, failures, reason: `${failure.class}: ${message}` });
    this.breaker(this.connectionBreakers, target.connectionId).record(false, now);
    this.breaker(this.providerBreakers, target.providerId).record(false, now, target.connectionId);
  }

  /** The attempt ended without a verdict on the upstream (the client left): only the counters change. */
  abandoned(target: TargetKey): void {
    this.finished(target);
  }

  inFlightOf(connectionId: string): number {
    return this.inFlight.get(connectionId) ?? 0;
  }

  disabledReason(connectionId: string): string | undefined {
    return this.disabled.get(connectionId);
  }

  /** A connection's key or URL was changed, or a test passed: give it another chance. */
  enable(connectionId: string): void {
    this.disabled.delete(connectionId);
    this.connectionBreakers.get(connectionId)?.close();
    for (const key of this.cooldowns.keys())
      if (key.startsWith(`${connectionId}\u0000`)) this.cooldowns.delete(key);
  }

  /** Closes every breaker and clears every cooldown and disabled mark. */
  reset(): void {
    this.cooldowns.clear();
    this.disabled.clear();
    for (const breaker of [...this.providerBreakers.values(), ...this.connectionBreakers.values()])
      breaker.close();
  }

  snapshot() {
    const now = this.now();
    const iso = (at: number) => new Date(at).toISOString();
    return {
      cooldowns: [...this.cooldowns.entries()]
        .filter(([, cooldown]) => cooldown.until > now)
        .map(([key, cooldown]) => {
          const [connectionId, model] = key.split("\u0000");
          return {
            connectionId,
            model,
            until: iso(cooldown.until),
            failures: cooldown.failures,
            reason: cooldown.reason,
          };
        }),
      breakers: {
        providers: Object.fromEntries(
          [...this.providerBreakers].map(([id, breaker]) => [id, breaker.snapshot()]),
        ),
        connections: Object.fromEntries(
          [...this.connectionBreakers].map(([id, breaker]) => [id, breaker.snapshot()]),
        ),
      },
      disabled: Object.fromEntries(this.disabled),
      inFlight: Object.fromEntries(this.inFlight),
    };
  }

  /** Per connection: its limits, in-flight count, requests in the last minute, cooldowns. */
  connectionState(connectionId: string) {
    const now = this.now();
    return {
      limits: this.limits(connectionId),
      inFlight: this.inFlight.get(connectionId) ?? 0,
      requestsLastMinute: this.windowOf(connectionId, now).length,
      disabled: this.disabled.get(connectionId) ?? null,
      cooldowns: [...this.cooldowns.entries()]
        .filter(([key, cooldown]) => key.startsWith(`${connectionId}\u0000`) && cooldown.until > now)
        .map(([key, cooldown]) => ({
          model: key.split("\u0000")[1],
          until: new Date(cooldown.until).toISOString(),
          reason: cooldown.reason,
        })),
      breaker: this.connectionBreakers.get(connectionId)?.snapshot() ?? {
        state: "closed",
        openedAt: null,
        recent: 0,
      },
    };
  }

  private finished(target: TargetKey): void {
    const count = (this.inFlight.get(target.connectionId) ?? 1) - 1;
    if (count <= 0) this.inFlight.delete(target.connectionId);
    else this.inFlight.set(target.connectionId, count);
  }

  private windowOf(connectionId: string, now: number): number[] {
    const starts = this.recentStarts.get(connectionId) ?? [];
    while (starts.length > 0 && starts[0]! <= now - 60_000) starts.shift();
    this.recentStarts.set(connectionId, starts);
    return starts;
  }

  private breaker(map: Map<string, Breaker>, id: string): Breaker {
    let breaker = map.get(id);
    if (!breaker) {
      breaker = new Breaker(() => this.profile.breaker);
      map.set(id, breaker);
    }
    return breaker;
  }
}

function cooldownKey(target: TargetKey): string {
  return `${target.connectionId}\u0000${target.model}`;
}
