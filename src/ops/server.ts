/**
 * Running the server: check the data dir, open the store, listen, and drain on SIGTERM/SIGINT
 * (stop accepting, let in-flight requests and streams finish up to the grace period, flush
 * what is kept in memory, close the DB).
 */
import { accessSync, constants, mkdirSync } from "node:fs";
import { createApp } from "../app.ts";
import type { ServeConfig } from "../config.ts";
import { type AppContext, createContext, flushContext } from "../context.ts";
import { openStore } from "../store/db.ts";
import { createLogger } from "./log.ts";
import { MAX_HTTP_REQUESTS } from "./service.ts";

export class StartupError extends Error {
  override name = "StartupError";
}

/** How often in-memory bookkeeping (key last-used times) is written. */
const FLUSH_INTERVAL_MS = 30_000;

export function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new StartupError(
      `cannot write to the data dir ${dir}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
}

/** Opens the store and the context that the CLI commands and the server share. */
export function openContext(config: ServeConfig): AppContext {
  ensureWritableDir(config.dataDir);
  return createContext(openStore(config.dataDir), createLogger(config.logLevel), {}, config.toolsHome);
}

export interface RunningServer {
  url: string;
  port: number;
  context: AppContext;
  /** Drains and closes; resolves when done. */
  shutdown(): Promise<void>;
}

export async function serve(config: ServeConfig): Promise<RunningServer> {
  const context = openContext(config);
  const { logger } = context;
  const generated = await context.password.ensure(config.initialPassword);
  if (generated !== undefined) {
    // Printed once, straight to the console, never through the logger.
    process.stdout.write(
      `\nSwitchyard admin password (shown once; change it with 'switchyard password reset'): ${generated}\n\n`,
    );
  }
  const app = await createApp(context);
  try {
    app.listen({ port: config.port, hostname: config.host, reusePort: false });
  } catch (error) {
    context.store.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new StartupError(`port ${config.port} is already in use on ${config.host}`);
    throw new StartupError(`cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
  }
  const server = app.server!;
  const url = `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${server.port}`;
  logger.info("listening", { url, dataDir: config.dataDir, schema: context.store.schemaVersion });
  if (!process.env.BUN_CONFIG_MAX_HTTP_REQUESTS) {
    logger.warn(
      `at most 256 upstream requests run at once; start with BUN_CONFIG_MAX_HTTP_REQUESTS=${MAX_HTTP_REQUESTS} to allow more (the systemd unit does)`,
    );
  }
  const flushTimer = setInterval(() => flushContext(context), FLUSH_INTERVAL_MS);
  flushTimer.unref();

  let closing: Promise<void> | undefined;
  const shutdown = () => {
    closing ??= (async () => {
      logger.info("shutting down", { inFlight: Math.max(0, server.pendingRequests) });
      clearInterval(flushTimer);
      const drained = server.stop(false).then(() => true);
      const timedOut = Bun.sleep(config.shutdownGraceMs).then(() => false);
      if (!(await Promise.race([drained, timedOut]))) {
        logger.warn("grace period over; closing remaining connections");
        await server.stop(true);
      }
      flushContext(context);
      context.usage.stop();
      context.store.close();
      logger.info("stopped");
    })();
    return closing;
  };
  return { url, port: server.port ?? config.port, context, shutdown };
}
