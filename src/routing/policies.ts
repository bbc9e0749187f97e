/**
 * Routing policies: rules on the API key, the model asked for and the time (UTC days of the week
 * and a time-of-day window) that allow a request, deny it, or send it to a combo instead. Checked
 * in order before routing; the first rule that matches decides, and with none the request goes on
 * as asked. Kept as one settings document, read from memory.
 */
import { allowsModel } from "../security/model-patterns.ts";

export type PolicyAction = "allow" | "deny" | "route";

export interface Policy {
  id: string;
  name: string;
  enabled: boolean;
  /** API key ids the rule is for; absent: every key. */
  apiKeyIds?: string[];
  /** Model patterns (`*` wildcards) the rule is for; absent: every model. */
  models?: string[];
  /** UTC days of the week, 0 = Sunday; absent: every day. */
  days?: number[];
  /** A UTC time-of-day window "HH:MM"–"HH:MM" (it may wrap past midnight; equal ends: all day); absent: all day. */
  hours?: { from: string; to: string };
  action: PolicyAction;
  /** For `route`: the combo that serves the request instead. */
  combo?: string;
  /** For `deny`: what the client is told. */
  message?: string;
}

export const POLICIES_KEY = "policies";

export function readPolicies(settings: { get<T>(key: string): T | undefined }): Policy[] {
  return settings.get<Policy[]>(POLICIES_KEY) ?? [];
}

export type PolicyDecision =
  | { action: "go" }
  | { action: "deny"; message: string }
  | { action: "route"; combo: string };

function minutesOf(time: string): number {
  const [hours = 0, minutes = 0] = time.split(":").map(Number);
  return hours * 60 + minutes;
}

function inWindow(window: { from: string; to: string }, at: Date): boolean {
  const now = at.getUTCHours() * 60 + at.getUTCMinutes();
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  if (from === to) return true;
  return from < to ? now >= from && now < to : now >= from || now < to;
}

function matches(policy: Policy, apiKeyId: string, model: string, at: Date): boolean {
  return (
    policy.enabled &&
    (policy.apiKeyIds === undefined || policy.apiKeyIds.includes(apiKeyId)) &&
    (policy.models === undefined || allowsModel(policy.models, model)) &&
    (policy.days === undefined || policy.days.includes(at.getUTCDay())) &&
    (policy.hours === undefined || inWindow(policy.hours, at))
  );
}

export function decide(
  policies: readonly Policy[],
  apiKeyId: string,
  model: string,
  at = new Date(),
): PolicyDecision {
  const policy = policies.find((candidate) => matches(candidate, apiKeyId, model, at));
  if (policy === undefined || policy.action === "allow") return { action: "go" };
  if (policy.action === "deny")
    return { action: "deny", message: policy.message ?? `Refused by policy '${policy.name}'` };
  return { action: "route", combo: policy.combo! };
}
