/**
 * Small builders and readers of IR parts that several codecs share.
 */
import type { IRCacheHint, IRPart, IRTextPart } from "./ir.ts";

export function textPart(text: string, cache?: IRCacheHint): IRTextPart {
  return cache === undefined ? { type: "text", text } : { type: "text", text, cache };
}

/** `part`, with the cache hint when there is one. */
export function withCache<T extends { cache?: IRCacheHint }>(part: T, cache: IRCacheHint | undefined): T {
  if (cache !== undefined) part.cache = cache;
  return part;
}

/** The text of the text parts among `parts`, joined by `separator`; empty ones add no separator. */
export function joinText(parts: readonly IRPart[], separator: string): string {
  let text = "";
  for (const part of parts) {
    if (part.type !== "text" || part.text === "") continue;
    text = text === "" ? part.text : text + separator + part.text;
  }
  return text;
}
