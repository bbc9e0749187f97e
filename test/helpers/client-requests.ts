/** One minimal valid request per client dialect: path and body, streaming or not. */
import type { Dialect } from "../../src/wire/ir.ts";

export interface ClientRequest {
  path: string;
  body: Record<string, unknown>;
}

export const CLIENT_REQUESTS: Record<Dialect, (model: string, stream?: boolean) => ClientRequest> = {
  "openai-chat": (model, stream = false) => ({
    path: "/v1/chat/completions",
    body: { model, stream, messages: [{ role: "user", content: "hi" }] },
  }),
  "openai-responses": (model, stream = false) => ({
    path: "/v1/responses",
    body: { model, stream, input: "hi" },
  }),
  anthropic: (model, stream = false) => ({
    path: "/v1/messages",
    body: { model, stream, max_tokens: 50, messages: [{ role: "user", content: "hi" }] },
  }),
  gemini: (model, stream = false) => ({
    path: stream
      ? `/v1beta/models/${model}:streamGenerateContent?alt=sse`
      : `/v1beta/models/${model}:generateContent`,
    body: { contents: [{ role: "user", parts: [{ text: "hi" }] }] },
  }),
  ollama: (model, stream = false) => ({
    path: "/api/chat",
    body: { model, stream, messages: [{ role: "user", content: "hi" }] },
  }),
};

export const CLIENT_DIALECTS = Object.keys(CLIENT_REQUESTS) as Dialect[];
