/**
 * The client-facing endpoints on :20128, in every dialect, under every prefix clients use:
 * `/v1/...`, `/api/v1/...`, bare (`/chat/completions`) and doubled (`/v1/v1/...`) for base URLs
 * that were set one segment off. Bodies are read raw (passthrough needs the bytes).
 */
import { Elysia } from "elysia";
import { VERSION } from "../config.ts";
import type { AppContext } from "../context.ts";
import { modelSpec } from "../providers/catalog.ts";
import { reachableModels } from "../routing/models.ts";
import { type AddressedServer, clientAddress } from "../security/client-address.ts";
import type { Dialect, IRError } from "../wire/index.ts";
import { type CallOptions, type CallShape, errorResponse } from "./call.ts";
import { checkClientKey } from "./client-key.ts";
import { countTokens } from "./count-tokens.ts";
import { handleMedia, type MediaOperation } from "./media/call.ts";
import { embeddings } from "./media/embeddings.ts";
import { images } from "./media/images.ts";
import { moderations } from "./media/moderations.ts";
import { rerank } from "./media/rerank.ts";
import { speech } from "./media/speech.ts";
import { transcriptions } from "./media/transcriptions.ts";
import { handleCall } from "./pipeline.ts";

const OPENAI_PREFIXES = ["/v1", "/api/v1", "", "/v1/v1"];
const ANTHROPIC_PREFIXES = ["/v1", "/api/v1", "/v1/v1"];
const GEMINI_PREFIXES = ["/v1beta", "/api/v1beta"];
/** @google/genai 3.x calls /v1/models/{model}:generateContent; POST never clashes with OpenAI's GET /v1/models. */
const GEMINI_GENERATE_PREFIXES = [...GEMINI_PREFIXES, "/v1", "/api/v1"];

const GEMINI_ACTIONS: Record<string, boolean> = { generateContent: false, streamGenerateContent: true };

