/**
 * Same dialect on both sides: the request and the answer pass through as bytes, with only the
 * edits documented here.
 * - `rewriteModel` swaps the top-level `"model"` value of a JSON request body and leaves every
 *   other byte alone (unknown fields, key order, number spelling, whitespace).
 * - `usageTap` watches a passing stream for the usage (and stop reason) that the gateway
 *   records, without touching the bytes. It is on the hot path, so it looks for usage-bearing
 *   frames with plain substring searches and `JSON.parse`s only those.
 */
import {
  countsToUsage,
  decodeStopReason as decodeAnthropicStop,
  emptyCounts,
  mergeCounts,
} from "./anthropic/response.ts";
import { JsonArraySplitter } from "./gemini/json-array.ts";
import {
  decodeFinishReason as decodeGeminiFinish,
  decodeUsage as decodeGeminiUsage,
  firstCandidate,
} from "./gemini/response.ts";
import type { Dialect, IRStopReason, IRUsage } from "./ir.ts";
import { isObject, type JsonObject, objectField, parseJsonOrUndefined, stringField } from "./json.ts";
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
import { decodeDoneReason as decodeOllamaDone, decodeUsage as decodeOllamaUsage } from "./ollama/common.ts";
import {
  decodeFinishReason as decodeChatFinish,
  decodeUsage as decodeChatUsage,
  firstChoice,
} from "./openai-chat/response.ts";
import {
  decodeStop as decodeResponsesStop,
  decodeUsage as decodeResponsesUsage,
} from "./openai-responses/response.ts";

// ---------------------------------------------------------------------------------------------
// rewriteModel

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

// ---------------------------------------------------------------------------------------------
// usageTap

export interface TapResult {
  usage?: IRUsage;
  stopReason?: IRStopReason;
}

export interface UsageTap {
  /** Look at the next bytes of the stream; they are not changed, and need not be whole frames. */
  push(chunk: Uint8Array | string): void;
  /** The stream ended. */
  end(): void;
  /** What the stream has said so far: usage and stop reason, each once it has appeared. */
  result(): TapResult;
}

/** A JSON key and the first character its value must have (`{` for an object, `"` for a string, …). */
type Marker = readonly [key: string, valueStart: string];

interface FrameReader {
  read(frame: JsonObject): void;
  result(sawToolCall: boolean): TapResult;
}

interface TapSpec {
  /** Only frames holding one of these keys, with such a value, are parsed. */
  parseOn: readonly Marker[];
  /** A frame holding this key shows a tool call; that needs no parsing. */
  toolCallOn?: Marker;
  /** Every marked frame repeats the running totals, so only the last one is parsed, when asked. */
  lastOnly?: boolean;
  reader(): FrameReader;
}

function stopFrom(finish: unknown, decode: (finish: unknown) => IRStopReason): IRStopReason | undefined {
  return finish === undefined ? undefined : decode(finish);
}

