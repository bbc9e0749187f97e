/**
 * The IP filter in front of every route (client, management and dashboard): in blacklist mode
 * the listed addresses are refused, in whitelist mode only the listed ones are let in; temporary
 * bans refuse an address until they expire, in either mode. Kept as one settings document and
 * compiled once per saved version, so the check before each request is a lookup in memory.
 */
import { type IpRules, ipRules } from "./ip-rules.ts";

export interface TempBan {
  ip: string;
  /** Unix ms. */
  until: number;
  reason: string;
}

export interface IpFilterSettings {
  enabled: boolean;
  mode: "blacklist" | "whitelist";
  blacklist: string[];
  whitelist: string[];
  tempBans: TempBan[];
}

export const IP_FILTER_KEY = "ipFilter";

export const DEFAULT_IP_FILTER: IpFilterSettings = {
  enabled: false,
  mode: "blacklist",
  blacklist: [],
  whitelist: [],
  tempBans: [],
};

type SettingsReader = { get<T>(key: string): T | undefined };

export function readIpFilter(settings: SettingsReader): IpFilterSettings {
  return { ...DEFAULT_IP_FILTER, ...settings.get<Partial<IpFilterSettings>>(IP_FILTER_KEY) };
}

interface Compiled {
  filter: IpFilterSettings;
  blacklist: IpRules;
  whitelist: IpRules;
  bans: Array<{ ban: TempBan; rules: IpRules }>;
}

function compile(filter: IpFilterSettings): Compiled {
  return {
    filter,
    blacklist: ipRules(filter.blacklist),
    whitelist: ipRules(filter.whitelist),
    bans: filter.tempBans.map((ban) => ({ ban, rules: ipRules([ban.ip]) })),
  };
}

/** The rules compiled from the saved document; recompiled only when a new one was saved. */
let current: { saved: unknown; compiled: Compiled } | undefined;

function compiledFilter(settings: SettingsReader): Compiled {
  const saved = settings.get(IP_FILTER_KEY);
  if (current === undefined || current.saved !== saved)
    current = { saved, compiled: compile(readIpFilter(settings)) };
  return current.compiled;
}

/** Why this address is refused now, or undefined when it may come in. */
export function ipRefusal(
  settings: SettingsReader,
  ip: string | undefined,
  now = Date.now(),
): string | undefined {
  return refusalUnder(compiledFilter(settings), ip, now);
}

/** The same decision for a filter not saved yet: would `ip` be refused under it? */
export function ipRefusalUnder(
  filter: IpFilterSettings,
  ip: string | undefined,
  now = Date.now(),
): string | undefined {
  return refusalUnder(compile(filter), ip, now);
}

function refusalUnder(
  { filter, blacklist, whitelist, bans }: Compiled,
  ip: string | undefined,
  now: number,
): string | undefined {
  if (!filter.enabled) return undefined;
  if (ip === undefined) return "the client address is unknown";
  const ban = bans.find((entry) => entry.ban.until > now && entry.rules.matches(ip))?.ban;
  if (ban)
    return `${ip} is banned until ${new Date(ban.until).toISOString()}${ban.reason ? ` (${ban.reason})` : ""}`;
  if (filter.mode === "blacklist") return blacklist.matches(ip) ? `${ip} is blacklisted` : undefined;
  return whitelist.matches(ip) ? undefined : `${ip} is not on the whitelist`;
}
