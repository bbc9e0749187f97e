/**
 * A fault-injecting upstream on loopback, OpenAI-style (POST /v1/chat/completions, GET
 * /v1/models), Anthropic-style (POST /v1/messages), Ollama-style (POST /api/chat, NDJSON) or
 * Gemini-style (POST /v1beta/models/{model}:generateContent | :streamGenerateContent?alt=sse). Each request takes the next scripted
 * behaviour (then `ok` once the script is empty): a clean answer, an error status, a reset
 * connection, silence (no head, no body), or a stream that is cut, stalls after its first
 * chunks (or inside its reasoning), sends its head at once but its first token only after a second, carries a malformed chunk or the upstream's own error event, or misses its terminator.
 *
 * The answer is always FAULT_TEXT. A request whose last message is the assistant's own start of
 * it (a prefill) gets the rest, as a model continuing the text would: " answer." after "Partial".
 */

export type Fault =
  | "ok"
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | "reset"
  | "silent"
  | "cut"
  | "cut-in-reasoning"
  | "stall"
  | "slow-first-token"
  | "malformed"
  | "error-event"
  | "no-terminator";

export type FaultStyle = "openai" | "anthropic" | "ollama" | "gemini";

export interface FaultUpstream extends AsyncDisposable {
  url: string;
  /** Behaviours for the next requests, in order. */
  script(...faults: Fault[]): void;
  /** Every behaviour from now on, until script() or always() is called again. */
  always(fault: Fault): void;
  /** Requests received so far. */
  count: number;
  /** The bodies of the chat requests received, in order. */
  bodies: Array<Record<string, unknown>>;
}

export const FAULT_TEXT = "Partial answer.";
/** What a stream cut inside its reasoning had reasoned. */
export const REASONING_TEXT = "Let me think.";
const HEAD_TEXT = "Partial ";

/** Where the stream is, for a style to write: its opening, text, and closing. */
interface StyleWriter {
  /** Whether a request path is this style's chat endpoint. */
  accepts(path: string): boolean;
  head(text: string): string;
  tail(text: string): string;
  done: string;
  errorEvent: string;
  /** A stream's opening that is still reasoning (OpenAI and Anthropic styles). */
  reasoning?: string;
  malformed: string;
  whole(text: string): unknown;
}

const openaiChunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-fault", object: "chat.completion.chunk", created: 1, model: "fault", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

const anthropicEvent = (data: Record<string, unknown>) =>
  `event: ${data.type as string}\ndata: ${JSON.stringify(data)}\n\n`;

const ollamaLine = (content: string, done = false) =>
  `${JSON.stringify({
    model: "fault",
    created_at: "2026-12-02T12:00:00Z",
    message: { role: "assistant", content },
    done,
    ...(done ? { done_reason: "stop", prompt_eval_count: 3, eval_count: 3 } : {}),
  })}\n`;

const geminiChunk = (text: string, finished = false) =>
  JSON.stringify({
    candidates: [
      {
        content: { parts: [{ text }], role: "model" },
        ...(finished ? { finishReason: "STOP" } : {}),
        index: 0,
      },
    ],
    usageMetadata: {
      promptTokenCount: 3,
      ...(finished ? { candidatesTokenCount: 3, totalTokenCount: 6 } : { totalTokenCount: 3 }),
    },
    modelVersion: "fault",
    responseId: "fault-response",
  });

const ANTHROPIC_START = anthropicEvent({
  type: "message_start",
  message: {
    id: "msg_fault",
    type: "message",
    role: "assistant",
    model: "fault",
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 3, output_tokens: 1 },
  },
});

