/**
 * A strict loopback mock of the APIs beyond chat, in each upstream style, written from the
 * providers' API references. It refuses a missing key and a request without its required fields
 * in that API's error envelope, and records what it received.
 *
 *   OpenAI   POST /v1/embeddings, /v1/images/generations, /v1/audio/speech,
 *            /v1/audio/transcriptions (multipart), /v1/moderations      (Bearer: any MEDIA_KEYS)
 *   Gemini   POST /v1beta/models/{m}:batchEmbedContents, :predict           (x-goog-api-key)
 *   Ollama   POST /api/embed                                                (no key)
 *   Cohere   POST /v2/embed, /v2/rerank                                     (Bearer)
 *   Voyage   POST /voyage/v1/embeddings, /voyage/v1/rerank                  (Bearer)
 *   Jina     POST /jina/v1/embeddings, /jina/v1/rerank                      (Bearer)
 */

export const MEDIA_KEYS = ["media-key-a", "media-key-b"];

export type MediaRouteName =
  | "openai-embeddings"
  | "openai-images"
  | "openai-speech"
  | "openai-transcriptions"
  | "openai-moderations"
  | "gemini-embeddings"
  | "gemini-images"
  | "ollama-embeddings"
  | "cohere-embeddings"
  | "cohere-rerank"
  | "voyage-embeddings"
  | "voyage-rerank"
  | "jina-embeddings"
  | "jina-rerank";

export interface MediaReceived {
  route: MediaRouteName;
  path: string;
  headers: Record<string, string>;
  /** The JSON body, or the multipart fields (a file as `{name, type, size}`). */
  body: Record<string, unknown>;
}

export interface MediaUpstream extends AsyncDisposable {
  url: string;
  received: MediaReceived[];
  /** The next request to a route answers with this status and body instead (consumed in order). */
  failNext(route: MediaRouteName, status: number, body: unknown, headers?: Record<string, string>): void;
}

/** The mock's embedding of a text: its length, then fixed values (dimensions as asked, default 3). */
export function mockVector(text: string, dimensions = 3): number[] {
  return [text.length, 0.5, -0.25, 0.125].slice(0, dimensions);
}

/** The speech the mock answers: bytes that are not text, so a client that decodes them shows it. */
export const MOCK_SPEECH = new Uint8Array(4096).map((_, index) => (index * 7 + 3) % 256);

/** Ranked by the document's length, longest first; the first `limit` of them when there is one. */
function ranking(
  documents: unknown[],
  limit: unknown,
): Array<{ index: number; relevance_score: number; text: string }> {
  return documents
    .map((document, index) => {
      const text = typeof document === "string" ? document : JSON.stringify(document);
      return { index, relevance_score: Math.round((1 - 1 / (text.length + 1)) * 1e4) / 1e4, text };
    })
    .sort((a, b) => b.relevance_score - a.relevance_score)
    .slice(0, typeof limit === "number" ? limit : undefined);
}

interface Route {
  name: MediaRouteName;
  auth: "bearer" | "x-goog-api-key" | "none";
  required: string[];
  answer(body: Record<string, unknown>, path: string): Response;
}

const OPENAI_EMBEDDINGS: Route["answer"] = (body) => {
  const inputs = typeof body.input === "string" ? [body.input] : (body.input as string[]);
  const dimensions = (body.dimensions ?? body.output_dimension) as number | undefined;
  return Response.json({
    object: "list",
    data: inputs.map((text, index) => ({
      object: "embedding",
      index,
      embedding: mockVector(text, dimensions),
    })),
    model: body.model,
    usage: { prompt_tokens: inputs.length * 5, total_tokens: inputs.length * 5 },
  });
};

/** OpenAI's transcription of the uploaded file, in the `response_format` asked for. */
const TRANSCRIPTION: Route["answer"] = (body) => {
  const file = body.file as { size: number };
  const text = `Heard ${file.size} bytes.`;
  const plain = (content: string) =>
    new Response(content, { headers: { "content-type": "text/plain; charset=utf-8" } });
  switch (body.response_format ?? "json") {
    case "text":
      return plain(`${text}\n`);
    case "srt":
      return plain(`1\n00:00:00,000 --> 00:00:01,000\n${text}\n\n`);
    case "vtt":
      return plain(`WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n${text}\n\n`);
    case "verbose_json":
      return Response.json({
        task: "transcribe",
        language: "english",
        duration: 1,
        text,
        segments: [
          {
            id: 0,
            seek: 0,
            start: 0,
            end: 1,
            text,
            tokens: [1],
            temperature: 0,
            avg_logprob: -0.1,
            compression_ratio: 1,
            no_speech_prob: 0,
          },
        ],
        usage: { type: "duration", seconds: 1 },
      });
    default:
      return Response.json({
        text,
        usage: { type: "tokens", input_tokens: 14, output_tokens: 5, total_tokens: 19 },
      });
  }
};

