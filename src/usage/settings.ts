/**
 * How long usage is kept and how call logs are bounded: one settings document under one key,
 * read from memory, edited through `/api/settings` (`usage`).
 */

export interface CallLogSettings {
  enabled: boolean;
  retentionDays: number;
  /** The newest this many call logs are kept, whatever their age. */
  maxRows: number;
  /** Each of the four bodies of a call log is cut to this many characters. */
  maxBodyChars: number;
}

export interface UsageSettings {
  /** Usage rows, attempts and the hourly rollups older than this are pruned. */
  retentionDays: number;
  callLogs: CallLogSettings;
}

export const USAGE_SETTINGS_KEY = "usage";

export const DEFAULT_USAGE_SETTINGS: UsageSettings = {
  retentionDays: 90,
  callLogs: { enabled: true, retentionDays: 7, maxRows: 5_000, maxBodyChars: 16_384 },
};

export function readUsageSettings(settings: { get<T>(key: string): T | undefined }): UsageSettings {
  const saved = settings.get<Partial<UsageSettings>>(USAGE_SETTINGS_KEY);
  if (saved === undefined) return DEFAULT_USAGE_SETTINGS;
  return {
    retentionDays: saved.retentionDays ?? DEFAULT_USAGE_SETTINGS.retentionDays,
    callLogs: { ...DEFAULT_USAGE_SETTINGS.callLogs, ...saved.callLogs },
  };
}
