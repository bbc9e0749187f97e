/**
 * The Switchyard key a client sent, from wherever its SDK puts it: `Authorization: Bearer`
 * (OpenAI, Ollama clients), `x-api-key` (Anthropic), `x-goog-api-key` or `?key=` (Gemini).
 */
import type { AppContext } from "../context.ts";
import { authenticateKey } from "../security/api-keys.ts";
import type { ApiKeyRow } from "../store/schema.ts";

export function presentedKey(request: Request, url: URL): string | undefined {
  const authorization = request.headers.get("authorization");
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  return (
    bearer ||
    request.headers.get("x-api-key")?.trim() ||
    request.headers.get("x-goog-api-key")?.trim() ||
    url.searchParams.get("key")?.trim() ||
    undefined
  );
}

export type KeyCheck = { ok: true; key: ApiKeyRow } | { ok: false; message: string };

export function checkClientKey(context: AppContext, request: Request, url: URL): KeyCheck {
  const secret = presentedKey(request, url);
  if (secret === undefined) {
    return {
      ok: false,
      message:
        "Missing API key: send your Switchyard key as a Bearer token, x-api-key, x-goog-api-key or ?key=",
    };
  }
  const key = authenticateKey(context.apiKeys, secret);
  return key ? { ok: true, key } : { ok: false, message: "Invalid or revoked API key" };
}
