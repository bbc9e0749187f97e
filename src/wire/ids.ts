/**
 * Identifiers for what the translation engine makes up: response ids, and tool-call ids for
 * dialects that have none (Gemini, Ollama). Crypto-random, URL-safe, with each API's usual prefix.
 */

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

export function randomId(prefix: string, length = 24): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let id = prefix;
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}
