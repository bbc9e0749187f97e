/**
 * Runs the switchyard command line as a separate process (from source), for tests of exit
 * codes, output and signals.
 */
import { join } from "node:path";

export const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = Bun.spawn([process.execPath, MAIN, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "silent", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
}

/** Starts `switchyard serve` in a child process and waits until health answers. */
export async function spawnServer(
  command: string[],
  port: number,
  env: Record<string, string> = {},
  cwd?: string,
) {
  const child = Bun.spawn(command, {
    ...(cwd ? { cwd } : {}),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "silent", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/api/monitoring/health`);
      if (response.ok) break;
    } catch {
      if (child.exitCode !== null)
        throw new Error(`server exited early: ${await new Response(child.stderr).text()}`);
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error("server did not answer within 10 s");
      }
      await Bun.sleep(20);
    }
  }
  return {
    child,
    url,
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const exited = await Promise.race([child.exited, Bun.sleep(5000).then(() => undefined)]);
        if (exited === undefined) child.kill("SIGKILL");
      }
    },
  };
}

/** A port nothing listens on right now. */
export function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}
