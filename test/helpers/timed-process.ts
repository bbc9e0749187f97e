/**
 * Runs a third-party program as a child process with a deadline: on time-out its whole process
 * group is killed and the result says so, so a hang fails a test instead of blocking the run.
 * `killStragglers()` (for afterAll) kills the groups of any still running.
 */
import { spawn } from "node:child_process";

export interface TimedResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface TimedOptions {
  /** The whole environment of the child: nothing is inherited. */
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
}

const running = new Set<number>();

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // the group has exited already
  }
}

export function runTimed(command: string, args: string[], options: TimedOptions): Promise<TimedResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      // Its own process group, so a time-out also ends whatever it started.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) killGroup(pid);
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      if (pid !== undefined) running.delete(pid);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (pid !== undefined) {
        running.delete(pid);
        // Anything it left behind in its group goes too.
        killGroup(pid);
      }
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Kills the process group of every child still running. */
export function killStragglers(): void {
  for (const pid of running) killGroup(pid);
  running.clear();
}
