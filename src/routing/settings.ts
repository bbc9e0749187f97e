/**
 * The routing settings documents with their defaults: resilience (the profile, how accounts are
 * chosen) and request limits per connection. Read from memory on every decision.
 */
import { type ConnectionLimit, DEFAULT_PROFILE, type ResilienceProfile } from "./health.ts";
import type { AccountStrategy } from "./strategies.ts";

type SettingsReader = { get<T>(key: string): T | undefined };

export interface ResilienceSettings {
  profile: ResilienceProfile;
  accountStrategy: AccountStrategy;
  stickyRequests: number;
}

export const RESILIENCE_KEY = "resilience";
export const RATE_LIMITS_KEY = "rateLimits";

export const DEFAULT_RESILIENCE: ResilienceSettings = {
  profile: DEFAULT_PROFILE,
  accountStrategy: "fill-first",
  stickyRequests: 5,
};

export function readResilience(settings: SettingsReader): ResilienceSettings {
  const saved = settings.get<
    Partial<Omit<ResilienceSettings, "profile">> & { profile?: Partial<ResilienceProfile> }
  >(RESILIENCE_KEY);
  if (saved === undefined) return DEFAULT_RESILIENCE;
  const profile: Partial<ResilienceProfile> = saved.profile ?? {};
  return {
    accountStrategy: saved.accountStrategy ?? DEFAULT_RESILIENCE.accountStrategy,
    stickyRequests: saved.stickyRequests ?? DEFAULT_RESILIENCE.stickyRequests,
    profile: {
      ...DEFAULT_PROFILE,
      ...profile,
      cooldown: { ...DEFAULT_PROFILE.cooldown, ...profile.cooldown },
      breaker: { ...DEFAULT_PROFILE.breaker, ...profile.breaker },
    },
  };
}

export interface RateLimitSettings {
  /** Applies to every connection without its own entry. */
  defaults: ConnectionLimit;
  connections: Record<string, ConnectionLimit>;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = { defaults: {}, connections: {} };

export function readRateLimits(settings: SettingsReader): RateLimitSettings {
  return { ...DEFAULT_RATE_LIMITS, ...settings.get<Partial<RateLimitSettings>>(RATE_LIMITS_KEY) };
}
