/**
 * A tiny loopback server for SDK acceptance tests: it answers every request with a canned body
 * (JSON or a raw stream text) that one of our encoders produced, so the official SDKs parse
 * exactly our bytes. Use with `await using`.
 */

export interface CannedAnswer {
  body: string;
  contentType: string;
  status?: number;
}

export interface SdkServer {
  url: string;
  /** The requests the SDK sent, for assertions. */
  requests: Array<{ method: string; path: string; body: string }>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function serveCanned(answer: CannedAnswer | ((path: string) => CannedAnswer)): SdkServer {
  const requests: SdkServer["requests"] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      requests.push({ method: request.method, path: url.pathname + url.search, body: await request.text() });
      const canned = typeof answer === "function" ? answer(url.pathname) : answer;
      return new Response(canned.body, {
        status: canned.status ?? 200,
        headers: { "content-type": canned.contentType },
      });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    async [Symbol.asyncDispose]() {
      await server.stop(true);
    },
  };
}

export const SSE = "text/event-stream";
export const JSON_TYPE = "application/json";
export const NDJSON = "application/x-ndjson";