const ROUTES: Record<string, Route> = {
  "/v1/audio/transcriptions": {
    name: "openai-transcriptions",
    auth: "bearer",
    required: ["file", "model"],
    answer: TRANSCRIPTION,
  },
  "/v1/embeddings": {
    name: "openai-embeddings",
    auth: "bearer",
    required: ["model", "input"],
    answer: OPENAI_EMBEDDINGS,
  },
  "/v1/images/generations": {
    name: "openai-images",
    auth: "bearer",
    required: ["prompt"],
    answer: (body) => {
      const n = (body.n as number | undefined) ?? 1;
      const url = body.response_format === "url";
      return Response.json({
        created: 1_700_000_000,
        data: Array.from({ length: n }, (_, index) =>
          url ? { url: `https://images.example/${index}.png` } : { b64_json: btoa(`png ${index}`) },
        ),
        ...(String(body.model).startsWith("gpt-image")
          ? { usage: { input_tokens: 12, output_tokens: 1056, total_tokens: 1068 } }
          : {}),
      });
    },
  },
  "/v1/audio/speech": {
    name: "openai-speech",
    auth: "bearer",
    required: ["model", "input", "voice"],
    answer: (body) =>
      new Response(MOCK_SPEECH, {
        headers: { "content-type": body.response_format === "wav" ? "audio/wav" : "audio/mpeg" },
      }),
  },
  "/v1/moderations": {
    name: "openai-moderations",
    auth: "bearer",
    required: ["input"],
    answer: (body) => {
      const inputs = typeof body.input === "string" ? [body.input] : (body.input as unknown[]);
      return Response.json({
        id: "modr-mock",
        model: body.model ?? "omni-moderation-latest",
        results: inputs.map((input) => {
          const flagged = JSON.stringify(input).includes("kill");
          return {
            flagged,
            categories: { violence: flagged },
            category_scores: { violence: flagged ? 0.97 : 0.01 },
            category_applied_input_types: { violence: ["text"] },
          };
        }),
      });
    },
  },
  "/api/embed": {
    name: "ollama-embeddings",
    auth: "none",
    required: ["model", "input"],
    answer: (body) => {
      const inputs = typeof body.input === "string" ? [body.input] : (body.input as string[]);
      return Response.json({
        model: body.model,
        embeddings: inputs.map((text) => mockVector(text, body.dimensions as number | undefined)),
        total_duration: 14_143_917,
        load_duration: 1_019_500,
        prompt_eval_count: inputs.length * 4,
      });
    },
  },
  "/v2/embed": {
    name: "cohere-embeddings",
    auth: "bearer",
    required: ["model", "texts", "input_type"],
    answer: (body) => {
      const texts = body.texts as string[];
      return Response.json({
        id: "cohere-embed-1",
        embeddings: {
          float: texts.map((text) => mockVector(text, body.output_dimension as number | undefined)),
        },
        texts,
        meta: { api_version: { version: "2" }, billed_units: { input_tokens: texts.length * 6 } },
        response_type: "embeddings_by_type",
      });
    },
  },
  "/v2/rerank": {
    name: "cohere-rerank",
    auth: "bearer",
    required: ["model", "query", "documents"],
    answer: (body) => {
      const ranked = ranking(body.documents as unknown[], body.top_n);
      return Response.json({
        id: "cohere-rerank-1",
        results: ranked.map(({ index, relevance_score }) => ({ index, relevance_score })),
        meta: {
          api_version: { version: "2" },
          billed_units: { search_units: Math.ceil((body.documents as unknown[]).length / 100) },
        },
      });
    },
  },
  "/voyage/v1/embeddings": {
    name: "voyage-embeddings",
    auth: "bearer",
    required: ["model", "input"],
    answer: OPENAI_EMBEDDINGS,
  },
  "/voyage/v1/rerank": {
    name: "voyage-rerank",
    auth: "bearer",
    required: ["model", "query", "documents"],
    answer: (body) => {
      const ranked = ranking(body.documents as unknown[], body.top_k);
      return Response.json({
        object: "list",
        data: ranked.map(({ index, relevance_score, text }) => ({
          index,
          relevance_score,
          ...(body.return_documents === true ? { document: text } : {}),
        })),
        model: body.model,
        usage: { total_tokens: 26 },
      });
    },
  },
  "/jina/v1/embeddings": {
    name: "jina-embeddings",
    auth: "bearer",
    required: ["model", "input"],
    answer: OPENAI_EMBEDDINGS,
  },
  "/jina/v1/rerank": {
    name: "jina-rerank",
    auth: "bearer",
    required: ["model", "query", "documents"],
    answer: (body) => {
      const ranked = ranking(body.documents as unknown[], body.top_n);
      return Response.json({
        model: body.model,
        usage: { total_tokens: 31 },
        results: ranked.map(({ index, relevance_score, text }) => ({
          index,
          relevance_score,
          ...(body.return_documents === false ? {} : { document: { text } }),
        })),
      });
    },
  },
};

