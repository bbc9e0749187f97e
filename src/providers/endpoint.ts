/**
 * Where and how to reach one upstream: a connection (or a custom node's connection) resolved
 * against the catalogue into an Endpoint, and the URLs each dialect's API uses under a base URL.
 * A base URL is what that API's official SDK takes; what users commonly paste instead (a trailing
 * slash, an Anthropic base ending in /v1, a Gemini base ending in /v1beta) is tolerated.
 */
import type { Dialect } from "../wire/ir.ts";
import { ANTHROPIC_HEADERS, type AuthStyle, providerSpec } from "./catalog.ts";

export interface Endpoint {
  /** Catalogue provider id, or the custom node's id. */
  providerId: string;
  /** What model strings use: the catalogue id or the node's prefix. */
  prefix: string;
  dialect: Dialect;
  baseUrl: string;
  auth: AuthStyle;
  apiKey?: string;
  headers: Record<string, string>;
  apiVersion?: string;
  /** The connection's own proxy URL, or "none" to bypass the global one. */
  proxy?: string;
}

export interface NodeLike {
  id: string;
  type: string;
  apiType: string;
  prefix: string;
  baseUrl: string;
}

export interface ConnectionLike {
  provider: string;
  baseUrl: string | null;
  headers: Record<string, string> | null;
  providerSpecificData: Record<string, unknown> | null;
}

/** The dialect a custom node speaks. */
export function nodeDialect(node: Pick<NodeLike, "type" | "apiType">): Dialect {
  if (node.type === "anthropic-compatible") return "anthropic";
  return node.apiType === "responses" ? "openai-responses" : "openai-chat";
}

/**
 * The endpoint for a connection, or undefined when its provider is neither in the catalogue nor
 * a known node. `apiKey` is the decrypted key, if the connection has one.
 */
export function endpointFor(
  connection: ConnectionLike,
  apiKey: string | undefined,
  findNode: (idOrPrefix: string) => NodeLike | undefined,
): Endpoint | undefined {
  const override = connection.baseUrl ?? stringField(connection.providerSpecificData, "baseUrl");
  const spec = providerSpec(connection.provider);
  const extraHeaders = connection.headers ?? {};
  const proxy = stringField(connection.providerSpecificData, "proxy");
  const withProxy = proxy ? { proxy } : {};
  if (spec) {
    const apiVersion = stringField(connection.providerSpecificData, "apiVersion") ?? spec.apiVersion;
    return {
      providerId: spec.id,
      prefix: spec.id,
      dialect: spec.dialect,
      baseUrl: normalizeBaseUrl(spec.dialect, override ?? spec.baseUrl),
      auth: spec.auth,
      ...(apiKey ? { apiKey } : {}),
      headers: { ...spec.headers, ...extraHeaders },
      ...(apiVersion ? { apiVersion } : {}),
      ...withProxy,
    };
  }
  const node = findNode(connection.provider);
  if (!node) return undefined;
  const dialect = nodeDialect(node);
  return {
    providerId: node.id,
    prefix: node.prefix,
    dialect,
    baseUrl: normalizeBaseUrl(dialect, override ?? node.baseUrl),
    auth: dialect === "anthropic" ? "x-api-key" : "bearer",
    ...(apiKey ? { apiKey } : {}),
    headers: dialect === "anthropic" ? { ...ANTHROPIC_HEADERS, ...extraHeaders } : extraHeaders,
    ...withProxy,
  };
}

function stringField(data: Record<string, unknown> | null, key: string): string | undefined {
  const value = data?.[key];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** The base URL as our URL builders expect it: no trailing slash, no API-version segment where we add one. */
export function normalizeBaseUrl(dialect: Dialect, url: string): string {
  let base = url.trim().replace(/\/+$/, "");
  if (dialect === "anthropic") base = base.replace(/\/v1$/, "");
  if (dialect === "gemini") base = base.replace(/\/(v1beta|v1)$/, "");
  if (dialect === "ollama") base = base.replace(/\/api$/, "");
  return base;
}

export type Operation = "generate" | "stream" | "models" | "count_tokens";

/** The URL of an operation at an endpoint; Gemini puts the model and streaming in the path. */
export function operationUrl(endpoint: Endpoint, operation: Operation, model: string): string {
  const base = endpoint.baseUrl;
  const withVersion = (url: string) =>
    endpoint.apiVersion ? `${url}${url.includes("?") ? "&" : "?"}api-version=${endpoint.apiVersion}` : url;
  switch (endpoint.dialect) {
    case "openai-chat":
      return withVersion(operation === "models" ? `${base}/models` : `${base}/chat/completions`);
    case "openai-responses":
      return withVersion(operation === "models" ? `${base}/models` : `${base}/responses`);
    case "anthropic":
      if (operation === "models") return `${base}/v1/models`;
      return operation === "count_tokens" ? `${base}/v1/messages/count_tokens` : `${base}/v1/messages`;
    case "gemini": {
      if (operation === "models") return `${base}/v1beta/models`;
      const name = model.startsWith("models/") ? model : `models/${model}`;
      if (operation === "count_tokens") return `${base}/v1beta/${name}:countTokens`;
      return operation === "stream"
        ? `${base}/v1beta/${name}:streamGenerateContent?alt=sse`
        : `${base}/v1beta/${name}:generateContent`;
    }
    case "ollama":
      return operation === "models" ? `${base}/api/tags` : `${base}/api/chat`;
  }
}

/** Request headers for the endpoint: content type, auth in its style, and its fixed headers. */
export function upstreamHeaders(endpoint: Endpoint): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json", ...endpoint.headers };
  const key = endpoint.apiKey;
  if (key) {
    if (endpoint.auth === "bearer") headers.authorization = `Bearer ${key}`;
    else if (endpoint.auth === "x-api-key") headers["x-api-key"] = key;
    else if (endpoint.auth === "x-goog-api-key") headers["x-goog-api-key"] = key;
    else if (endpoint.auth === "api-key") headers["api-key"] = key;
  }
  return headers;
}
