/**
 * The process log: one line per event, JSON when stdout is not a terminal (journald, files),
 * a short readable line when it is. Callers pass facts, never headers or bodies, so secrets
 * cannot reach the log; `redactQuery` strips credentials that clients put in URLs.
 */
import type { LogLevel } from "../config.ts";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  /** Whether a line of this level would be written (so callers can skip gathering its fields). */
  enabled(level: Exclude<LogLevel, "silent">): boolean;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
  json = !process.stdout.isTTY,
): Logger {
  const threshold = RANK[level];
  const emit = (lineLevel: Exclude<LogLevel, "silent">, message: string, fields: LogFields = {}) => {
    if (RANK[lineLevel] < threshold) return;
    if (json) {
      write(
        `${JSON.stringify({ time: new Date().toISOString(), level: lineLevel, msg: message, ...fields })}\n`,
      );
      return;
    }
    const extras = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${value}`)
      .join(" ");
    write(`${lineLevel.toUpperCase().padEnd(5)} ${message}${extras ? ` ${extras}` : ""}\n`);
  };
  return {
    enabled: (lineLevel) => RANK[lineLevel] >= threshold,
    debug: (message, fields) => emit("debug", message, fields),
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
  };
}

const SECRET_PARAMS = new Set(["key", "api_key", "apikey", "token", "access_token", "password"]);

/** The path and query of a URL with credential-like parameters blanked. */
export function redactQuery(url: URL): string {
  if (url.search === "") return url.pathname;
  const params = new URLSearchParams(url.search);
  for (const name of [...params.keys()]) {
    if (SECRET_PARAMS.has(name.toLowerCase())) params.set(name, "[redacted]");
  }
  return `${url.pathname}?${params.toString()}`;
}
