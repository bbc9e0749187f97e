/**
 * An OpenAI-compatible upstream whose streams send a first chunk, then one more every second,
 * for the many-open-streams measurement. `bun bench/slow-upstream.ts <port>`.
 */
const port = Number(process.argv[2] ?? 0);
const chunk = `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "slow", choices: [{ index: 0, delta: { content: "tick " }, finish_reason: null }] })}\n\n`;

const server = Bun.serve({
  hostname: "127.0.0.1",
  port,
  reusePort: false,
  fetch(request) {
    if (request.method === "GET") return new Response("ok");
    let timer: ReturnType<typeof setInterval> | undefined;
    return new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(chunk));
          timer = setInterval(() => controller.enqueue(new TextEncoder().encode(chunk)), 1000);
        },
        cancel() {
          clearInterval(timer);
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    );
  },
});
console.log(`ready ${server.port}`);

export {};
