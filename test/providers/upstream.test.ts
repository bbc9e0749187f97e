import { afterAll, describe, expect, it } from "bun:test";
import { fetchWhole, sendUpstream, type Timeouts, UpstreamFailure } from "../../src/providers/upstream.ts";
import { freePort } from "../helpers/cli.ts";

const FAST: Timeouts = { connectMs: 150, firstByteMs: 250, idleMs: 200, totalMs: 2000 };

/** A TCP server that accepts and never answers. */
const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
/** A TCP server that sends the head of a streaming answer, then nothing. */
const headOnly = Bun.listen({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    data(socket) {
      socket.write(
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n",
      );
    },
  },
});
let aborted = 0;
let abortedAt = 0;
const http = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/ok") return Response.json({ hello: "world" });
    if (path === "/limited")
      return new Response('{"error":"slow down"}', { status: 429, headers: { "retry-after": "7" } });
    if (path === "/stall" || path === "/endless") {
      request.signal.addEventListener("abort", () => {
        aborted++;
        abortedAt = performance.now();
      });
      return new Response(
        new ReadableStream({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode("data: one\n\n"));
            if (path === "/endless") {
              for (let i = 0; i < 1000 && !request.signal.aborted; i++) {
                controller.enqueue(new TextEncoder().encode("data: more\n\n"));
                await Bun.sleep(20);
              }
            }
            await Bun.sleep(5000);
            controller.close();
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      );
    }
    return new Response("no", { status: 404 });
  },
});
afterAll(() => {
  silent.stop(true);
  headOnly.stop(true);
  http.stop(true);
});

const base = `http://127.0.0.1:${http.port}`;
const request = (url: string, stream: boolean, extra: Partial<Parameters<typeof sendUpstream>[0]> = {}) => ({
  url,
  headers: {},
  body: "{}",
  stream,
  timeouts: FAST,
  ...extra,
});
const call = (path: string, extra: Partial<Parameters<typeof sendUpstream>[0]> = {}) =>
  sendUpstream(request(`${base}${path}`, true, extra));
const whole = (url: string) => fetchWhole(request(url, false));

async function failureOf(promise: Promise<unknown>): Promise<UpstreamFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UpstreamFailure) return error;
    throw error;
  }
  throw new Error("expected an UpstreamFailure");
}

describe("one upstream attempt", () => {
  it("hands back a whole 2xx body", async () => {
    const response = await whole(`${base}/ok`);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ hello: "world" });
  });

  it("classifies an error status and keeps its body and Retry-After", async () => {
    const failure = await failureOf(whole(`${base}/limited`));
    expect(failure.kind).toBe("http_error");
    expect(failure.status).toBe(429);
    expect(failure.body).toBe('{"error":"slow down"}');
    expect(failure.retryAfterMs()).toBe(7000);
  });

  it("fails as connect_error when nothing listens", async () => {
    const failure = await failureOf(
      sendUpstream({
        url: `http://127.0.0.1:${freePort()}/x`,
        headers: {},
        body: "{}",
        stream: false,
        timeouts: FAST,
      }),
    );
    expect(failure.kind).toBe("connect_error");
  });

  it("gives up on a silent upstream after the connect timeout when streaming", async () => {
    const started = performance.now();
    const failure = await failureOf(
      sendUpstream({
        url: `http://127.0.0.1:${silent.port}/`,
        headers: {},
        body: "{}",
        stream: true,
        timeouts: FAST,
      }),
    );
    const elapsed = performance.now() - started;
    expect(failure.kind).toBe("connect_timeout");
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1000);
  });

  it("gives up on a silent upstream after the first-byte timeout when not streaming", async () => {
    const failure = await failureOf(
      sendUpstream({
        url: `http://127.0.0.1:${silent.port}/`,
        headers: {},
        body: "{}",
        stream: false,
        timeouts: FAST,
      }),
    );
    expect(failure.kind).toBe("first_byte_timeout");
  });

  it("fails a stream whose first bytes come too late", async () => {
    const response = await sendUpstream({
      url: `http://127.0.0.1:${headOnly.port}/`,
      headers: {},
      body: "{}",
      stream: true,
      timeouts: FAST,
    });
    const failure = await failureOf(new Response(response.body).text());
    expect(failure.kind).toBe("first_byte_timeout");
  });

  it("fails a stream that stalls after its first chunk with idle_timeout", async () => {
    const response = await call("/stall");
    const started = performance.now();
    const failure = await failureOf(new Response(response.body).text());
    expect(failure.kind).toBe("idle_timeout");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("ends a stream that runs past the total deadline", async () => {
    const response = await call("/endless", { timeouts: { ...FAST, totalMs: 300 } });
    const failure = await failureOf(new Response(response.body).text());
    expect(failure.kind).toBe("deadline");
  });

  it("aborts the upstream request within 100 ms of the client going away", async () => {
    const client = new AbortController();
    const before = aborted;
    const response = await call("/endless", {
      signal: client.signal,
      timeouts: { ...FAST, idleMs: 5000, totalMs: 10_000 },
    });
    const reader = response.body.getReader();
    await reader.read();
    const abortAt = performance.now();
    client.abort();
    const failure = await failureOf(
      reader.read().then((result) => (result.done ? undefined : reader.read())),
    );
    expect(failure.kind).toBe("client_abort");
    for (let i = 0; i < 50 && aborted === before; i++) await Bun.sleep(5);
    expect(aborted).toBe(before + 1);
    expect(abortedAt - abortAt).toBeLessThan(100);
  });
});