const STYLES: Record<FaultStyle, StyleWriter> = {
  gemini: {
    accepts: (path) => /^\/v1beta\/models\/[^/]+:(generateContent|streamGenerateContent)$/.test(path),
    head: (text) => `data: ${geminiChunk(text)}\r\n\r\n`,
    tail: (text) => `data: ${geminiChunk(text)}\r\n\r\n`,
    done: `data: ${geminiChunk("", true)}\r\n\r\n`,
    errorEvent: `data: ${JSON.stringify({ error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } })}\r\n\r\n`,
    malformed: "data: {this is not json\r\n\r\n",
    whole: (text) => JSON.parse(geminiChunk(text, true)),
  },
  ollama: {
    accepts: (path) => path === "/api/chat",
    head: (text) => ollamaLine(text),
    tail: (text) => ollamaLine(text),
    done: ollamaLine("", true),
    errorEvent: `${JSON.stringify({ error: "model runner has unexpectedly stopped" })}\n`,
    malformed: "{this is not json\n",
    whole: (text) => JSON.parse(ollamaLine(text, true)),
  },
  openai: {
    accepts: (path) => path === "/v1/chat/completions",
    head: (text) => openaiChunk({ role: "assistant", content: "" }) + openaiChunk({ content: text }),
    tail: (text) => openaiChunk({ content: text }) + openaiChunk({}, "stop"),
    done: "data: [DONE]\n\n",
    errorEvent: `data: ${JSON.stringify({ error: { message: "The server had an error", type: "server_error" } })}\n\n`,
    reasoning:
      openaiChunk({ role: "assistant", content: "" }) + openaiChunk({ reasoning_content: REASONING_TEXT }),
    malformed: "data: {this is not json\n\n",
    whole: (text) => ({
      id: "chatcmpl-fault",
      object: "chat.completion",
      created: 1,
      model: "fault",
      choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
      usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
    }),
  },
  anthropic: {
    accepts: (path) => path === "/v1/messages",
    head: (text) =>
      ANTHROPIC_START +
      anthropicEvent({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }) +
      anthropicEvent({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }),
    tail: (text) =>
      anthropicEvent({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }) +
      anthropicEvent({ type: "content_block_stop", index: 0 }) +
      anthropicEvent({
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: 3 },
      }),
    done: anthropicEvent({ type: "message_stop" }),
    errorEvent: anthropicEvent({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
    reasoning:
      ANTHROPIC_START +
      anthropicEvent({
        type: "content_block_start",
        index: 0,
        content_block: { type: "thinking", thinking: "" },
      }) +
      anthropicEvent({
        type: "content_block_delta",
        index: 0,
        delta: { type: "thinking_delta", thinking: REASONING_TEXT },
      }),
    malformed: "event: content_block_delta\ndata: {this is not json\n\n",
    whole: (text) => ({
      id: "msg_fault",
      type: "message",
      role: "assistant",
      model: "fault",
      content: [{ type: "text", text }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 3 },
    }),
  },
};

/** The text the assistant already has, when the request ends with its prefill. */
function prefillOf(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Array<Record<string, unknown>>) : [];
  const last = messages.at(-1);
  if (last?.role !== "assistant") return "";
  if (typeof last.content === "string") return last.content;
  if (!Array.isArray(last.content)) return "";
  return (last.content as Array<{ type?: string; text?: string }>)
    .map((block) => (block.type === "text" ? (block.text ?? "") : ""))
    .join("");
}

const encoder = new TextEncoder();

/** How long a `slow-first-token` stream keeps its first token back. */
const SLOW_FIRST_TOKEN_MS = 1000;

function stream(parts: Array<string | "wait" | "error" | "pause">, signal: AbortSignal): Response {
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
          if (part === "pause") {
            await Bun.sleep(SLOW_FIRST_TOKEN_MS);
            if (signal.aborted) return;
            continue;
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

export function startFaultUpstream(style: FaultStyle = "openai"): FaultUpstream {
  const writer = STYLES[style];
  let queue: Fault[] = [];
  let fallback: Fault = "ok";
  const state = { count: 0, bodies: [] as Array<Record<string, unknown>> };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const url = new URL(request.url);
      if (request.method === "GET" && url.pathname === "/v1/models")
        return Response.json({ object: "list", data: [{ id: "fault-model" }] });
      if (request.method !== "POST" || !writer.accepts(url.pathname))
        return Response.json({ error: { message: `no route ${url.pathname}` } }, { status: 404 });
      state.count++;
      const body = (await request.json()) as Record<string, unknown>;
      state.bodies.push(body);
      const fault = queue.shift() ?? fallback;
      const streaming =
        body.stream === true ||
        (style === "ollama" && body.stream !== false) ||
        url.pathname.endsWith(":streamGenerateContent");
      if (typeof fault === "object")
        return Response.json(fault.body ?? { error: { message: `status ${fault.status}` } }, {
          status: fault.status,
          headers: fault.headers ?? {},
        });
      const prefill = prefillOf(body);
      const rest = FAULT_TEXT.startsWith(prefill) ? FAULT_TEXT.slice(prefill.length) : FAULT_TEXT;
      const head = prefill === "" ? writer.head(HEAD_TEXT) : writer.head("");
      const tail = writer.tail(prefill === "" ? FAULT_TEXT.slice(HEAD_TEXT.length) : rest);
      switch (fault) {
        case "ok":
          return streaming
            ? stream([head, tail, writer.done], request.signal)
            : Response.json(writer.whole(prefill === "" ? FAULT_TEXT : rest));
        case "reset":
          return new Response(
            new ReadableStream({ start: (controller) => controller.error(new Error("reset")) }),
          );
        case "silent":
          await new Promise((resolve) => request.signal.addEventListener("abort", resolve, { once: true }));
          return new Response("too late");
        case "cut":
          return stream([head, "error"], request.signal);
        case "cut-in-reasoning":
          if (!writer.reasoning) throw new Error(`no reasoning stream in the ${style} style`);
          return stream([writer.reasoning, "error"], request.signal);
        case "stall":
          return stream([head, "wait"], request.signal);
        case "slow-first-token":
          return stream(["pause", head, tail, writer.done], request.signal);
        case "malformed":
          return stream([head, writer.malformed, tail, writer.done], request.signal);
        case "error-event":
          return stream([head, writer.errorEvent], request.signal);
        case "no-terminator":
          return stream([head, tail], request.signal);
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
    get bodies() {
      return state.bodies;
    },
    async [Symbol.asyncDispose]() {
      await server.stop(true);
    },
  };
}
