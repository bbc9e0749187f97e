/**
 * Newline-delimited JSON framing (Ollama streams): an incremental line splitter that yields
 * parsed values, and the encoder. Only the unfinished line is buffered. A line that is not JSON
 * ends the stream wherever the chunks were cut: the values before it are returned all the same,
 * and `malformed` says what was wrong; nothing after it is read.
 */
import { parseJsonOrUndefined } from "./json.ts";

export class NdjsonParser {
  private readonly decoder = new TextDecoder();
  private pending = "";
  /** Why the stream stopped making sense (the first line that is not JSON), once it has. */
  malformed: string | undefined;

  push(chunk: Uint8Array | string): unknown[] {
    const values: unknown[] = [];
    if (this.malformed !== undefined) return values;
    const text =
      this.pending + (typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true }));
    let start = 0;
    for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", start)) {
      if (!this.parseLine(text.slice(start, newline), values)) break;
      start = newline + 1;
    }
    this.pending = this.malformed === undefined ? text.slice(start) : "";
    return values;
  }

  end(): unknown[] {
    const values: unknown[] = [];
    if (this.malformed === undefined) this.parseLine(this.pending + this.decoder.decode(), values);
    this.pending = "";
    return values;
  }

  /** False when the line is not JSON. */
  private parseLine(line: string, into: unknown[]): boolean {
    const trimmed = line.trim();
    if (trimmed === "") return true;
    const value = parseJsonOrUndefined(trimmed);
    if (value === undefined) {
      this.malformed = `a line is not JSON: ${trimmed.slice(0, 80)}`;
      return false;
    }
    into.push(value);
    return true;
  }
}

/** How many bytes of `bytes` are whole lines: up to and including the last line feed, or 0. */
export function wholeNdjsonLines(bytes: Uint8Array): number {
  return bytes.lastIndexOf(10) + 1;
}

export function ndjsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
