import { describe, expect, it } from "bun:test";
import { decide, type Policy } from "../../src/routing/policies.ts";

const NIGHT: Policy = {
  id: "p1",
  name: "nights and weekends",
  enabled: true,
  days: [0, 5, 6],
  hours: { from: "22:00", to: "06:00" },
  models: ["gpt-*"],
  action: "route",
  combo: "cheap",
};

describe("policy decisions", () => {
  it("match days of the week and a window across midnight, in UTC", () => {
    // Friday 4 December 2026.
    expect(decide([NIGHT], "k", "gpt-5", new Date("2026-12-04T23:30:00Z"))).toEqual({
      action: "route",
      combo: "cheap",
    });
    expect(decide([NIGHT], "k", "gpt-5", new Date("2026-12-04T05:59:00Z"))).toEqual({
      action: "route",
      combo: "cheap",
    });
    expect(decide([NIGHT], "k", "gpt-5", new Date("2026-12-04T06:00:00Z"))).toEqual({ action: "go" });
    // Wednesday: not one of its days.
    expect(decide([NIGHT], "k", "gpt-5", new Date("2026-12-02T23:30:00Z"))).toEqual({ action: "go" });
    expect(decide([NIGHT], "k", "claude-x", new Date("2026-12-04T23:30:00Z"))).toEqual({ action: "go" });
  });

  it("skip disabled rules and let the first match decide", () => {
    const deny: Policy = { id: "p2", name: "freeze", enabled: true, action: "deny" };
    expect(decide([{ ...deny, enabled: false }, NIGHT], "k", "o3", new Date())).toEqual({ action: "go" });
    expect(decide([deny, NIGHT], "k", "gpt-5", new Date("2026-12-04T23:30:00Z"))).toEqual({
      action: "deny",
      message: "Refused by policy 'freeze'",
    });
  });
});
