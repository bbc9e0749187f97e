/**
 * Secrets out of call logs before they are stored: the values of JSON fields named like
 * credentials (API keys, Authorization, cookies, tokens, passwords), header lines that carry
 * them, and anything shaped like a provider's or our own API key wherever it appears (a prompt
 * may quote one). Bodies may be cut mid-way, so this works on text, not on parsed JSON.
 */

export const REDACTED = "[redacted]";

const SECRET_FIELD =
  /("(?:api[-_]?key|x-api-key|x-goog-api-key|authorization|proxy-authorization|cookie|set-cookie|password|secret|client[-_]?secret|access[-_]?token|refresh[-_]?token|id[-_]?token|token)"\s*:\s*")((?:[^"\\]|\\.)*)"/gi;

const SECRET_HEADER_LINE =
  /\b((?:proxy-)?authorization|cookie|set-cookie|x-api-key|x-goog-api-key)(:\s*)[^\r\n"]+/gi;

const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;

/** OpenAI/Anthropic/Switchyard (`sk-…`), Google (`AIza…`), Groq, xAI, GitHub and Hugging Face keys. */
const KEY_SHAPED =
  /\b(?:(?:sk|rk)-[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{30,}|(?:gsk|ghp|gho|github_pat|hf)_[A-Za-z0-9_]{16,}|xai-[A-Za-z0-9]{16,})/g;

export function redactSecrets(text: string): string {
  return text
    .replace(SECRET_FIELD, `$1${REDACTED}"`)
    .replace(SECRET_HEADER_LINE, `$1$2${REDACTED}`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(KEY_SHAPED, REDACTED);
}
