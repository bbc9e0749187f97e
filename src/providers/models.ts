/**
 * Asking an upstream which models it has: the live check behind "test connection", "validate"
 * and the model lists. One GET to the dialect's models endpoint with the endpoint's auth.
 */
import { type Endpoint, operationUrl, upstreamHeaders } from "./endpoint.ts";

export interface ProbeResult {
  valid: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  models: string[];
}

export const PROBE_TIMEOUT_MS = 10_000;

export async function probeModels(
  endpoint: Endpoint,
  proxy?: string,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const headers = upstreamHeaders(endpoint);
    delete headers["content-type"];
    const response = await fetch(operationUrl(endpoint, "models", ""), {
      headers,
      ...(proxy ? { proxy } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) {
      return {
        valid: false,
        statusCode: response.status,
        latencyMs: elapsed(),
        error: upstreamMessage(text, response.status),
        models: [],
      };
    }
    return {
      valid: true,
      statusCode: response.status,
      latencyMs: elapsed(),
      error: null,
      models: modelIds(text),
    };
  } catch (error) {
    const message =
      error instanceof Error && error.name === "TimeoutError"
        ? `no answer within ${timeoutMs} ms`
        : String((error as Error).message ?? error);
    return { valid: false, statusCode: null, latencyMs: elapsed(), error: message, models: [] };
  }
}

/** Model ids from any of the four list shapes: OpenAI/Anthropic `data[].id`, Gemini `models[].name`, Ollama `models[].name|model`. */
export function modelIds(text: string): string[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof body !== "object" || body === null) return [];
  const list = (body as { data?: unknown; models?: unknown }).data ?? (body as { models?: unknown }).models;
  if (!Array.isArray(list)) return [];
  const ids: string[] = [];
  for (const entry of list) {
    if (typeof entry !== "object" || entry === null) continue;
    const { id, name, model } = entry as { id?: unknown; name?: unknown; model?: unknown };
    const value =
      typeof id === "string"
        ? id
        : typeof name === "string"
          ? name
          : typeof model === "string"
            ? model
            : undefined;
    if (value) ids.push(value.replace(/^models\//, ""));
  }
  return ids;
}

function upstreamMessage(text: string, status: number): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof body.error === "string" ? body.error : (body.error?.message ?? body.message);
    if (typeof message === "string" && message !== "") return `${status}: ${message}`;
  } catch {
    // not JSON: fall through to the status alone
  }
  return `upstream answered ${status}`;
}
