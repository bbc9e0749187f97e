/**
 * Newline-delimited JSON framing (Ollama streams): an incremental line splitter that yields
 * parsed values, and the encoder. Only the unfinished line is buffered.
 */
import { WireError } from "./errors.ts";

export class NdjsonParser {
  private readonly decoder = new TextDecoder();
  private pending = "";

  push(chunk: Uint8Array | string): unknown[] {
    const text =
      this.pending + (typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true }));
    const values: unknown[] = [];
    let start = 0;
    for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", start)) {
      parseLine(text.slice(start, newline), values);
      start = newline + 1;
    }
    this.pending = text.slice(start);
    return values;
  }

  end(): unknown[] {
    const values: unknown[] = [];
    parseLine(this.pending + this.decoder.decode(), values);
    this.pending = "";
    return values;
  }
}

function parseLine(line: string, into: unknown[]): void {
  const trimmed = line.trim();
  if (trimmed === "") return;
  try {
    into.push(JSON.parse(trimmed));
  } catch {
    throw new WireError("api_error", `malformed NDJSON line: ${trimmed.slice(0, 80)}`, {
      code: "malformed_stream",
    });
  }
}

export function ndjsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
