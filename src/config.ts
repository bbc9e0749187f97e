/**
 * Command line and environment → one Config. Flags win over environment variables, which win
 * over the defaults. Parsing never exits by itself: it throws UsageError, and main.ts decides.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
export const DEFAULT_PORT = 20128;
export const DEFAULT_HOST = "0.0.0.0";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

export interface ServeConfig {
  port: number;
  host: string;
  dataDir: string;
  /** The home folder whose coding tools' config files the console sets up. */
  toolsHome?: string;
  logLevel: LogLevel;
  initialPassword?: string;
  /** How long in-flight requests may take to finish after SIGTERM. */
  shutdownGraceMs: number;
}

export type Command =
  | { name: "serve"; config: ServeConfig }
  | { name: "help" }
  | { name: "version" }
  | { name: "service-install"; config: ServeConfig; user: boolean; unitDir?: string }
  | { name: "service-uninstall"; user: boolean; unitDir?: string }
  | { name: "password-reset"; config: ServeConfig }
  | { name: "keys-create"; config: ServeConfig; label: string; admin: boolean };

export class UsageError extends Error {
  override name = "UsageError";
}

export const USAGE = `Switchyard ${VERSION} — one endpoint for all your AI providers

Usage:
  switchyard [serve] [options]           start the server (default)
  switchyard service install [--user] [--unit-dir D]
                                         write a systemd unit and print the systemctl lines to run
  switchyard service uninstall [--user] [--unit-dir D]
                                         remove that unit
  switchyard password reset              set a new admin password (server may be stopped)
  switchyard keys create --name N [--admin]
                                         create an API key and print it once

Options:
  --port N        port to listen on (env PORT, default ${DEFAULT_PORT})
  --host H        address to listen on (env HOST, default ${DEFAULT_HOST})
  --data-dir D    where the database and backups live (env DATA_DIR, default ~/.switchyard)
  --tools-home D  whose coding tools (Claude Code, Codex, …) the console may set up
                  (env TOOLS_HOME, default the home folder of the user running it)
  --unit-dir D    with service: where to write the unit (default /etc/systemd/system,
                  or ~/.config/systemd/user with --user)
  --version       print the version
  --help          print this help

Environment:
  INITIAL_PASSWORD  admin password to set on first start (otherwise one is generated and printed once)
  LOG_LEVEL         debug | info | warn | error | silent (default info)
`;

const OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  "data-dir": { type: "string" },
  "tools-home": { type: "string" },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  user: { type: "boolean" },
  name: { type: "string" },
  admin: { type: "boolean" },
  "unit-dir": { type: "string" },
} as const;

/** Which flags each command takes beyond the serve options. */
const EXTRA_FLAGS: Record<string, readonly string[]> = {
  serve: [],
  "service-install": ["user", "unit-dir"],
  "service-uninstall": ["user", "unit-dir"],
  "password-reset": [],
  "keys-create": ["name", "admin"],
};

export function parseCommand(argv: string[], env: Record<string, string | undefined>): Command {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { name: "help" };
  if (values.version) return { name: "version" };

  const name = commandName(positionals);
  const allowed = EXTRA_FLAGS[name] ?? [];
  for (const flag of ["user", "name", "admin", "unit-dir"] as const) {
    if (values[flag] !== undefined && !allowed.includes(flag)) {
      throw new UsageError(`--${flag} does not go with '${positionals.join(" ") || "serve"}'`);
    }
  }
  const unitDir = values["unit-dir"] === undefined ? {} : { unitDir: values["unit-dir"] };
  if (name === "service-uninstall") return { name, user: values.user === true, ...unitDir };
  const config = serveConfig(values, env);
  switch (name) {
    case "service-install":
      return { name, config, user: values.user === true, ...unitDir };
    case "password-reset":
      return { name, config };
    case "keys-create":
      if (!values.name?.trim()) throw new UsageError("keys create needs --name N");
      return { name, config, label: values.name.trim(), admin: values.admin === true };
    default:
      return { name: "serve", config };
  }
}

function commandName(positionals: string[]): string {
  const words = positionals.join(" ");
  switch (words) {
    case "":
    case "serve":
      return "serve";
    case "service install":
      return "service-install";
    case "service uninstall":
      return "service-uninstall";
    case "password reset":
      return "password-reset";
    case "keys create":
      return "keys-create";
    default:
      throw new UsageError(`unknown command '${words}'`);
  }
}

function serveConfig(
  values: { port?: string; host?: string; "data-dir"?: string; "tools-home"?: string },
  env: Record<string, string | undefined>,
): ServeConfig {
  const portText = values.port ?? env.PORT ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`invalid port '${portText}'`);
  const logLevel = (env.LOG_LEVEL ?? "info").toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(`invalid LOG_LEVEL '${env.LOG_LEVEL}' (one of ${LOG_LEVELS.join(", ")})`);
  }
  const config: ServeConfig = {
    port,
    host: values.host ?? env.HOST ?? DEFAULT_HOST,
    dataDir: values["data-dir"] ?? env.DATA_DIR ?? join(homedir(), ".switchyard"),
    logLevel,
    shutdownGraceMs: 10_000,
  };
  const toolsHome = values["tools-home"] ?? env.TOOLS_HOME;
  if (toolsHome) config.toolsHome = toolsHome;
  if (env.INITIAL_PASSWORD) config.initialPassword = env.INITIAL_PASSWORD;
  return config;
}
