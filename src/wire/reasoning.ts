/**
 * The one mapping between the two ways dialects ask for reasoning: a named effort (OpenAI
 * `reasoning_effort`, Responses `reasoning.effort`) and a token budget (Anthropic
 * `thinking.budget_tokens`, Gemini `thinkingConfig.thinkingBudget`). Every codec that converts
 * one into the other uses these functions, so a request means the same thing whichever way
 * it crosses.
 */
import { invalidField } from "./errors.ts";
import type { IRReasoningEffort } from "./ir.ts";

/** Anthropic rejects thinking budgets below this. */
export const MIN_THINKING_BUDGET = 1024;

const BUDGET_OF: Record<Exclude<IRReasoningEffort, "none">, number> = {
  minimal: MIN_THINKING_BUDGET,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 32768,
};

const BUDGET_ENTRIES = Object.entries(BUDGET_OF) as Array<[IRReasoningEffort, number]>;

const EFFORTS: ReadonlySet<string> = new Set(["none", ...Object.keys(BUDGET_OF)]);

/**
 * An effort as OpenAI names it (chat `reasoning_effort`, Responses `reasoning.effort`); "max",
 * above the IR's top level, reads as that top. Anything else is a 400 at `path`.
 */
export function decodeEffortName(name: string, path: string): IRReasoningEffort {
  const effort = name === "max" ? "xhigh" : name;
  if (!EFFORTS.has(effort))
    throw invalidField(path, "must be none, minimal, low, medium, high, xhigh or max");
  return effort as IRReasoningEffort;
}

/** Token budget for an effort; 0 for "none" (reasoning off). */
export function budgetForEffort(effort: IRReasoningEffort): number {
  return effort === "none" ? 0 : BUDGET_OF[effort];
}

/**
 * The effort whose budget is nearest to `budget` on a log scale; "none" for zero or less.
 * Negative budgets (Gemini's -1, "dynamic") also answer "none": callers that know dynamic
 * thinking handle -1 before calling.
 */
export function effortForBudget(budget: number): IRReasoningEffort {
  if (!(budget > 0)) return "none";
  let nearest: IRReasoningEffort = "minimal";
  let nearestDistance = Number.POSITIVE_INFINITY;
  for (const [effort, effortBudget] of BUDGET_ENTRIES) {
    const distance = Math.abs(Math.log2(budget / effortBudget));
    if (distance < nearestDistance) {
      nearest = effort;
      nearestDistance = distance;
    }
  }
  return nearest;
}
