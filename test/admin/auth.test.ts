import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startServer, TEST_PASSWORD, type TestServer } from "../helpers/server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
});

describe("admin sign-in", () => {
  it("sets an HttpOnly, SameSite=Lax session cookie on the right password", async () => {
    const response = await server.call("/api/auth/login", {
      method: "POST",
      json: { password: TEST_PASSWORD },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    const cookie = response.headers.getSetCookie()[0]!;
    expect(cookie).toStartWith("switchyard_session=");
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/");
  });

  it("answers 401 in management JSON for a wrong password", async () => {
    const response = await server.call("/api/auth/login", { method: "POST", json: { password: "nope" } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { message: "Invalid password", details: [] } });
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("answers 400 naming the field when the password is missing", async () => {
    const response = await server.call("/api/auth/login", { method: "POST", json: {} });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { details: Array<{ field: string }> } };
    expect(body.error.details[0]?.field).toBe("password");
  });

  it("answers 400, not 500, for malformed JSON", async () => {
    const response = await server.call("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; details: unknown[] } };
    expect(body.error.message).toContain("not valid JSON");
    expect(body.error.details.length).toBeGreaterThan(0);
  });

  it("keeps management routes closed without a session and open with one", async () => {
    expect((await server.call("/api/keys")).status).toBe(401);
    const cookie = await server.login();
    const response = await server.call("/api/keys", { cookie });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ keys: [] });
  });

  it("ends the session on logout", async () => {
    const cookie = await server.login();
    const logout = await server.call("/api/auth/logout", { method: "POST", cookie });
    expect(logout.headers.getSetCookie()[0]).toContain("Max-Age=0");
  });

  it("refuses a forged session cookie", async () => {
    const response = await server.call("/api/keys", {
      cookie: "switchyard_session=eyJhbGciOiJIUzI1NiJ9.e30.AAAA",
    });
    expect(response.status).toBe(401);
  });

  it("refuses cookie-carried writes from another origin", async () => {
    const cookie = await server.login();
    const response = await server.call("/api/keys", {
      method: "POST",
      cookie,
      json: { label: "x" },
      headers: { origin: "http://evil.example" },
    });
    expect(response.status).toBe(403);
  });

  it("accepts an admin-scoped API key as a bearer token, and refuses a client key", async () => {
    const cookie = await server.login();
    const admin = (await (
      await server.call("/api/keys", { method: "POST", cookie, json: { label: "script", admin: true } })
    ).json()) as { key: string };
    const client = (await (
      await server.call("/api/keys", { method: "POST", cookie, json: { label: "tool" } })
    ).json()) as { key: string };
    expect(
      (await server.call("/api/keys", { headers: { authorization: `Bearer ${admin.key}` } })).status,
    ).toBe(200);
    expect(
      (await server.call("/api/keys", { headers: { authorization: `Bearer ${client.key}` } })).status,
    ).toBe(401);
  });

  it("serves the public facts without a session and without secrets", async () => {
    const init = await (await server.call("/api/init")).json();
    expect(init).toEqual({ initialized: true, requireLogin: true, authenticated: false });
    const requireLogin = await (await server.call("/api/settings/require-login")).json();
    expect(requireLogin).toEqual({ requireLogin: true, hasPassword: true });
  });
});

describe("login throttling", () => {
  it("answers 429 with Retry-After after five failures from one address", async () => {
    await using throttled = await startServer();
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await throttled.call("/api/auth/login", {
        method: "POST",
        json: { password: "wrong" },
      });
      expect(response.status).toBe(401);
    }
    const blocked = await throttled.call("/api/auth/login", {
      method: "POST",
      json: { password: TEST_PASSWORD },
    });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await blocked.json()) as { error: { message: string } }).error.message).toContain("Too many");
  });
});