export function gateway(context: AppContext) {
  const { logger } = context;
  /** A thrown error becomes a 500 in the client's dialect, never a stack trace or a management body. */
  const guarded = async (
    request: Request,
    dialect: Dialect,
    run: () => Promise<Response>,
  ): Promise<Response> => {
    try {
      return await run();
    } catch (error) {
      logger.error("gateway error", { path: new URL(request.url).pathname, error: (error as Error).message });
      return errorResponse(dialect, {
        type: "api_error",
        message: "Internal error; see the server log",
        status: 500,
      });
    }
  };
  const call = (route: RouteContext, shape: CallShape) =>
    guarded(route.request, shape.dialect, () =>
      handleCall(context, route.request, shape, callOptions(route)),
    );
  const media = <Input>(
    route: RouteContext & { params?: { provider?: string } },
    operation: MediaOperation<Input>,
  ) =>
    guarded(route.request, "openai-chat", () =>
      handleMedia(context, route.request, route.params?.provider, operation, callOptions(route)),
    );
  const raw = { parse: "none" } as const;
  const app = new Elysia();

  for (const prefix of OPENAI_PREFIXES) {
    app.post(`${prefix}/chat/completions`, (route) => call(route, { dialect: "openai-chat" }), raw);
    app.post(`${prefix}/responses`, (route) => call(route, { dialect: "openai-responses" }), raw);
    app.get(`${prefix}/models`, ({ request }) => listModels(context, request));
  }
  for (const prefix of ["/v1", "/api/v1"]) {
    app.post(
      `${prefix}/providers/:provider/chat/completions`,
      (route) => call(route, { dialect: "openai-chat", provider: route.params.provider }),
      raw,
    );
    app.get(prefix, ({ request }) => info(context, request));
  }
  for (const prefix of ["/v1", "/api/v1"]) {
    app.post(`${prefix}/embeddings`, (route) => media(route, embeddings), raw);
    app.post(`${prefix}/providers/:provider/embeddings`, (route) => media(route, embeddings), raw);
    app.post(`${prefix}/rerank`, (route) => media(route, rerank), raw);
    app.post(`${prefix}/moderations`, (route) => media(route, moderations), raw);
    app.post(`${prefix}/images/generations`, (route) => media(route, images), raw);
    app.post(`${prefix}/providers/:provider/images/generations`, (route) => media(route, images), raw);
    app.post(`${prefix}/audio/speech`, (route) => media(route, speech), raw);
    app.post(`${prefix}/audio/transcriptions`, (route) => media(route, transcriptions), raw);
  }
  for (const prefix of ANTHROPIC_PREFIXES) {
    app.post(`${prefix}/messages`, (route) => call(route, { dialect: "anthropic" }), raw);
    app.post(
      `${prefix}/messages/count_tokens`,
      ({ request }) => guarded(request, "anthropic", () => countTokens(context, request)),
      raw,
    );
  }
  for (const prefix of GEMINI_PREFIXES)
    app.get(`${prefix}/models`, ({ request }) => listGeminiModels(context, request));
  for (const prefix of GEMINI_GENERATE_PREFIXES) {
    // A wildcard, not a parameter: model strings like "openai/gpt-4.1" carry a slash.
    app.post(
      `${prefix}/models/*`,
      (route) => {
        const modelAction = decodeURIComponent(route.params["*"]);
        const separator = modelAction.lastIndexOf(":");
        const action = separator === -1 ? "" : modelAction.slice(separator + 1);
        const streaming = GEMINI_ACTIONS[action];
        if (streaming === undefined) {
          return errorResponse(
            "gemini",
            notFound(`Unknown method '${action}': use :generateContent or :streamGenerateContent`),
          );
        }
        const pathModel = modelAction.slice(0, separator).replace(/^models\//, "");
        return call(route, { dialect: "gemini", pathModel, pathStream: streaming });
      },
      raw,
    );
  }
  for (const prefix of ["", "/api/v1"]) {
    app.post(`${prefix}/api/chat`, (route) => call(route, { dialect: "ollama" }), raw);
  }
  app.get("/api/tags", ({ request }) => listOllamaModels(context, request));
  return app;
}

/** The dialect a path belongs to, for answering before any route ran; undefined: not a client path. */
export function dialectOfPath(path: string): Dialect | undefined {
  if (/\/messages(\/count_tokens)?$/.test(path)) return "anthropic";
  if (path.includes("/v1beta/") || /\/models\/.+:\w+$/.test(path)) return "gemini";
  if (/(^|\/api\/v1)\/api\/chat$/.test(path) || path === "/api/tags") return "ollama";
  if (/^(\/v1|\/api\/v1)\/(embeddings|images\/generations|audio\/\w+|moderations|rerank)$/.test(path))
    return "openai-chat";
  if (/(^|\/v1|\/api\/v1)\/(chat\/completions|responses|models|providers\/)/.test(path) || path === "/v1")
    return "openai-chat";
  return undefined;
}

/** What a client route's context tells the pipeline: the caller's address and the request id app.ts gave it. */
interface RouteContext {
  request: Request;
  server: AddressedServer | null;
  set: { headers: Record<string, unknown> };
}

function callOptions({ request, server, set }: RouteContext): CallOptions {
  const requestId = set.headers["x-request-id"];
  return {
    clientIp: clientAddress(server, request),
    ...(typeof requestId === "string" ? { requestId } : {}),
  };
}

function notFound(message: string): IRError {
  return { type: "not_found", message, status: 404 };
}

/** The key check for the listing endpoints, answering 401 in the listing's dialect. */
function authorized(context: AppContext, request: Request, dialect: Dialect): Response | undefined {
  const check = checkClientKey(context, request, new URL(request.url));
  return check.ok
    ? undefined
    : errorResponse(dialect, { type: "authentication", message: check.message, status: 401 });
}

/** Model strings a client can send: "<provider>/<model>" for every connected model, the aliases and the combos. */
function modelStrings(context: AppContext): Array<{ id: string; provider: string; model: string }> {
  const listed = reachableModels(context.resolver).map(({ id, provider, model }) => ({
    id,
    provider,
    model,
  }));
  const aliases = context.providers
    .listAliases()
    .map((alias) => ({ id: alias.alias, provider: "alias", model: alias.target }));
  const combos = context.combos
    .list()
    .map((combo) => ({ id: combo.name, provider: "combo", model: combo.name }));
  return [...listed, ...aliases, ...combos];
}

/** GET /v1/models: OpenAI's list, or Anthropic's when the caller is an Anthropic client. */
function listModels(context: AppContext, request: Request): Response {
  const anthropic = request.headers.has("anthropic-version");
  const denied = authorized(context, request, anthropic ? "anthropic" : "openai-chat");
  if (denied) return denied;
  const models = modelStrings(context);
  if (anthropic) {
    const data = models.map((model) => ({
      type: "model",
      id: model.id,
      display_name: model.id,
      created_at: "1970-01-01T00:00:00Z",
    }));
    return Response.json({
      data,
      has_more: false,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
    });
  }
  return Response.json({
    object: "list",
    data: models.map((model) => ({ id: model.id, object: "model", created: 0, owned_by: model.provider })),
  });
}

function listGeminiModels(context: AppContext, request: Request): Response {
  const denied = authorized(context, request, "gemini");
  if (denied) return denied;
  return Response.json({
    models: reachableModels(context.resolver).map((model) => {
      const spec = modelSpec(model.provider, model.model);
      return {
        name: `models/${model.id}`,
        baseModelId: model.model,
        displayName: spec?.name ?? model.id,
        ...(spec?.contextWindow ? { inputTokenLimit: spec.contextWindow } : {}),
        ...(spec?.maxOutputTokens ? { outputTokenLimit: spec.maxOutputTokens } : {}),
        supportedGenerationMethods: ["generateContent", "streamGenerateContent"],
      };
    }),
  });
}

function listOllamaModels(context: AppContext, request: Request): Response {
  const denied = authorized(context, request, "ollama");
  if (denied) return denied;
  const modifiedAt = new Date(0).toISOString();
  return Response.json({
    models: modelStrings(context).map((model) => ({
      name: model.id,
      model: model.id,
      modified_at: modifiedAt,
      size: 0,
      digest: "",
      details: {
        format: "",
        family: model.provider,
        families: [model.provider],
        parameter_size: "",
        quantization_level: "",
      },
    })),
  });
}

function info(context: AppContext, request: Request): Response {
  const denied = authorized(context, request, "openai-chat");
  if (denied) return denied;
  return Response.json({
    name: "Switchyard",
    version: VERSION,
    status: "ok",
    endpoints: {
      openai: ["/v1/chat/completions", "/v1/responses", "/v1/models"],
      anthropic: ["/v1/messages"],
      gemini: ["/v1beta/models/{model}:generateContent", "/v1beta/models/{model}:streamGenerateContent"],
      ollama: ["/api/chat", "/api/tags"],
    },
  });
}
