import { afterAll, describe, expect, it } from "bun:test";
import type { WrittenUsage } from "../../src/usage/recorder.ts";
import { outcome } from "../helpers/outcomes.ts";
import { startServer } from "../helpers/server.ts";

const server = await startServer();
afterAll(() => server[Symbol.asyncDispose]());

describe("subscribing to the usage recorder", () => {
  it("hands each committed batch to its listeners with the ids the rows got", () => {
    const batches: WrittenUsage[][] = [];
    const unsubscribe = server.context.usage.subscribe((rows) => batches.push([...rows]));
    server.context.usage.record(outcome({ requestedModel: "first" }));
    server.context.usage.record(outcome({ requestedModel: "second", usage: undefined }));
    expect(batches).toEqual([]);
    server.context.usage.flush();
    expect(batches).toHaveLength(1);
    const [first, second] = batches[0]!;
    expect(first).toMatchObject({
      requestedModel: "first",
      status: 200,
      inputTokens: 1000,
      hasCallLog: false,
    });
    expect(second).toMatchObject({ requestedModel: "second", inputTokens: null });
    expect(second!.id).toBe(first!.id + 1);
    expect(
      server.context.usage.analytics.usageLogs({ limit: 2, offset: 0 }).rows.map((row) => row.id),
    ).toEqual([second!.id, first!.id]);
    unsubscribe();
    server.context.usage.record(outcome());
    server.context.usage.flush();
    expect(batches).toHaveLength(1);
  });

  it("keeps writing and telling the other listeners when one throws", () => {
    const seen: number[] = [];
    const unsubscribeFaulty = server.context.usage.subscribe(() => {
      throw new Error("listener bug");
    });
    const unsubscribe = server.context.usage.subscribe((rows) => seen.push(rows.length));
    server.context.usage.record(outcome());
    expect(server.context.usage.flush()).toBe(1);
    expect(seen).toEqual([1]);
    unsubscribeFaulty();
    unsubscribe();
  });
});
