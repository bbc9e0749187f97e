import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type MockUpstream, startMockUpstream } from "../helpers/mock-upstream.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

let server: TestServer;
let upstream: MockUpstream;
let cookie: string;
beforeAll(async () => {
  upstream = startMockUpstream();
  server = await startServer();
  cookie = await server.login();
});
afterAll(async () => {
  await server[Symbol.asyncDispose]();
  await upstream[Symbol.asyncDispose]();
});

function send(method: string, path: string, fields: Record<string, string> = {}) {
  return server.form(path, fields, { method, cookie });
}

describe("the providers page", () => {
  it("refuses a connection without its key, keeps what was typed but never the key", async () => {
    const response = await send("POST", "/dashboard/providers", {
      provider: "openai",
      name: "typed name",
      apiKey: "",
      url: "not a url",
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain('value="typed name"');
    expect(text).toContain('id="connection-key-error"');
    expect(text).toContain('id="connection-url-error"');
    expect(server.context.providers.listConnections()).toEqual([]);
  });

  it("adds a custom endpoint, then a connection to it, whose test shows the upstream's refusal inline", async () => {
    const added = await send("POST", "/dashboard/providers/nodes", {
      type: "openai-compatible",
      name: "Local gateway",
      prefix: "local",
      baseUrl: `${upstream.url}/v1`,
    });
    expect(added.status).toBe(200);
    const node = server.context.providers.findNode("local")!;
    expect(await added.text()).toContain(`<option value="${node.id}" >Local gateway (custom)</option>`);

    await send("POST", "/dashboard/providers", { provider: node.id, name: "Wrong key", apiKey: "sk-wrong" });
    const connection = server.context.providers.listConnections()[0]!;
    expect(connection.apiKeyEncrypted).not.toContain("sk-wrong");
    const tested = await (await send("POST", `/dashboard/providers/${connection.id}/test`)).text();
    expect(tested).toContain("Test failed");
    expect(tested).toContain("test failed");
    expect(tested).not.toContain("sk-wrong");
  });

  it("disables, reorders and deletes a connection", async () => {
    const { id } = server.context.providers.listConnections()[0]!;
    await send("POST", `/dashboard/providers/${id}/active`, { isActive: "0" });
    expect(server.context.providers.getConnection(id)!.isActive).toBe(false);
    await send("POST", `/dashboard/providers/${id}/priority`, { priority: "7" });
    expect(server.context.providers.getConnection(id)!.priority).toBe(7);
    await send("DELETE", `/dashboard/providers/${id}`);
    expect(server.context.providers.getConnection(id)).toBeUndefined();
  });
});
