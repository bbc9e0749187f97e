/** How numbers, money, times and durations read on every page. */

export function formatDuration(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  return `${minutes}m ${Math.floor(seconds % 60)}s`;
}

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : compact.format(value);
}

export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return value > 0 && value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

export function formatShare(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)}%`;
}

export function formatMs(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : `${Math.round(value)} ms`;
}

/** UTC, to the minute or the second: the server's logs and the database speak UTC too. */
export function formatTime(at: Date | number | string, seconds = false): string {
  return new Date(at)
    .toISOString()
    .slice(0, seconds ? 19 : 16)
    .replace("T", " ");
}

export const formatBytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