const SPECS: Record<Dialect, TapSpec> = {
  // Usage comes on a last `choices: []` chunk (or in Groq's x_groq); every chunk has `"usage":null` once asked for.
  "openai-chat": {
    parseOn: [
      ["usage", "{"],
      ["finish_reason", '"'],
    ],
    toolCallOn: ["tool_calls", "["],
    reader() {
      let usage: IRUsage | undefined;
      let finish: unknown;
      return {
        read(chunk) {
          usage =
            decodeChatUsage(chunk.usage) ??
            decodeChatUsage(objectField(objectField(chunk, "x_groq"), "usage")) ??
            usage;
          const choice = Array.isArray(chunk.choices) ? firstChoice(chunk.choices) : undefined;
          const reason = stringField(choice, "finish_reason");
          if (reason !== undefined) finish = reason;
        },
        result: (sawToolCall) => ({
          usage,
          stopReason: stopFrom(finish, (reason) => decodeChatFinish(reason, sawToolCall)),
        }),
      };
    },
  },
  // message_start has the input counts, message_delta the output counts and the stop reason.
  anthropic: {
    parseOn: [["usage", "{"]],
    reader() {
      const counts = emptyCounts();
      let counted = false;
      let finish: unknown;
      return {
        read(event) {
          const usage =
            event.type === "message_start"
              ? objectField(objectField(event, "message"), "usage")
              : objectField(event, "usage");
          if (usage === undefined) return;
          counted = true;
          mergeCounts(counts, usage);
          const reason = objectField(event, "delta")?.stop_reason;
          if (typeof reason === "string") finish = reason;
        },
        result: () => ({
          usage: counted ? countsToUsage(counts) : undefined,
          stopReason: stopFrom(finish, decodeAnthropicStop),
        }),
      };
    },
  },
  // Only the finished `response` (response.completed / incomplete / failed) has a usage object.
  "openai-responses": {
    parseOn: [["usage", "{"]],
    reader() {
      let found: TapResult = {};
      return {
        read(event) {
          const response = objectField(event, "response");
          if (response === undefined) return;
          const output = Array.isArray(response.output) ? response.output.filter(isObject) : [];
          const sawToolCall = output.some((item) => item.type === "function_call");
          const sawRefusal = output.some(
            (item) =>
              Array.isArray(item.content) &&
              item.content.some((part) => isObject(part) && part.type === "refusal"),
          );
          found = {
            usage: decodeResponsesUsage(response.usage),
            stopReason: decodeResponsesStop(response, sawToolCall, sawRefusal),
          };
        },
        result: () => found,
      };
    },
  },
  gemini: {
    parseOn: [["usageMetadata", "{"]],
    toolCallOn: ["functionCall", "{"],
    lastOnly: true,
    reader() {
      let usage: IRUsage | undefined;
      let finish: string | undefined;
      return {
        read(chunk) {
          usage = decodeGeminiUsage(chunk.usageMetadata) ?? usage;
          finish = stringField(firstCandidate(chunk), "finishReason") ?? finish;
        },
        result: (sawToolCall) => ({
          usage,
          stopReason: stopFrom(finish, (reason) => decodeGeminiFinish(String(reason), sawToolCall)),
        }),
      };
    },
  },
  // The one `done: true` line has the counts.
  ollama: {
    parseOn: [["done", "t"]],
    toolCallOn: ["tool_calls", "["],
    reader() {
      let done: JsonObject | undefined;
      return {
        read(line) {
          done = line;
        },
        result: (sawToolCall) =>
          done === undefined
            ? {}
            : { usage: decodeOllamaUsage(done), stopReason: decodeOllamaDone(done.done_reason, sawToolCall) },
      };
    },
  },
};

function skipWhitespace(text: string, at: number): number {
  while (isJsonWhitespace(text.charCodeAt(at))) at++;
  return at;
}

/** Offsets where `"key": <valueStart>` occurs in text[from, limit). */
function markerHits(
  text: string,
  from: number,
  limit: number,
  [key, valueStart]: Marker,
  into: number[],
): void {
  const needle = `"${key}"`;
  for (
    let at = text.indexOf(needle, from);
    at !== -1 && at < limit;
    at = text.indexOf(needle, at + needle.length)
  ) {
    const colon = skipWhitespace(text, at + needle.length);
    if (text.charCodeAt(colon) !== COLON) continue;
    if (text[skipWhitespace(text, colon + 1)] === valueStart) into.push(at);
  }
}

/** The dialect-independent part of a tap: decides which frames to parse and keeps what they said. */
class TapCore {
  private readonly reader: FrameReader;
  private sawToolCall = false;
  private lastFrame: string | undefined;

  constructor(private readonly spec: TapSpec) {
    this.reader = spec.reader();
  }

  /** Handle the complete lines in text[0, limit) (limit is just past a newline) that carry a marker. */
  lines(text: string, limit: number, sse: boolean): void {
    this.noteToolCall(text, limit);
    const hits: number[] = [];
    for (const marker of this.spec.parseOn) markerHits(text, 0, limit, marker, hits);
    if (hits.length > 1) hits.sort((a, b) => a - b);
    let handledUpTo = 0;
    for (const hit of hits) {
      if (hit < handledUpTo) continue;
      const lineStart = text.lastIndexOf("\n", hit) + 1;
      const lineEnd = text.indexOf("\n", hit);
      handledUpTo = lineEnd;
      let line = text.slice(lineStart, lineEnd);
      if (sse) {
        if (!line.startsWith("data:")) continue;
        line = line.slice(5);
      }
      this.frame(line);
    }
  }

  /** Handle one whole frame (a JSON array element) if it carries a marker. */
  element(text: string): void {
    this.noteToolCall(text, text.length);
    const hits: number[] = [];
    for (const marker of this.spec.parseOn) markerHits(text, 0, text.length, marker, hits);
    if (hits.length > 0) this.frame(text);
  }

  result(): TapResult {
    if (this.lastFrame !== undefined) {
      this.parse(this.lastFrame);
      this.lastFrame = undefined;
    }
    return this.reader.result(this.sawToolCall);
  }

