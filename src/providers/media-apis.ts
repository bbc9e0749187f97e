/**
 * Where an endpoint serves each API beyond chat (embeddings, images, speech, transcriptions,
 * moderations, rerank) and in which style. A catalogue entry with `apis` serves exactly those;
 * any other endpoint serves what its dialect's API has: OpenAI-style upstreams all of them under
 * the base URL, Gemini embeddings and images, Ollama embeddings, Anthropic none.
 */
import type { Dialect } from "../wire/ir.ts";
import { type MediaApi, type MediaRoute, type MediaStyle, providerSpec } from "./catalog.ts";
import type { Endpoint } from "./endpoint.ts";

/** Each style's path per API, relative to the base URL; `{model}` is the upstream model id. */
const STYLE_PATHS: Record<MediaStyle, Partial<Record<MediaApi, string>>> = {
  openai: {
    embeddings: "embeddings",
    images: "images/generations",
    speech: "audio/speech",
    transcriptions: "audio/transcriptions",
    moderations: "moderations",
    rerank: "rerank",
  },
  // batchEmbedContents serves one input as well as many, so embedContent is never needed.
  gemini: { embeddings: "v1beta/{model}:batchEmbedContents", images: "v1beta/{model}:predict" },
  ollama: { embeddings: "api/embed" },
  cohere: { embeddings: "/v2/embed", rerank: "/v2/rerank" },
  voyage: { embeddings: "embeddings", rerank: "rerank" },
  jina: { embeddings: "embeddings", rerank: "rerank" },
};

const DIALECT_STYLE: Record<Dialect, MediaStyle | undefined> = {
  "openai-chat": "openai",
  "openai-responses": "openai",
  gemini: "gemini",
  ollama: "ollama",
  anthropic: undefined,
};

export interface MediaUrl {
  style: MediaStyle;
  url: string;
}

/** The style and URL of an API at an endpoint for a model, or undefined when the endpoint does not serve it. */
export function mediaUrl(endpoint: Endpoint, api: MediaApi, model: string): MediaUrl | undefined {
  const route = routeOf(endpoint, api);
  const path = route?.path ?? (route ? STYLE_PATHS[route.style][api] : undefined);
  if (!route || path === undefined) return undefined;
  const name = model.startsWith("models/") ? model : `models/${model}`;
  const url = new URL(path.replace("{model}", name), `${endpoint.baseUrl}/`);
  if (endpoint.apiVersion) url.searchParams.set("api-version", endpoint.apiVersion);
  return { style: route.style, url: url.href };
}

function routeOf(endpoint: Endpoint, api: MediaApi): MediaRoute | undefined {
  const apis = providerSpec(endpoint.providerId)?.apis;
  if (apis) return apis[api];
  const style = DIALECT_STYLE[endpoint.dialect];
  return style && STYLE_PATHS[style][api] !== undefined ? { style } : undefined;
}
