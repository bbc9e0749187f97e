/**
 * A strict mock of every upstream API on one loopback port, answering with the recorded
 * fixtures of test/wire/fixtures (written from the providers' API references). Like the real
 * APIs it refuses a missing key, malformed JSON and a request without its required fields, in
 * that API's own error envelope. It records what it received, for assertions.
 *
 *   OpenAI chat   POST /v1/chat/completions   GET /v1/models     (Authorization: Bearer)
 *   Responses     POST /v1/responses                             (Authorization: Bearer)
 *   Anthropic     POST /v1/messages           GET /v1/models     (x-api-key + anthropic-version)
 *   Gemini        POST /v1beta/models/{m}:generateContent | :streamGenerateContent?alt=sse
 *                 GET /v1beta/models                             (x-goog-api-key)
 *   Ollama        POST /api/chat              GET /api/tags      (no key)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Dialect } from "../../src/wire/ir.ts";

export const MOCK_KEY = "upstream-secret-key";

const FIXTURES = join(import.meta.dir, "..", "wire", "fixtures");

export interface Received {
  dialect: Dialect;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface MockUpstream extends AsyncDisposable {
  url: string;
  received: Received[];
  /** The next requests of a dialect answer with this status and body instead (consumed in order). */
  failNext(dialect: Dialect, status: number, body: unknown, headers?: Record<string, string>): void;
  /**
   * When true, a request that carries tools still gets the text answer: agent clients (coding
   * CLIs) send their tools on every turn, and a tool call for a tool they do not have loops forever.
   */
  textAnswersOnly: boolean;
}

function fixture(dialect: Dialect, name: string): string {
  return readFileSync(join(FIXTURES, dialect, name), "utf8");
}

/** Which fixture answers: tool requests get a tool answer, others text. */
function answerCase(
  dialect: Dialect,
  body: Record<string, unknown>,
  kind: "response" | "stream",
  textOnly: boolean,
): string {
  const hasTools = !textOnly && Array.isArray(body.tools) && body.tools.length > 0;
  if (!hasTools) return kind === "response" ? "response-text.json" : "stream-text.txt";
  const candidates =
    kind === "response"
      ? ["response-tools.json", "response-parallel-tools.json"]
      : ["stream-tools.txt", "stream-parallel-tools.txt"];
  for (const name of candidates) {
    try {
      readFileSync(join(FIXTURES, dialect, name));
      return name;
    } catch {
      // try the next name
    }
  }
  throw new Error(`no tool fixture for ${dialect}`);
}

const ERROR_BODY: Record<Dialect, (status: number, message: string) => unknown> = {
  "openai-chat": (_status, message) => ({
    error: { message, type: "invalid_request_error", param: null, code: null },
  }),
  "openai-responses": (_status, message) => ({
    error: { message, type: "invalid_request_error", param: null, code: null },
  }),
  anthropic: (status, message) => ({
    type: "error",
    error: { type: status === 401 ? "authentication_error" : "invalid_request_error", message },
  }),
  gemini: (status, message) => ({
    error: { code: status, message, status: status === 401 ? "UNAUTHENTICATED" : "INVALID_ARGUMENT" },
  }),
  ollama: (_status, message) => ({ error: message }),
};

const REQUIRED: Record<Dialect, string[]> = {
  "openai-chat": ["model", "messages"],
  "openai-responses": ["model", "input"],
  anthropic: ["model", "max_tokens", "messages"],
  gemini: ["contents"],
  ollama: ["model", "messages"],
};

function authorized(dialect: Dialect, headers: Headers): boolean {
  switch (dialect) {
    case "openai-chat":
    case "openai-responses":
      return headers.get("authorization") === `Bearer ${MOCK_KEY}`;
    case "anthropic":
      return headers.get("x-api-key") === MOCK_KEY && headers.has("anthropic-version");
    case "gemini":
      return headers.get("x-goog-api-key") === MOCK_KEY;
    case "ollama":
      return true;
  }
}

