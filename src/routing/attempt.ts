/**
 * The one loop that walks a plan: one retry budget (max attempts) and one deadline per client
 * request, shared by every layer. Targets that are cooling down, open, disabled or over their
 * limits are skipped without an attempt, and so are targets that cannot carry the request (the
 * catalogue says their model lacks what it needs, or their `prepare` refuses it); after a
 * context-length refusal only targets with a larger known context window are tried. Nothing waits: when every target is unavailable the walk ends at once and
 * says until when.
 */
import { modelSpec } from "../providers/catalog.ts";
import { type Needs, unfitReason } from "./capabilities.ts";
import { type Classified, classify, type FailureFacts } from "./classify.ts";
import type { Health, ResilienceProfile, TargetKey, Unavailable } from "./health.ts";
import type { Target } from "./resolve.ts";

export type AttemptResult<T, E> =
  | {
      ok: true;
      value: T /** The attempt reports its own outcome later (a stream, when it ends). */;
      deferred: boolean;
    }
  | { ok: false; facts: FailureFacts; error: E };

export type Prepared<P, E> = { ok: true; payload: P } | { ok: false; error: E };

export interface Walk<T, E> {
  value?: T;
  /** The target that produced `value`, or the last one tried. */
  target?: Target;
  attempts: number;
  lastError?: E;
  /** Why the last failure ended the walk, when it did (a client error another target would repeat). */
  stoppedBy?: Classified;
  /** Targets skipped without an attempt, and until when. */
  unavailable: Unavailable[];
  /** Why targets that cannot carry the request were skipped. */
  unfit: string[];
}

export interface WalkSteps<P, T, E> {
  /** What to send to a target, or why it cannot carry the request (then it is skipped). */
  prepare(target: Target): Prepared<P, E>;
  attempt(
    target: Target,
    payload: P,
    attemptNumber: number,
    remainingMs: number,
  ): Promise<AttemptResult<T, E>>;
  /** An auth failure disabled the target's connection. */
  onAuthFailure(target: Target, message: string): void;
  describe(error: E): string;
}

export function targetKey(target: Target): TargetKey {
  return { providerId: target.endpoint.providerId, connectionId: target.connection.id, model: target.model };
}

function contextWindow(target: Target): number | undefined {
  return modelSpec(target.endpoint.providerId, target.model)?.contextWindow;
}

export async function walkPlan<P, T, E>(
  targets: Target[],
  health: Health,
  profile: ResilienceProfile,
  startedAt: number,
  steps: WalkSteps<P, T, E>,
  needs: Needs = {},
): Promise<Walk<T, E>> {
  const deadline = startedAt + profile.deadlineMs;
  const walk: Walk<T, E> = { attempts: 0, unavailable: [], unfit: [] };
  let needsLargerThan: number | undefined;
  for (const target of targets) {
    if (walk.attempts >= profile.maxAttempts) break;
    const remainingMs = deadline - performance.now();
    if (remainingMs <= 0) break;
    if (needsLargerThan !== undefined && (contextWindow(target) ?? 0) <= needsLargerThan) continue;
    const verdict = unfitReason(target, needs);
    const unfit = verdict instanceof Promise ? await verdict : verdict;
    if (unfit) {
      walk.unfit.push(unfit);
      continue;
    }
    const key = targetKey(target);
    const blocked = health.check(key);
    if (blocked) {
      walk.unavailable.push(blocked);
      continue;
    }
    const prepared = steps.prepare(target);
    if (!prepared.ok) {
      walk.lastError = prepared.error;
      continue;
    }
    walk.attempts++;
    walk.target = target;
    health.started(key);
    const result = await steps.attempt(target, prepared.payload, walk.attempts, remainingMs);
    if (result.ok) {
      if (!result.deferred) health.succeeded(key);
      walk.value = result.value;
      return walk;
    }
    walk.lastError = result.error;
    const classified = classify(result.facts);
    if (classified.class === "client_abort") {
      health.abandoned(key);
      walk.stoppedBy = classified;
      return walk;
    }
    health.failed(key, classified, steps.describe(result.error));
    if (classified.class === "auth") steps.onAuthFailure(target, steps.describe(result.error));
    if (!classified.movesOn) {
      walk.stoppedBy = classified;
      return walk;
    }
    if (classified.class === "context_length") {
      needsLargerThan = Math.max(needsLargerThan ?? 0, contextWindow(target) ?? Number.POSITIVE_INFINITY);
    }
  }
  return walk;
}
