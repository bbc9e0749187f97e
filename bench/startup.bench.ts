/**
 * Cold start and idle memory of dist/switchyard (build it first: `make build`).
 * Cold start: from spawn to the first 200 from /api/monitoring/health, on an existing data dir
 * (a restart) and on an empty one (first start: creates the DB and hashes a new password).
 * Idle RSS: VmRSS two seconds after start and a handful of requests.
 * Targets (issue 2): cold start ≤ 150 ms, idle RSS ≤ 60 MB.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BINARY = join(import.meta.dir, "..", "dist", "switchyard");
const RUNS = 10;

function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

async function startOnce(dataDir: string): Promise<{ ms: number; child: Bun.Subprocess; url: string }> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = Bun.spawn([BINARY, "--port", String(port), "--host", "127.0.0.1", "--data-dir", dataDir], {
    env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), LOG_LEVEL: "silent", INITIAL_PASSWORD: "bench" },
    stdout: "ignore",
    stderr: "inherit",
  });
  const deadline = started + 10_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/api/monitoring/health`)).ok)
        return { ms: performance.now() - started, child, url };
    } catch {
      if (performance.now() > deadline) throw new Error("no answer within 10 s");
      await Bun.sleep(1);
    }
  }
}

async function stop(child: Bun.Subprocess): Promise<void> {
  child.kill("SIGTERM");
  await child.exited;
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+) kB/)?.[1] ?? 0) / 1024;
}

export async function benchStartup(): Promise<Record<string, number>> {
  const root = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
  try {
    const firstStarts: number[] = [];
    const restarts: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const dataDir = join(root, `run-${run}`);
      const first = await startOnce(dataDir);
      firstStarts.push(first.ms);
      await stop(first.child);
      const again = await startOnce(dataDir);
      restarts.push(again.ms);
      await stop(again.child);
    }
    const idle = await startOnce(join(root, "run-0"));
    for (let i = 0; i < 20; i++) await fetch(`${idle.url}/api/monitoring/health`);
    await fetch(`${idle.url}/login`);
    await Bun.sleep(2000);
    const rss = rssMegabytes(idle.child.pid);
    await stop(idle.child);
    return {
      "cold start (restart) p50 ms": median(restarts),
      "cold start (restart) max ms": Math.max(...restarts),
      "first start p50 ms": median(firstStarts),
      "idle RSS MB": rss,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  for (const [name, value] of Object.entries(await benchStartup()))
    console.log(`${name.padEnd(32)} ${value.toFixed(1)}`);
}
