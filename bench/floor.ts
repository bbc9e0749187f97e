/**
 * The yardstick: the least a forwarding proxy can do on Bun — read the body, fetch the upstream
 * with it, hand back the answer. Whatever Switchyard adds is measured against this.
 * `bun bench/floor.ts <port> <upstream base URL>`.
 */
const port = Number(process.argv[2] ?? 0);
const upstream = process.argv[3] ?? "http://127.0.0.1:1";

const server = Bun.serve({
  hostname: "127.0.0.1",
  port,
  reusePort: false,
  async fetch(request) {
    const url = new URL(request.url);
    const response = await fetch(`${upstream}${url.pathname}`, {
      method: request.method,
      headers: { "content-type": "application/json", authorization: "Bearer bench" },
      ...(request.method === "POST" ? { body: await request.text() } : {}),
    });
    return new Response(response.body, {
      status: response.status,
      headers: { "content-type": response.headers.get("content-type") ?? "application/json" },
    });
  },
});
console.log(`ready ${server.port}`);

export {};
