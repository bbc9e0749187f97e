import { describe, expect, it } from "bun:test";
import { Breaker, DEFAULT_PROFILE, Health } from "../../src/routing/health.ts";

const target = (connectionId = "c1", model = "m1", providerId = "p") => ({ providerId, connectionId, model });
function clocked() {
  const clock = { now: 1_000_000 };
  const health = new Health(
    () => DEFAULT_PROFILE,
    () => ({}),
    () => clock.now,
    () => 0.5,
  );
  return { clock, health };
}

describe("health", () => {
  it("cools down one (connection, model) with exponential backoff, not the connection's other models", () => {
    const { clock, health } = clocked();
    health.started(target());
    health.failed(target(), { class: "server", movesOn: true }, "500");
    expect(health.check(target())).toMatchObject({ reason: "cooldown", until: clock.now + 1000 });
    expect(health.check(target("c1", "m2"))).toBeUndefined();
    clock.now += 1001;
    expect(health.check(target())).toBeUndefined();
    health.failed(target(), { class: "server", movesOn: true }, "500 again");
    expect(health.check(target())?.until).toBe(clock.now + 2000);
    health.succeeded(target());
    expect(health.check(target())).toBeUndefined();
  });

  it("honours Retry-After, capped", () => {
    const { clock, health } = clocked();
    health.failed(target(), { class: "rate_limit", movesOn: true, retryAfterMs: 30_000 }, "429");
    expect(health.check(target())?.until).toBe(clock.now + 30_000);
    health.failed(target("c2"), { class: "rate_limit", movesOn: true, retryAfterMs: 10 * 3_600_000 }, "429");
    expect(health.check(target("c2"))?.until).toBe(clock.now + DEFAULT_PROFILE.cooldown.retryAfterCapMs);
  });

  it("disables a connection on an auth failure until it is enabled again", () => {
    const { health } = clocked();
    health.failed(target(), { class: "auth", movesOn: true }, "bad key");
    expect(health.check(target("c1", "other"))).toMatchObject({ reason: "disabled" });
    health.enable("c1");
    expect(health.check(target())).toBeUndefined();
  });

  it("does not count client errors against the target", () => {
    const { health } = clocked();
    for (let i = 0; i < 10; i++) health.failed(target(), { class: "client", movesOn: false }, "400");
    expect(health.check(target())).toBeUndefined();
  });

  it("opens a connection's breaker on a failure rate, half-opens for one probe, and closes on success", () => {
    const { clock, health } = clocked();
    for (let i = 0; i < 5; i++) {
      health.failed(target("c1", `m${i}`), { class: "server", movesOn: true }, "500");
    }
    expect(health.check(target("c1", "fresh"))).toMatchObject({ reason: "breaker" });
    clock.now += DEFAULT_PROFILE.breaker.openMs;
    expect(health.check(target("c1", "fresh"))).toBeUndefined();
    expect(health.check(target("c1", "fresh"))).toMatchObject({ reason: "breaker" });
    health.succeeded(target("c1", "fresh"));
    expect(health.check(target("c1", "fresh"))).toBeUndefined();
  });

  it("keeps the provider open for healthy accounts while one account fails", () => {
    const { health } = clocked();
    for (let i = 0; i < 6; i++) {
      health.failed(target("bad", `m${i}`), { class: "server", movesOn: true }, "500");
      health.succeeded(target("good", `m${i}`));
    }
    expect(health.check(target("good", "x"))).toBeUndefined();
  });
});

describe("a breaker's sliding window", () => {
  const profile = { windowMs: 1000, minRequests: 4, failureRate: 0.5, openMs: 500 };

  it("holds only the last window of outcomes under continuous traffic", () => {
    const breaker = new Breaker(() => profile);
    for (let at = 0; at < 3000; at += 10) breaker.record(true, at);
    // One slice (windowMs / 50 = 20 ms) of slack at the window's far end.
    expect(breaker.snapshot().recent).toBeGreaterThanOrEqual(100);
    expect(breaker.snapshot().recent).toBeLessThanOrEqual(102);
  });

  it("stops counting failures once they leave the window", () => {
    const breaker = new Breaker(() => profile);
    breaker.record(false, 0);
    breaker.record(false, 0);
    for (const ok of [true, true, true, false]) breaker.record(ok, 2000);
    expect(breaker.state).toBe("closed");
    breaker.record(false, 2001);
    breaker.record(false, 2002);
    expect(breaker.state).toBe("open");
  });

  it("opens for a provider only when failures come from more than one of its accounts", () => {
    const breaker = new Breaker(() => profile);
    breaker.record(true, 0, "account-b");
    for (let i = 1; i <= 4; i++) breaker.record(false, i, "account-a");
    expect(breaker.state).toBe("closed");
    breaker.record(false, 6, "account-b");
    expect(breaker.state).toBe("open");
  });
});
