/**
 * What the gateway adds: the mock upstream called directly, through the floor (bench/floor.ts,
 * a bare forwarding proxy) and through dist/switchyard, in the same run, each in its own process.
 * Non-streaming latency p50/p99 at concurrency 1, 10 and 50 and throughput at 50; streaming time
 * to first byte; RSS idle, under load and with 1,000 concurrent streams.
 * Targets (issue 4): added p50 ≤ 0.1 ms at c=1; at c=50 ≥ 60 % of the floor's requests/s;
 * streaming extra TTFB p50 ≤ 0.5 ms; idle RSS ≤ 60 MB; ≤ 200 MB with 1,000 streams.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const DURATION_MS = 2500;
const WARMUP_MS = 700;

function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

async function start(command: string[], env: Record<string, string> = {}): Promise<Bun.Subprocess> {
  const child = Bun.spawn(command, {
    env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), LOG_LEVEL: "silent", ...env },
    stdout: "pipe",
    stderr: "inherit",
  });
  return child;
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await Bun.sleep(10);
    }
  }
  throw new Error(`${url} did not answer`);
}

function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+) kB/)?.[1] ?? 0) / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

interface LoadResult {
  p50: number;
  p99: number;
  rps: number;
}

/** Closed-loop load: `concurrency` workers send requests back to back for the duration. */
async function load(
  url: string,
  headers: Record<string, string>,
  body: string,
  concurrency: number,
): Promise<LoadResult> {
  const send = async () => {
    const response = await fetch(url, { method: "POST", headers, body });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  };
  const run = async (until: number, latencies: number[] | undefined) => {
    while (performance.now() < until) {
      const started = performance.now();
      await send();
      latencies?.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => run(performance.now() + WARMUP_MS, undefined)));
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, () => run(started + DURATION_MS, latencies)));
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    rps: (latencies.length / elapsed) * 1000,
  };
}

/** Time to the first body byte of a streaming request, p50 over `count` sequential requests. */
async function ttfb(
  url: string,
  headers: Record<string, string>,
  body: string,
  count = 300,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(url, { method: "POST", headers, body });
    const reader = response.body!.getReader();
    await reader.read();
    times.push(performance.now() - started);
    while (!(await reader.read()).done) {}
  }
  times.sort((a, b) => a - b);
  return percentile(times.slice(Math.floor(count / 10)), 50);
}

/** 1,000 streams open at once against a slow upstream: the gateway's RSS while they are open. */
async function manyStreams(
  gatewayUrl: string,
  headers: Record<string, string>,
  pid: number,
  count = 1000,
): Promise<number> {
  const body = JSON.stringify({
    model: "slow/bench-model",
    stream: true,
    messages: [{ role: "user", content: "hi" }],
  });
  const readers = await Promise.all(
    Array.from({ length: count }, async () => {
      const response = await fetch(`${gatewayUrl}/v1/chat/completions`, { method: "POST", headers, body });
      const reader = response.body!.getReader();
      await reader.read();
      return reader;
    }),
  );
  await Bun.sleep(300);
  const rss = rssMegabytes(pid);
  await Promise.all(readers.map((reader) => reader.cancel()));
  return rss;
}

