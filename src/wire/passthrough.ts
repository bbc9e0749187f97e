/**
 * Same dialect on both sides: the request passes through as bytes with only its top-level
 * `"model"` value swapped (`rewriteModel`); every other byte stays (unknown fields, key order,
 * number spelling, whitespace). The answer's bytes go to the client unchanged; the gateway reads
 * a stream alongside with the dialect's own decoder, for usage and the ending.
 */
import type { Dialect } from "./ir.ts";
import { parseJsonOrUndefined } from "./json.ts";
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  isJsonWhitespace,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from "./json-text.ts";
import { wholeNdjsonLines } from "./ndjson.ts";
import { wholeSseEvents } from "./sse.ts";

/** How many bytes of an upstream stream in `dialect` are whole events (SSE; Ollama's NDJSON lines). */
export function wholeStreamEvents(dialect: Dialect, bytes: Uint8Array): number {
  return dialect === "ollama" ? wholeNdjsonLines(bytes) : wholeSseEvents(bytes);
}

/** A cursor over JSON text that skips whole values without building them. */
class JsonSkipper {
  at = 0;

  constructor(private readonly text: string) {}

  code(): number {
    return this.text.charCodeAt(this.at);
  }

  whitespace(): void {
    while (isJsonWhitespace(this.text.charCodeAt(this.at))) this.at++;
  }

  /** Past the string starting at the cursor; false when it never closes. */
  string(): boolean {
    for (
      let quote = this.text.indexOf('"', this.at + 1);
      quote !== -1;
      quote = this.text.indexOf('"', quote + 1)
    ) {
      let backslashes = 0;
      while (this.text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) {
        this.at = quote + 1;
        return true;
      }
    }
    return false;
  }

  /** Past the value starting at the cursor; false when the text ends inside it. */
  value(): boolean {
    const first = this.code();
    if (first === QUOTE) return this.string();
    if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return this.scalar();
    let depth = 0;
    while (this.at < this.text.length) {
      const code = this.code();
      if (code === QUOTE) {
        if (!this.string()) return false;
        continue;
      }
      if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++;
      else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) depth--;
      this.at++;
      if (depth === 0) return true;
    }
    return false;
  }

  private scalar(): boolean {
    const start = this.at;
    for (; this.at < this.text.length; this.at++) {
      const code = this.code();
      if (code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET || isJsonWhitespace(code)) break;
    }
    return this.at > start;
  }
}

/** Start and end offsets of every top-level `"model"` value; undefined when the text is no JSON object. */
function topLevelModelSpans(text: string): Array<[start: number, end: number]> | undefined {
  const cursor = new JsonSkipper(text);
  if (text.charCodeAt(0) === 0xfeff) cursor.at = 1;
  cursor.whitespace();
  if (cursor.code() !== OPEN_BRACE) return undefined;
  cursor.at++;
  cursor.whitespace();
  const spans: Array<[number, number]> = [];
  if (cursor.code() === CLOSE_BRACE) return spans;
  for (;;) {
    if (cursor.code() !== QUOTE) return undefined;
    const keyStart = cursor.at;
    if (!cursor.string()) return undefined;
    const rawKey = text.slice(keyStart, cursor.at);
    // A key may spell "model" with escapes; only then is it worth parsing.
    const isModel =
      rawKey === '"model"' || (rawKey.includes("\\") && parseJsonOrUndefined(rawKey) === "model");
    cursor.whitespace();
    if (cursor.code() !== COLON) return undefined;
    cursor.at++;
    cursor.whitespace();
    const valueStart = cursor.at;
    if (!cursor.value()) return undefined;
    if (isModel) spans.push([valueStart, cursor.at]);
    cursor.whitespace();
    const separator = cursor.code();
    cursor.at++;
    if (separator === CLOSE_BRACE) break;
    if (separator !== COMMA) return undefined;
    cursor.whitespace();
  }
  cursor.whitespace();
  return cursor.at === text.length ? spans : undefined;
}

/**
 * The body with its top-level `"model"` value replaced (every one, should the key repeat, so
 * that any JSON reader sees the new model). Nested `model` keys, every other byte, and bodies
 * without a top-level model or that are no JSON object come back unchanged.
 */
export function rewriteModel(body: string, model: string): string {
  const spans = topLevelModelSpans(body);
  if (spans === undefined || spans.length === 0) return body;
  const replacement = JSON.stringify(model);
  let rewritten = "";
  let copied = 0;
  for (const [start, end] of spans) {
    rewritten += body.slice(copied, start) + replacement;
    copied = end;
  }
  return rewritten + body.slice(copied);
}
