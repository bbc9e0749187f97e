/**
 * The usage room's two costs. (1) The recorder: what `usage.record(outcome)` costs the request
 * that calls it (pricing, budget, queueing; µs per request) and what its batched writes cost per
 * row, off the hot path. (2) The management API's usage queries over 1,000,000 stored requests
 * (spread over 30 days, 5 keys, 20 connections, 10 models, 5 % failures, 1 % with call logs),
 * through the real server: median and worst of repeated calls per endpoint. Target: < 50 ms each.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createContext } from "../src/context.ts";
import { createLogger } from "../src/ops/log.ts";
import { serve } from "../src/ops/server.ts";
import { createApiKey } from "../src/security/api-keys.ts";
import { openStore } from "../src/store/db.ts";
import type { CallOutcome } from "../src/usage/outcome.ts";

const ROWS = 1_000_000;
const BATCH = 10_000;
const HOT_PATH_SAMPLES = 200_000;
const QUERY_RUNS = 15;
const TARGET_QUERY_MS = 50;
const DAY_MS = 86_400_000;
const MODELS = ["gpt-4.1", "gpt-4.1-mini", "o4-mini", "claude-sonnet-4-5", "claude-haiku-4-5"];
const PROVIDERS = ["openai", "openai", "openai", "anthropic", "anthropic"];

function outcomeAt(index: number, startedAt: number): CallOutcome {
  const pick = index % MODELS.length;
  const failed = index % 20 === 0;
  const connectionId = `conn-${index % 20}`;
  const attempt = {
    provider: PROVIDERS[pick]!,
    connectionId,
    model: MODELS[pick]!,
    status: failed ? 503 : 200,
    latencyMs: 300 + (index % 700),
    ...(failed ? { failure: "http_error", error: "overloaded" } : {}),
  };
  return {
    startedAt,
    requestId: `req-${index}`,
    apiKeyId: `key-${index % 5}`,
    clientDialect: index % 2 === 0 ? "openai-chat" : "anthropic",
    requestedModel: `${PROVIDERS[pick]}/${MODELS[pick]}`,
    provider: PROVIDERS[pick]!,
    connectionId,
    model: MODELS[pick]!,
    stream: index % 3 === 0,
    status: failed ? 503 : 200,
    ...(failed ? { errorType: "overloaded", errorMessage: "overloaded" } : {}),
    attempts: [attempt],
    latencyMs: 320 + (index % 700),
    ttfbMs: 150 + (index % 300),
    overheadMs: 0.1,
    ...(failed ? {} : { usage: { inputTokens: 1200 + (index % 800), outputTokens: 300 + (index % 400) } }),
    aborted: false,
    ...(index % 100 === 0
      ? {
          bodies: {
            clientRequest: '{"model":"x","messages":[]}',
            clientResponse: '{"ok":true}',
            truncated: false,
          },
        }
      : {}),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), "switchyard-usage-bench-"));
try {
  const now = Date.now();
  const seeding = createContext(openStore(dir), createLogger("silent"), {
    flushIntervalMs: 3_600_000,
    batchRows: Number.MAX_SAFE_INTEGER,
  });
  const adminKey = createApiKey(seeding.apiKeys, "bench admin", true).secret;

  // (1) The hot path: record() alone, then the flush those rows cost.
  let recordMs = 0;
  let flushMs = 0;
  let seeded = 0;
  const seedStarted = performance.now();
  while (seeded < ROWS) {
    const batch = Array.from({ length: BATCH }, (_, offset) => {
      const index = seeded + offset;
      return outcomeAt(index, now - 30 * DAY_MS + Math.floor((index / ROWS) * 30 * DAY_MS));
    });
    const recordStarted = performance.now();
    for (const outcome of batch) seeding.usage.record(outcome);
    recordMs += performance.now() - recordStarted;
    const flushStarted = performance.now();
    seeding.usage.flush();
    flushMs += performance.now() - flushStarted;
    seeded += BATCH;
    if (seeded >= HOT_PATH_SAMPLES && seeded === HOT_PATH_SAMPLES)
      console.log(
        `recorder: record() ${((recordMs * 1000) / seeded).toFixed(2)} µs per request on the hot path; ` +
          `batched write ${((flushMs * 1000) / seeded).toFixed(1)} µs per row off it (${BATCH} rows per transaction)`,
      );
  }
  const recordMicros = (recordMs * 1000) / ROWS;
  const flushMicros = (flushMs * 1000) / ROWS;
  console.log(
    `seeded ${ROWS} rows in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s; over all of them: ` +
      `record() ${recordMicros.toFixed(2)} µs per request, write ${flushMicros.toFixed(1)} µs per row`,
  );
  seeding.usage.stop();
  seeding.store.close();

  // (2) The queries, through the server over the seeded data dir.
  const server = await serve({
    port: 0,
    host: "127.0.0.1",
    dataDir: dir,
    logLevel: "silent",
    shutdownGraceMs: 1000,
  });
  const endpoints = [
    "/api/usage/analytics?range=24h",
    "/api/usage/analytics?range=30d",
    "/api/usage/history",
    "/api/usage/conn-7",
    "/api/usage/logs?limit=50",
    "/api/usage/logs?limit=50&status=error",
    "/api/usage/request-logs?limit=50",
    "/api/usage/proxy-logs?limit=50",
    "/api/usage/call-logs?limit=50",
    "/api/telemetry/summary",
  ];
  let slowest = 0;
  for (const path of endpoints) {
    const timings: number[] = [];
    for (let run = 0; run < QUERY_RUNS; run++) {
      const started = performance.now();
      const response = await fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${adminKey}` },
      });
      await response.arrayBuffer();
      timings.push(performance.now() - started);
      if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
    }
    const worst = Math.max(...timings.slice(1));
    slowest = Math.max(slowest, median(timings));
    console.log(
      `${path}: median ${median(timings).toFixed(1)} ms, worst after the first ${worst.toFixed(1)} ms`,
    );
  }
  await server.shutdown();
  const verdict = slowest < TARGET_QUERY_MS ? "PASS" : "FAIL";
  console.log(
    `summary: ${verdict} record() ${recordMicros.toFixed(2)} µs/request, slowest usage query median ` +
      `${slowest.toFixed(1)} ms at ${ROWS} rows (target < ${TARGET_QUERY_MS} ms)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