export async function benchGateway(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
  const children: Bun.Subprocess[] = [];
  try {
    const upstreamPort = freePort();
    children.push(
      await start([process.execPath, join(import.meta.dir, "mock-upstream.ts"), String(upstreamPort)]),
    );
    const upstream = `http://127.0.0.1:${upstreamPort}`;
    const floorPort = freePort();
    children.push(
      await start([process.execPath, join(import.meta.dir, "floor.ts"), String(floorPort), upstream]),
    );
    const slowPort = freePort();
    children.push(
      await start([process.execPath, join(import.meta.dir, "slow-upstream.ts"), String(slowPort)]),
    );
    const gatewayPort = freePort();
    const gateway = await start(
      [
        join(ROOT, "dist", "switchyard"),
        "--port",
        String(gatewayPort),
        "--host",
        "127.0.0.1",
        "--data-dir",
        dataDir,
      ],
      { INITIAL_PASSWORD: "bench-password", BUN_CONFIG_MAX_HTTP_REQUESTS: "4096" },
    );
    children.push(gateway);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const floorUrl = `http://127.0.0.1:${floorPort}`;
    await Promise.all([
      waitFor(`${upstream}/v1/models`),
      waitFor(`${floorUrl}/v1/models`),
      waitFor(`${gatewayUrl}/api/monitoring/health`),
      waitFor(`http://127.0.0.1:${slowPort}/`),
    ]);

    const login = await fetch(`${gatewayUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ password: "bench-password" }),
    });
    const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
    const admin = (path: string, json: unknown) =>
      fetch(`${gatewayUrl}${path}`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify(json),
      }).then((r) => r.json());
    await admin("/api/providers", { provider: "openai", apiKey: "bench", url: `${upstream}/v1` });
    const node = (await admin("/api/provider-nodes", {
      type: "openai-compatible",
      name: "slow",
      prefix: "slow",
      baseUrl: `http://127.0.0.1:${slowPort}/v1`,
    })) as { node: { id: string } };
    await admin("/api/providers", { provider: node.node.id, apiKey: "bench" });
    const key = ((await admin("/api/keys", { label: "bench" })) as { key: string }).key;

    const headers = { "content-type": "application/json", authorization: `Bearer ${key}` };
    const chat = JSON.stringify({
      model: "openai/bench-model",
      messages: [{ role: "user", content: "Say hello" }],
    });
    const direct = `${upstream}/v1/chat/completions`;
    const viaFloor = `${floorUrl}/v1/chat/completions`;
    const viaGateway = `${gatewayUrl}/v1/chat/completions`;
    const fmt = (value: number, digits = 3) => value.toFixed(digits);

    const idleRss = rssMegabytes(gateway.pid);
    console.log("non-streaming OpenAI chat, passthrough (ms; added = minus direct)");
    console.log(
      "  conc  direct p50/p99      floor p50/p99 (added)        switchyard p50/p99 (added)     rps direct/floor/switchyard",
    );
    let loadedRss = 0;
    for (const concurrency of [1, 10, 50]) {
      const d = await load(direct, headers, chat, concurrency);
      const f = await load(viaFloor, headers, chat, concurrency);
      const g = await load(viaGateway, headers, chat, concurrency);
      if (concurrency === 50) loadedRss = rssMegabytes(gateway.pid);
      console.log(
        `  ${String(concurrency).padStart(4)}  ${fmt(d.p50)}/${fmt(d.p99)}    ${fmt(f.p50)}/${fmt(f.p99)} (+${fmt(f.p50 - d.p50)})    ${fmt(g.p50)}/${fmt(g.p99)} (+${fmt(g.p50 - d.p50)})    ${d.rps.toFixed(0)}/${f.rps.toFixed(0)}/${g.rps.toFixed(0)}` +
          (concurrency === 50 ? `  (switchyard = ${((g.rps / f.rps) * 100).toFixed(0)} % of floor)` : ""),
      );
    }
    const translated = JSON.stringify({
      model: "openai/bench-model",
      max_tokens: 100,
      messages: [{ role: "user", content: "Say hello" }],
    });
    const t = await load(
      `${gatewayUrl}/v1/messages`,
      { ...headers, "anthropic-version": "2023-06-01" },
      translated,
      1,
    );
    console.log(
      `  translated (Anthropic client → OpenAI upstream) c=1 p50/p99 ${fmt(t.p50)}/${fmt(t.p99)} ms`,
    );

    const streamBody = JSON.stringify({
      model: "openai/bench-model",
      stream: true,
      messages: [{ role: "user", content: "Say hello" }],
    });
    const directTtfb = await ttfb(direct, headers, streamBody);
    const floorTtfb = await ttfb(viaFloor, headers, streamBody);
    const gatewayTtfb = await ttfb(viaGateway, headers, streamBody);
    console.log(
      `streaming TTFB p50 ms: direct ${fmt(directTtfb)}, floor ${fmt(floorTtfb)} (+${fmt(floorTtfb - directTtfb)}), switchyard ${fmt(gatewayTtfb)} (+${fmt(gatewayTtfb - directTtfb)})`,
    );
    const streamsRss = await manyStreams(gatewayUrl, headers, gateway.pid);
    console.log(
      `RSS MB: idle ${fmt(idleRss, 1)}, after c=50 load ${fmt(loadedRss, 1)}, with 1,000 open streams ${fmt(streamsRss, 1)}`,
    );
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(children.map((child) => child.exited));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  // The load generator itself opens 1,000 streams at once: lift Bun's 256-request fetch limit for it too.
  if (!process.env.BUN_CONFIG_MAX_HTTP_REQUESTS) {
    const child = Bun.spawn([process.execPath, import.meta.path], {
      env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "4096" },
      stdout: "inherit",
      stderr: "inherit",
    });
    process.exit(await child.exited);
  }
  await benchGateway();
}
