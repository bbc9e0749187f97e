/**
 * The IP filter, proven with requests from different loopback addresses: a refused address gets
 * 403 before any other work, in the caller's own format, on client and management routes alike;
 * a change that would lock the caller out is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import net from "node:net";
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

/** One HTTP/1.1 request sent from `from` (a loopback address); resolves with status and body. */
function requestFrom(from: string, method: string, path: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port: Number(port), localAddress: from });
    let answer = "";
    socket.on("connect", () =>
      socket.write(
        `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      ),
    );
    socket.on("data", (chunk) => {
      answer += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", body = ""] = answer.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), body });
    });
  });
}

async function putFilter(json: unknown) {
  return server.call("/api/settings/ip-filter", { method: "PUT", cookie, json });
}

describe("the IP filter", () => {
  it("is off by default, and refuses a filter that would lock the caller out", async () => {
    expect(
      ((await (await server.call("/api/settings/ip-filter", { cookie })).json()) as { enabled: boolean })
        .enabled,
    ).toBe(false);
    const lockout = await putFilter({ enabled: true, mode: "whitelist", whitelist: ["10.0.0.0/8"] });
    expect(lockout.status).toBe(400);
    expect(((await lockout.json()) as { error: { message: string } }).error.message).toContain(
      "lock you out",
    );
    const invalid = await putFilter({ addBlacklist: "not-an-address" });
    expect(invalid.status).toBe(400);
  });

  it("blacklist: refuses the listed address on every route, in the route's format, and lets others in", async () => {
    const saved = await putFilter({ enabled: true, mode: "blacklist", addBlacklist: "127.0.0.2" });
    expect(saved.status).toBe(200);
    const chat = await requestFrom("127.0.0.2", "POST", "/v1/chat/completions");
    expect(chat.status).toBe(403);
    expect(JSON.parse(chat.body).error.type).toBe("permission_error");
    const anthropic = await requestFrom("127.0.0.2", "POST", "/v1/messages");
    expect(JSON.parse(anthropic.body)).toMatchObject({ type: "error", error: { type: "permission_error" } });
    const management = await requestFrom("127.0.0.2", "GET", "/api/keys");
    expect(management.status).toBe(403);
    expect(JSON.parse(management.body).error.message).toContain("blacklisted");
    // Another address gets past the filter to the next check (no key: 401).
    expect((await requestFrom("127.0.0.3", "POST", "/v1/chat/completions")).status).toBe(401);
  });

  it("whitelist with CIDR and wildcards; temporary bans expire and can be lifted", async () => {
    const saved = await putFilter({
      mode: "whitelist",
      blacklist: [],
      whitelist: ["127.0.0.1", "127.0.1.0/24", "127.0.2.*"],
      tempBan: { ip: "127.0.1.5", durationMs: 60_000, reason: "testing" },
    });
    expect(saved.status).toBe(200);
    expect((await requestFrom("127.0.0.9", "GET", "/api/keys")).status).toBe(403);
    expect((await requestFrom("127.0.2.7", "GET", "/api/keys")).status).toBe(401);
    const banned = await requestFrom("127.0.1.5", "GET", "/api/keys");
    expect(banned.status).toBe(403);
    expect(banned.body).toContain("testing");
    expect((await requestFrom("127.0.1.6", "GET", "/api/keys")).status).toBe(401);
    expect((await putFilter({ removeBan: "127.0.1.5" })).status).toBe(200);
    expect((await requestFrom("127.0.1.5", "GET", "/api/keys")).status).toBe(401);
    expect((await putFilter({ enabled: false })).status).toBe(200);
    expect((await requestFrom("127.0.0.9", "GET", "/api/keys")).status).toBe(401);
  });
});
