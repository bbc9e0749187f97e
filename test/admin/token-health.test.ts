import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { usageAttempts } from "../../src/store/schema.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

let server: TestServer;
let cookie: string;
beforeAll(async () => {
  server = await startServer();
  cookie = await server.login();
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
});

interface TokenHealth {
  connectionId: string;
  status: string;
  expiresAt: string | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  failuresLast24h: number;
  lastTest: { status: string; at: string | null };
  disabled: string | null;
}

async function connection(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await server.call("/api/providers", {
    method: "POST",
    cookie,
    json: { provider: "openai", name, apiKey: "sk-test-0123456789abcdef", ...extra },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { connection: { id: string } }).connection.id;
}

function attempt(connectionId: string, at: number, failure: string | null) {
  server.context.store.db
    .insert(usageAttempts)
    .values({
      usageId: 1,
      startedAt: new Date(at),
      attempt: 1,
      provider: "openai",
      connectionId,
      model: "gpt-4o-mini",
      status: failure ? 503 : 200,
      failure,
      error: failure,
      latencyMs: 10,
    })
    .run();
}

async function report(): Promise<Map<string, TokenHealth>> {
  const response = await server.call("/api/token-health", { cookie });
  expect(response.status).toBe(200);
  const { connections } = (await response.json()) as { connections: TokenHealth[] };
  return new Map(connections.map((entry) => [entry.connectionId, entry]));
}

describe("/api/token-health", () => {
  it("reports each connection's last success, failures, test and credential expiry", async () => {
    const now = Date.now();
    const working = await connection("working");
    const failing = await connection("failing");
    const expiring = await connection("expiring", {
      providerSpecificData: { expiresAt: new Date(now + 3600_000).toISOString() },
    });
    const expired = await connection("expired", { providerSpecificData: { expiresAt: now - 1000 } });
    const fresh = await connection("fresh");
    attempt(working, now - 60_000, "timeout");
    attempt(working, now - 30_000, null);
    attempt(failing, now - 90_000, null);
    attempt(failing, now - 10_000, "server_error");
    attempt(failing, now - 2 * 24 * 3600_000, "server_error");
    attempt(expiring, now - 5_000, null);

    const health = await report();
    expect(health.get(working)).toMatchObject({
      status: "healthy",
      lastSuccessAt: new Date(now - 30_000).toISOString(),
      lastFailureAt: new Date(now - 60_000).toISOString(),
      failuresLast24h: 1,
    });
    expect(health.get(failing)).toMatchObject({ status: "failing", failuresLast24h: 1 });
    expect(health.get(expiring)).toMatchObject({
      status: "expiring",
      expiresAt: new Date(now + 3600_000).toISOString(),
    });
    expect(health.get(expired)?.status).toBe("expired");
    expect(health.get(fresh)).toMatchObject({
      status: "untested",
      lastSuccessAt: null,
      lastTest: { status: "untested", at: null },
    });
  });

  it("reports a connection the health room disabled after an auth failure", async () => {
    const id = await connection("revoked upstream key");
    server.context.health.failed(
      { connectionId: id, providerId: "openai", model: "gpt-4o-mini" },
      { class: "auth", movesOn: true },
      "401 invalid key",
    );
    expect((await report()).get(id)).toMatchObject({ status: "disabled", disabled: "401 invalid key" });
  });

  it("needs a session or an admin key", async () => {
    expect((await server.call("/api/token-health")).status).toBe(401);
  });
});