  private noteToolCall(text: string, limit: number): void {
    if (this.sawToolCall || this.spec.toolCallOn === undefined) return;
    const hits: number[] = [];
    markerHits(text, 0, limit, this.spec.toolCallOn, hits);
    this.sawToolCall = hits.length > 0;
  }

  private frame(json: string): void {
    if (this.spec.lastOnly) this.lastFrame = json;
    else this.parse(json);
  }

  private parse(json: string): void {
    const frame = parseJsonOrUndefined(json);
    if (isObject(frame)) this.reader.read(frame);
  }
}

/** Cuts decoded stream text into frames for the core. */
interface Framer {
  push(text: string): void;
  /** The stream ended: flush a last frame that had no terminator. */
  end?(): void;
}

/** SSE and NDJSON: frames are lines; only the unfinished last line is kept between chunks. */
class LineFramer implements Framer {
  private pending = "";

  constructor(
    private readonly core: TapCore,
    private readonly sse: boolean,
  ) {}

  push(chunk: string): void {
    const text = this.pending + chunk;
    const cut = text.lastIndexOf("\n") + 1;
    if (cut > 0) this.core.lines(text, cut, this.sse);
    this.pending = cut === 0 ? text : text.slice(cut);
  }

  end(): void {
    const rest = this.pending;
    this.pending = "";
    if (rest !== "") this.core.lines(`${rest}\n`, rest.length + 1, this.sse);
  }
}

/** Gemini without `alt=sse`: frames are the elements of one streamed JSON array. */
class ArrayFramer implements Framer {
  private readonly splitter = new JsonArraySplitter();

  constructor(private readonly core: TapCore) {}

  push(text: string): void {
    for (const element of this.splitter.push(text)) this.core.element(element);
  }
}

class StreamTap implements UsageTap {
  private readonly decoder = new TextDecoder();

  /** `framer` is undefined for Gemini until the first non-blank character shows `[` (JSON array) or SSE. */
  constructor(
    private readonly core: TapCore,
    private framer: Framer | undefined,
  ) {}

  push(chunk: Uint8Array | string): void {
    this.text(typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true }));
  }

  end(): void {
    this.text(this.decoder.decode());
    this.framer?.end?.();
  }

  result(): TapResult {
    return this.core.result();
  }

  private text(text: string): void {
    if (this.framer === undefined) {
      const first = text.search(/\S/);
      if (first === -1) return;
      this.framer = text[first] === "[" ? new ArrayFramer(this.core) : new LineFramer(this.core, true);
    }
    this.framer.push(text);
  }
}

/** A tap for a passthrough stream of `dialect`. Gemini's framing (SSE or JSON array) is read off the stream. */
export function usageTap(dialect: Dialect): UsageTap {
  const core = new TapCore(SPECS[dialect]);
  return new StreamTap(core, dialect === "gemini" ? undefined : new LineFramer(core, dialect !== "ollama"));
}

/** The bytes, unchanged, with `tap` looking on; `onEnd` hears the result when the stream ends. */
export function tapStream(
  tap: UsageTap,
  onEnd?: (result: TapResult) => void,
): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, controller) {
      tap.push(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      tap.end();
      onEnd?.(tap.result());
    },
  });
}

// ---------------------------------------------------------------------------------------------
// end watch

/** What the end of each dialect's stream holds when the stream ended the normal way. */
const TERMINATORS: Readonly<Record<Dialect, RegExp>> = {
  "openai-chat": /data: ?\[DONE\]/,
  "openai-responses": /response\.(completed|incomplete|failed)/,
  anthropic: /message_stop/,
  gemini: /"finishReason"/,
  ollama: /"done"\s*:\s*true/,
};

/** How much of the stream's end is kept to look for the terminator. */
const TAIL_BYTES = 8192;

/**
 * Watches a passthrough stream's last bytes, so that one which stops without its terminator is
 * not passed off as complete. Keeps references to the last chunks only; decodes once, at the end.
 */
export class EndWatch {
  private chunks: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly dialect: Dialect) {}

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.size += chunk.byteLength;
    while (this.chunks.length > 1 && this.size - this.chunks[0]!.byteLength >= TAIL_BYTES) {
      this.size -= this.chunks.shift()!.byteLength;
    }
  }

  /** Whether the stream so far ends the way a complete stream of this dialect does. */
  terminated(): boolean {
    const tail = new TextDecoder().decode(Buffer.concat(this.chunks)).slice(-TAIL_BYTES);
    return TERMINATORS[this.dialect].test(tail);
  }
}
