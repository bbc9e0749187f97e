import { describe, expect, it, spyOn } from "bun:test";
import { failed, fellOver, outcome } from "../helpers/outcomes.ts";
import { usageContext } from "../helpers/usage-context.ts";

function count(sqlite: import("bun:sqlite").Database, table: string): number {
  return sqlite.query<{ n: number }, []>(`SELECT count(*) AS n FROM ${table}`).get()!.n;
}

describe("the usage recorder", () => {
  it("queues outcomes in memory and writes nothing until it flushes", () => {
    using usage = usageContext();
    const { context } = usage;
    for (let i = 0; i < 10; i++) context.usage.record(outcome({ startedAt: usage.clock.now }));
    expect(count(context.store.sqlite, "usage_records")).toBe(0);
    expect(context.usage.flush()).toBe(10);
    expect(count(context.store.sqlite, "usage_records")).toBe(10);
  });

  it("writes a batch of 1,200 outcomes, their attempts and rollups in one transaction", () => {
    using usage = usageContext({ batchRows: 10_000 });
    const { context } = usage;
    for (let i = 0; i < 1_200; i++) context.usage.record(i % 2 ? outcome() : fellOver());
    const transactions = spyOn(context.store.sqlite, "transaction");
    context.usage.flush();
    expect(transactions).toHaveBeenCalledTimes(1);
    const { sqlite } = context.store;
    expect(count(sqlite, "usage_records")).toBe(1_200);
    expect(count(sqlite, "usage_attempts")).toBe(1_800);
    const sums = sqlite
      .query<{ requests: number; fallbacks: number; attempts: number }, []>(
        "SELECT sum(requests) AS requests, sum(fallbacks) AS fallbacks, sum(attempts) AS attempts FROM usage_hourly",
      )
      .get();
    expect(sums).toEqual({ requests: 1_200, fallbacks: 600, attempts: 1_800 });
  });

  it("flushes on its own once the interval has passed", async () => {
    using usage = usageContext({ flushIntervalMs: 20 });
    usage.context.usage.record(outcome());
    const deadline = Date.now() + 5_000;
    while (count(usage.context.store.sqlite, "usage_records") === 0 && Date.now() < deadline)
      await Bun.sleep(10);
    expect(count(usage.context.store.sqlite, "usage_records")).toBe(1);
  });

  it("flushes soon after the queue reaches its batch size, without waiting for the interval", async () => {
    using usage = usageContext({ batchRows: 5 });
    for (let i = 0; i < 5; i++) usage.context.usage.record(outcome());
    expect(count(usage.context.store.sqlite, "usage_records")).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(count(usage.context.store.sqlite, "usage_records")).toBe(5);
  });

  it("writes a long queue from its timers a slice at a time, letting requests run between slices", async () => {
    using usage = usageContext({ flushIntervalMs: 10 });
    const batches: number[] = [];
    usage.context.usage.subscribe((rows) => batches.push(rows.length));
    for (let i = 0; i < 250; i++) usage.context.usage.record(outcome());
    const deadline = Date.now() + 5_000;
    while (count(usage.context.store.sqlite, "usage_records") < 250 && Date.now() < deadline)
      await Bun.sleep(5);
    expect(batches).toEqual([100, 100, 50]);
  });

  it("records failed and aborted requests with every attempt in order", () => {
    using usage = usageContext();
    const { context } = usage;
    context.usage.record(failed({ requestId: "refused" }));
    context.usage.record(
      fellOver({
        requestId: "cancelled",
        stream: true,
        aborted: true,
        status: 200,
        usage: { inputTokens: 40, outputTokens: 7, estimated: true },
      }),
    );
    context.usage.flush();
    const rows = context.store.sqlite
      .query<Record<string, unknown>, []>(
        "SELECT request_id, status, error_type, aborted, attempts, input_tokens, output_tokens, estimated, cost_usd FROM usage_records ORDER BY id",
      )
      .all();
    expect(rows).toEqual([
      {
        request_id: "refused",
        status: 429,
        error_type: "rate_limit",
        aborted: 0,
        attempts: 1,
        input_tokens: null,
        output_tokens: null,
        estimated: 0,
        cost_usd: null,
      },
      {
        request_id: "cancelled",
        status: 200,
        error_type: null,
        aborted: 1,
        attempts: 2,
        input_tokens: 40,
        output_tokens: 7,
        estimated: 1,
        cost_usd: (40 * 2 + 7 * 10) / 1_000_000,
      },
    ]);
    const attempts = context.store.sqlite
      .query<{ usage_id: number; attempt: number; connection_id: string; failure: string | null }, []>(
        "SELECT usage_id, attempt, connection_id, failure FROM usage_attempts ORDER BY id",
      )
      .all();
    expect(attempts).toEqual([
      { usage_id: 1, attempt: 0, connection_id: "conn-1", failure: "http_error" },
      { usage_id: 2, attempt: 0, connection_id: "conn-1", failure: "http_error" },
      { usage_id: 2, attempt: 1, connection_id: "conn-2", failure: null },
    ]);
  });

  it("continues the ids after a restart, so call logs of earlier batches keep their rows", () => {
    using usage = usageContext();
    usage.context.usage.record(outcome({ bodies: { clientRequest: "{}", truncated: false } }));
    usage.context.usage.flush();
    const context = usage.reopen();
    context.usage.record(outcome({ bodies: { clientRequest: "{}", truncated: false } }));
    context.usage.flush();
    const ids = context.store.sqlite.query<{ usage_id: number }, []>("SELECT usage_id FROM call_logs").all();
    expect(ids.map((row) => row.usage_id)).toEqual([1, 2]);
  });

  it("writes what is queued when stopped", () => {
    using usage = usageContext();
    usage.context.usage.record(outcome());
    usage.context.usage.stop();
    expect(count(usage.context.store.sqlite, "usage_records")).toBe(1);
  });
});
