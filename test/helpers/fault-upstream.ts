/**
 * A fault-injecting OpenAI-style upstream on loopback (POST /v1/chat/completions, GET
 * /v1/models). Each request takes the next scripted behaviour (then `ok` once the script is
 * empty): a clean answer, an error status, a reset connection, silence (no head, no body), or a
 * stream that is cut, stalls after its first chunks, carries a malformed chunk or misses its
 * terminator.
 */

export type Fault =
  | "ok"
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | "reset"
  | "silent"
  | "cut"
  | "stall"
  | "malformed"
  | "no-terminator";

export interface FaultUpstream extends AsyncDisposable {
  url: string;
  /** Behaviours for the next requests, in order. */
  script(...faults: Fault[]): void;
  /** Every behaviour from now on, until script() or always() is called again. */
  always(fault: Fault): void;
  /** Requests received so far. */
  count: number;
}

const encoder = new TextEncoder();
const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-fault", object: "chat.completion.chunk", created: 1, model: "fault", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const HEAD = chunk({ role: "assistant", content: "" }) + chunk({ content: "Partial " });
const TAIL = `${chunk({ content: "answer." })}${chunk({}, "stop")}`;
const DONE = "data: [DONE]\n\n";
export const FAULT_TEXT = "Partial answer.";

const COMPLETION = {
  id: "chatcmpl-fault",
  object: "chat.completion",
  created: 1,
  model: "fault",
  choices: [{ index: 0, message: { role: "assistant", content: FAULT_TEXT }, finish_reason: "stop" }],
  usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
};

function stream(parts: Array<string | "wait" | "error">, signal: AbortSignal): Response {
  return new Response(
    new ReadableStream({
      async start(controller) {
        for (const part of parts) {
          if (part === "wait") {
            await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
            return;
          }
          if (part === "error") {
            controller.error(new Error("cut"));
            return;
          }
          controller.enqueue(encoder.encode(part));
          await Bun.sleep(5);
        }
        controller.close();
      },
    }),
    { headers: { "content-type": "text/event-stream" } },
  );
}

export function startFaultUpstream(): FaultUpstream {
  let queue: Fault[] = [];
  let fallback: Fault = "ok";
  const state = { count: 0 };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const url = new URL(request.url);
      if (request.method === "GET" && url.pathname === "/v1/models")
        return Response.json({ object: "list", data: [{ id: "fault-model" }] });
      state.count++;
      const body = (await request.json()) as { stream?: boolean };
      const fault = queue.shift() ?? fallback;
      const streaming = body.stream === true;
      if (typeof fault === "object")
        return Response.json(fault.body ?? { error: { message: `status ${fault.status}` } }, {
          status: fault.status,
          headers: fault.headers ?? {},
        });
      switch (fault) {
        case "ok":
          return streaming ? stream([HEAD, TAIL, DONE], request.signal) : Response.json(COMPLETION);
        case "reset":
          return new Response(
            new ReadableStream({ start: (controller) => controller.error(new Error("reset")) }),
          );
        case "silent":
          await new Promise((resolve) => request.signal.addEventListener("abort", resolve, { once: true }));
          return new Response("too late");
        case "cut":
          return stream([HEAD, "error"], request.signal);
        case "stall":
          return stream([HEAD, "wait"], request.signal);
        case "malformed":
          return stream([HEAD, "data: {this is not json\n\n", TAIL, DONE], request.signal);
        case "no-terminator":
          return stream([HEAD, TAIL], request.signal);
      }
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    script(...faults) {
      queue = faults;
    },
    always(fault) {
      queue = [];
      fallback = fault;
    },
    get count() {
      return state.count;
    },
    async [Symbol.asyncDispose]() {
      await server.stop(true);
    },
  };
}
