import { describe, expect, it } from "bun:test";
import { DEFAULT_PROFILE, Health } from "../../src/routing/health.ts";

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
