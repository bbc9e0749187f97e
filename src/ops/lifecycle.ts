/**
 * Stopping and restarting the running process from the management API. Both go through the
 * one graceful path main.ts installs for SIGTERM (stop accepting, drain, flush, close the DB);
 * a restart then starts the same binary with the same arguments once this process has let go
 * of the port and the database.
 */
import { spawn } from "node:child_process";

/**
 * The server was started by the command line, which drains on SIGTERM. Embedded servers (tests,
 * other hosts) have no such handler, and a SIGTERM would kill their host outright.
 */
export function processControllable(): boolean {
  return process.listenerCount("SIGTERM") > 0;
}

/** SIGTERM to ourselves on the next tick, so that the answer that asked for it is sent first. */
export function scheduleShutdown(): void {
  setTimeout(() => process.kill(process.pid, "SIGTERM"), 0);
}

export function scheduleRestart(): void {
  process.once("exit", startReplacement);
  scheduleShutdown();
}

/**
 * A compiled binary sees its own embedded entry point as argv[1] (`/$bunfs/root/…`), which it
 * must not be given again; `bun src/main.ts` needs the script path.
 */
export function replacementCommand(): string[] {
  const compiled = /^(?:\/\$bunfs\/|[A-Z]:[\\/]~BUN[\\/])/.test(Bun.main);
  return [process.execPath, ...process.execArgv, ...process.argv.slice(compiled ? 2 : 1)];
}

/**
 * Runs inside the "exit" handler, where only synchronous work happens: spawning is. Detached,
 * so that it outlives us.
 */
function startReplacement(): void {
  const [command, ...args] = replacementCommand();
  spawn(command!, args, { detached: true, stdio: "inherit", env: process.env }).unref();
}
