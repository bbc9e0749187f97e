/**
 * The benchmark's upstream: an OpenAI-compatible server answering at once — a fixed completion,
 * or a stream of STREAM_CHUNKS chunks then usage and [DONE]. Run as its own process:
 * `bun bench/mock-upstream.ts <port>`.
 */
const port = Number(process.argv[2] ?? 0);
const STREAM_CHUNKS = 20;

const completion = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "bench-model",
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: "Hello from the benchmark upstream." },
      finish_reason: "stop",
    },
  ],
  usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
});

const frame = (body: unknown) => `data: ${JSON.stringify(body)}\n\n`;
const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  frame({
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model: "bench-model",
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
const stream =
  chunk({ role: "assistant", content: "" }) +
  Array.from({ length: STREAM_CHUNKS }, (_, i) => chunk({ content: `word${i} ` })).join("") +
  chunk({}, "stop") +
  frame({
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model: "bench-model",
    choices: [],
    usage: { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 },
  }) +
  "data: [DONE]\n\n";

const server = Bun.serve({
  hostname: "127.0.0.1",
  port,
  reusePort: false,
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/v1/models")
      return Response.json({ object: "list", data: [{ id: "bench-model", object: "model" }] });
    const body = (await request.json()) as { stream?: boolean };
    if (body.stream) return new Response(stream, { headers: { "content-type": "text/event-stream" } });
    return new Response(completion, { headers: { "content-type": "application/json" } });
  },
});
console.log(`ready ${server.port}`);

export {};