function route(
  method: string,
  path: string,
): { dialect: Dialect; stream?: boolean; list?: boolean } | undefined {
  if (method === "GET") {
    if (path === "/v1/models") return { dialect: "openai-chat", list: true };
    if (path === "/v1beta/models") return { dialect: "gemini", list: true };
    if (path === "/api/tags") return { dialect: "ollama", list: true };
    return undefined;
  }
  if (path === "/v1/chat/completions") return { dialect: "openai-chat" };
  if (path === "/v1/responses") return { dialect: "openai-responses" };
  if (path === "/v1/messages") return { dialect: "anthropic" };
  if (path === "/api/chat") return { dialect: "ollama" };
  const gemini = path.match(/^\/v1beta\/models\/[^/:]+:(generateContent|streamGenerateContent)$/);
  if (gemini) return { dialect: "gemini", stream: gemini[1] === "streamGenerateContent" };
  return undefined;
}

const LISTS: Record<"openai-chat" | "gemini" | "ollama", unknown> = {
  "openai-chat": {
    object: "list",
    data: [{ id: "mock-model", object: "model", created: 0, owned_by: "mock" }],
  },
  gemini: { models: [{ name: "models/gemini-mock", supportedGenerationMethods: ["generateContent"] }] },
  ollama: { models: [{ name: "llama-mock:latest", model: "llama-mock:latest" }] },
};

export function startMockUpstream(): MockUpstream {
  const received: Received[] = [];
  const failures: Array<{
    dialect: Dialect;
    status: number;
    body: unknown;
    headers: Record<string, string>;
  }> = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const found = route(request.method, url.pathname);
      if (!found) return new Response("not found", { status: 404 });
      const dialect =
        url.pathname === "/v1/models" && request.headers.has("x-api-key") ? "anthropic" : found.dialect;
      const error = (status: number, message: string) =>
        Response.json(ERROR_BODY[dialect](status, message), { status });
      if (!authorized(dialect, request.headers)) return error(401, "invalid x-api-key or missing auth");
      if (found.list) return Response.json(LISTS[dialect as keyof typeof LISTS] ?? LISTS["openai-chat"]);
      let body: Record<string, unknown>;
      try {
        body = (await request.json()) as Record<string, unknown>;
      } catch {
        return error(400, "malformed JSON body");
      }
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        headers[name] = value;
      });
      received.push({ dialect, path: url.pathname + url.search, headers, body });
      for (const field of REQUIRED[dialect])
        if (body[field] === undefined) return error(400, `${field}: required`);
      const failure = failures.findIndex((entry) => entry.dialect === dialect);
      if (failure !== -1) {
        const [next] = failures.splice(failure, 1);
        return Response.json(next!.body, { status: next!.status, headers: next!.headers });
      }
      const stream = found.stream ?? (dialect === "ollama" ? body.stream !== false : body.stream === true);
      if (dialect === "gemini" && stream && url.searchParams.get("alt") !== "sse") {
        return new Response(fixture(dialect, "stream-json-array.txt"), {
          headers: { "content-type": "application/json" },
        });
      }
      if (stream) {
        const text = fixture(dialect, answerCase(dialect, body, "stream", mock.textAnswersOnly));
        return new Response(text, {
          headers: { "content-type": dialect === "ollama" ? "application/x-ndjson" : "text/event-stream" },
        });
      }
      return new Response(fixture(dialect, answerCase(dialect, body, "response", mock.textAnswersOnly)), {
        headers: { "content-type": "application/json" },
      });
    },
  });
  const mock: MockUpstream = {
    url: `http://127.0.0.1:${server.port}`,
    received,
    textAnswersOnly: false,
    failNext(dialect, status, body, headers = {}) {
      failures.push({ dialect, status, body, headers });
    },
    async [Symbol.asyncDispose]() {
      await server.stop(true);
    },
  };
  return mock;
}
