import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { failed, outcome } from "../helpers/outcomes.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

let server: TestServer;
let cookie: string;
let keyId: string;
beforeAll(async () => {
  server = await startServer();
  cookie = await server.login();
  const created = await server.call("/api/keys", { method: "POST", cookie, json: { label: "tail <key>" } });
  keyId = ((await created.json()) as { id: string }).id;
});
afterAll(() => server[Symbol.asyncDispose]());

/** Opens the live log; `until` reads on until the text so far satisfies it, `close` hangs up. */
async function openTail(query = "", signal?: AbortSignal) {
  const response = await server.call(`/dashboard/logs/stream${query}`, {
    cookie,
    ...(signal ? { signal } : {}),
  });
  expect(response.headers.get("content-type")).toBe("text/event-stream");
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  return {
    async until(done: (text: string) => boolean): Promise<string> {
      while (!done(text)) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
    close: () => reader.cancel(),
  };
}

describe("the live log", () => {
  it("streams each request as an escaped table row once the recorder writes it", async () => {
    const tail = await openTail();
    await tail.until((text) => text.includes(": connected"));
    server.context.usage.record(outcome({ apiKeyId: keyId, requestedModel: "<b>combo</b>" }));
    const text = await tail.until((seen) => seen.includes("</tr>"));
    await tail.close();
    const data = text
      .split("\n")
      .filter((line) => line.startsWith("data: "))
      .map((line) => line.slice(6))
      .join("\n");
    expect(data).toContain('<tr id="log-');
    expect(data).toContain("&lt;b&gt;combo&lt;/b&gt;");
    expect(data).toContain("tail &lt;key&gt;");
    expect(data).not.toContain("<b>");
  });

  it("streams only the rows its filter lets through", async () => {
    const tail = await openTail("?status=error");
    await tail.until((text) => text.includes(": connected"));
    server.context.usage.record(outcome({ apiKeyId: keyId, requestedModel: "fine-model" }));
    server.context.usage.record(failed({ apiKeyId: keyId, requestedModel: "failing-model" }));
    const text = await tail.until((seen) => seen.includes("</tr>"));
    await tail.close();
    expect(text).toContain("failing-model");
    expect(text).not.toContain("fine-model");
  });

  it("shows a request's attempts in order, without bodies for a no-log request", async () => {
    server.context.usage.record(
      failed({
        apiKeyId: keyId,
        requestedModel: "detail-model",
        attempts: [
          {
            provider: "openai",
            connectionId: "c1",
            model: "m1",
            status: 503,
            failure: "http_error",
            error: "busy",
            latencyMs: 5,
          },
          {
            provider: "openai",
            connectionId: "c2",
            model: "m2",
            status: 429,
            failure: "http_error",
            error: "slow down",
            latencyMs: 7,
          },
        ],
      }),
    );
    server.context.usage.flush();
    const { rows } = server.context.usage.analytics.usageLogs({ model: "gpt-6.2-sol", limit: 1, offset: 0 });
    const page = await (await server.call(`/dashboard/logs/${rows[0]!.id}`, { cookie })).text();
    expect(page.indexOf("openai/m1")).toBeLessThan(page.indexOf("openai/m2"));
    expect(page).toContain("http_error: slow down");
    expect(page).toContain("No bodies were kept");
  });

  it("shows what a call beyond chat was billed by besides tokens", async () => {
    server.context.usage.record(
      outcome({ apiKeyId: keyId, requestedModel: "openai/gpt-image-1", units: { images: 2 } }),
    );
    server.context.usage.flush();
    const { rows } = server.context.usage.analytics.usageLogs({ limit: 1, offset: 0 });
    const page = await (await server.call(`/dashboard/logs/${rows[0]!.id}`, { cookie })).text();
    expect(page).toContain("<dt>Billed by</dt><dd>2 images</dd>");
  });

  it("pretty-prints the bodies of a logged request", async () => {
    server.context.usage.record(
      outcome({
        apiKeyId: keyId,
        bodies: { clientRequest: '{"model":"x","messages":[]}', truncated: false },
      }),
    );
    server.context.usage.flush();
    const { rows } = server.context.usage.analytics.callLogs({ limit: 1, offset: 0 });
    const page = await (await server.call(`/dashboard/logs/${rows[0]!.record.id}`, { cookie })).text();
    expect(page).toContain("{\n  &quot;model&quot;: &quot;x&quot;,");
  });
});