const GEMINI = /^\/v1beta\/models\/[^/:]+:(batchEmbedContents|predict)$/;

const GEMINI_ROUTES: Record<string, Route> = {
  batchEmbedContents: {
    name: "gemini-embeddings",
    auth: "x-goog-api-key",
    required: ["requests"],
    answer: (body) => {
      const requests = body.requests as Array<{
        content: { parts: Array<{ text: string }> };
        outputDimensionality?: number;
      }>;
      return Response.json({
        embeddings: requests.map((request) => ({
          values: mockVector(
            request.content.parts.map((part) => part.text).join(""),
            request.outputDimensionality,
          ),
        })),
      });
    },
  },
  predict: {
    name: "gemini-images",
    auth: "x-goog-api-key",
    required: ["instances"],
    answer: (body) => {
      const count = ((body.parameters as { sampleCount?: number } | undefined)?.sampleCount ?? 1) as number;
      return Response.json({
        predictions: Array.from({ length: count }, (_, index) => ({
          bytesBase64Encoded: btoa(`imagen ${index}`),
          mimeType: "image/png",
        })),
      });
    },
  },
};

function authorized(route: Route, headers: Headers): boolean {
  if (route.auth === "none") return true;
  if (route.auth === "x-goog-api-key") return MEDIA_KEYS.includes(headers.get("x-goog-api-key") ?? "");
  return MEDIA_KEYS.some((key) => headers.get("authorization") === `Bearer ${key}`);
}

async function readFields(request: Request): Promise<Record<string, unknown>> {
  if (!(request.headers.get("content-type") ?? "").startsWith("multipart/form-data"))
    return (await request.json()) as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  const entries: Array<[string, string | File]> = [];
  (await request.formData()).forEach((value, name) => {
    entries.push([name, value]);
  });
  for (const [name, value] of entries) {
    fields[name] =
      typeof value === "string"
        ? value
        : { name: value.name, type: value.type, size: value.size, bytes: await value.bytes() };
  }
  return fields;
}

export function startMediaUpstream(): MediaUpstream {
  const received: MediaReceived[] = [];
  const failures: Array<{
    route: MediaRouteName;
    status: number;
    body: unknown;
    headers: Record<string, string>;
  }> = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const gemini = url.pathname.match(GEMINI);
      const route = gemini ? GEMINI_ROUTES[gemini[1]!] : ROUTES[url.pathname];
      if (request.method !== "POST" || !route) return new Response("not found", { status: 404 });
      const error = (status: number, message: string) =>
        route.auth === "x-goog-api-key"
          ? Response.json({ error: { code: status, message, status: "INVALID_ARGUMENT" } }, { status })
          : Response.json(
              { error: { message, type: "invalid_request_error", param: null, code: null } },
              { status },
            );
      if (!authorized(route, request.headers)) return error(401, "invalid or missing API key");
      let body: Record<string, unknown>;
      try {
        body = await readFields(request);
      } catch {
        return error(400, "malformed JSON body");
      }
      received.push({
        route: route.name,
        path: url.pathname + url.search,
        headers: headersOf(request),
        body,
      });
      for (const field of route.required)
        if (body[field] === undefined) return error(400, `${field}: required`);
      const failure = failures.findIndex((entry) => entry.route === route.name);
      if (failure !== -1) {
        const [next] = failures.splice(failure, 1);
        return Response.json(next!.body, { status: next!.status, headers: next!.headers });
      }
      return route.answer(body, url.pathname);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    received,
    failNext(route, status, body, headers = {}) {
      failures.push({ route, status, body, headers });
    },
    async [Symbol.asyncDispose]() {
      await server.stop(true);
    },
  };
}

function headersOf(request: Request): Record<string, string> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}
