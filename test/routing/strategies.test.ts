import { describe, expect, it } from "bun:test";
import { orderAccounts, orderSteps, type StepFacts } from "../../src/routing/strategies.ts";

const steps: StepFacts[] = [
  { weight: 1, priority: 2, uses: 5, cost: 3 },
  { weight: 3, priority: 0, uses: 9, cost: 1 },
  { weight: 0, priority: 1, uses: 1 },
];
/** A fixed sequence standing in for Math.random. */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe("combo step order", () => {
  it("orders by priority, rotates, and sorts by use or cost", () => {
    expect(orderSteps("priority", steps, 0)).toEqual([1, 2, 0]);
    expect(orderSteps("round-robin", steps, 1)).toEqual([2, 0, 1]);
    expect(orderSteps("round-robin", steps, 3)).toEqual([1, 2, 0]);
    expect(orderSteps("least-used", steps, 0)).toEqual([2, 0, 1]);
    expect(orderSteps("cost-optimized", steps, 0)).toEqual([1, 0, 2]);
  });

  it("puts a zero weight last and favours heavy steps", () => {
    let heavyFirst = 0;
    for (let i = 0; i < 1000; i++) {
      const order = orderSteps("weighted", steps, i);
      expect(order.at(-1)).toBe(2);
      if (order[0] === 1) heavyFirst++;
    }
    expect(heavyFirst).toBeGreaterThan(600);
  });

  it("shuffles every step exactly once", () => {
    expect(orderSteps("random", steps, 0, sequence(0.9, 0.1)).toSorted()).toEqual([0, 1, 2]);
  });
});

describe("account order", () => {
  const accounts = [{ inFlight: 4 }, { inFlight: 0 }, { inFlight: 2 }];
  it("fills first, round-robins every N requests, prefers the least busy", () => {
    expect(orderAccounts("fill-first", accounts, 7, 1)).toEqual([0, 1, 2]);
    expect(orderAccounts("round-robin", accounts, 0, 2)).toEqual([0, 1, 2]);
    expect(orderAccounts("round-robin", accounts, 1, 2)).toEqual([0, 1, 2]);
    expect(orderAccounts("round-robin", accounts, 2, 2)).toEqual([1, 2, 0]);
    expect(orderAccounts("least-used", accounts, 0, 1)).toEqual([1, 2, 0]);
  });

  it("picks the less busy of two random accounts first", () => {
    const order = orderAccounts("power-of-two", accounts, 0, 1, sequence(0.99, 0.4));
    expect(order).toHaveLength(3);
    expect(order[0]).not.toBe(0);
  });
});
