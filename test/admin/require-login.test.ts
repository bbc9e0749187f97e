import { afterAll, beforeAll, describe, expect, it } from "bun:test";
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

describe("require-login", () => {
  it("is on by default: the management API needs a session or an admin key", async () => {
    expect((await server.call("/api/keys")).status).toBe(401);
    expect(
      ((await (await server.call("/api/settings", { cookie })).json()) as { requireLogin: boolean })
        .requireLogin,
    ).toBe(true);
  });

  it("toggles off: the console opens without sign-in, but cross-origin writes are still refused", async () => {
    const toggled = await server.call("/api/settings/require-login", { method: "POST", cookie });
    expect(await toggled.json()).toEqual({ requireLogin: false });
    expect((await server.call("/api/keys")).status).toBe(200);
    expect((await server.call("/dashboard")).status).toBe(200);
    const foreign = await server.call("/api/keys", {
      method: "POST",
      headers: { origin: "https://evil.example" },
      json: { label: "sneaky" },
    });
    expect(foreign.status).toBe(403);
    // The gateway still needs a client key.
    expect((await server.call("/v1/models")).status).toBe(401);
  });

  it("toggles back on, and takes an explicit value", async () => {
    const on = await server.call("/api/settings/require-login", {
      method: "POST",
      json: { requireLogin: true },
    });
    expect(await on.json()).toEqual({ requireLogin: true });
    expect((await server.call("/api/keys")).status).toBe(401);
    const invalid = await server.call("/api/settings/require-login", {
      method: "POST",
      cookie,
      json: { requireLogin: "no" },
    });
    expect(invalid.status).toBe(400);
  });
});
