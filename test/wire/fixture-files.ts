/**
 * Test helpers over test/wire/fixtures/<dialect>/: list and read the request, response and
 * stream fixtures of a dialect, and run a stream decoder over a body cut into chunks.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { StreamDecoder, StreamEncoder } from "../../src/wire/codec.ts";
import type { Dialect, IRStreamEvent } from "../../src/wire/ir.ts";

export const FIXTURES = join(import.meta.dir, "fixtures");

export type FixtureKind = "request" | "response" | "stream";

/** File names (e.g. `stream-text.txt`) of one kind of fixture, sorted; none when the folder is missing. */
export function fixtureFiles(dialect: Dialect, kind: FixtureKind): string[] {
  let files: string[];
  try {
    files = readdirSync(join(FIXTURES, dialect));
  } catch {
    return [];
  }
  const extension = kind === "stream" ? ".txt" : ".json";
  return files.filter((file) => file.startsWith(`${kind}-`) && file.endsWith(extension)).sort();
}

/** `request-text.json` → `text`. */
export function caseName(file: string): string {
  return file.slice(file.indexOf("-") + 1, file.lastIndexOf("."));
}

export function readFixture(dialect: Dialect, file: string): string {
  return readFileSync(join(FIXTURES, dialect, file), "utf8");
}

export function jsonFixture(dialect: Dialect, file: string): unknown {
  return JSON.parse(readFixture(dialect, file));
}

/** Decode `body` fed as the given chunks (strings or bytes), ending the stream after the last. */
export function decodeChunks(decoder: StreamDecoder, chunks: Array<string | Uint8Array>): IRStreamEvent[] {
  const events: IRStreamEvent[] = [];
  for (const chunk of chunks) events.push(...decoder.push(chunk));
  events.push(...decoder.end());
  return events;
}

/** Cut bytes at the given ascending positions. */
export function splitAt(bytes: Uint8Array, positions: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const position of positions) {
    chunks.push(bytes.subarray(start, position));
    start = position;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

export function encodeEvents(encoder: StreamEncoder, events: IRStreamEvent[]): string {
  let text = "";
  for (const event of events) text += encoder.push(event);
  return text + encoder.end();
}

/**
 * `value` with made-up identifiers replaced by their order of first appearance (`id#0`, `id#1`…),
 * so that two decodes of the same body compare equal although each invented fresh ids.
 */
export function withStableIds<T>(value: T): T {
  const seen = new Map<string, string>();
  const stable = (id: string) => {
    let name = seen.get(id);
    if (name === undefined) {
      name = `id#${seen.size}`;
      seen.set(id, name);
    }
    return name;
  };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== "object" || node === null) return node;
    const copy: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(node)) {
      copy[key] =
        (key === "id" || key === "toolCallId") && typeof entry === "string" ? stable(entry) : walk(entry);
    }
    return copy;
  };
  return walk(value) as T;
}
