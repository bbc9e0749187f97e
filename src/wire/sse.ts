/**
 * Server-sent events framing: an incremental parser for upstream bodies, the base of the
 * stream decoders that read SSE, and the frame writer for client streams. Any chunk boundary
 * is fine, including one inside a UTF-8 sequence or between the CR and LF of a line ending;
 * only the unfinished line is ever buffered.
 */
import type { StreamDecoder } from "./codec.ts";
import type { IRStreamEvent } from "./ir.ts";
import { streamTruncated } from "./upstream-errors.ts";

export interface SseEvent {
  /** The `event:` field, or undefined for the default `message` type. */
  event?: string;
  data: string;
  id?: string;
}

export class SseParser {
  private readonly decoder = new TextDecoder();
  private pending = "";
  private dataLines: string[] = [];
  private eventName: string | undefined;
  private eventId: string | undefined;
  private sawField = false;
  /** A CR ended the last chunk: a LF at the start of the next one belongs to it. */
  private skipLeadingLf = false;

  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.skipLeadingLf && text.startsWith("\n")) text = text.slice(1);
    this.skipLeadingLf = false;
    const events: SseEvent[] = [];
    let buffer = this.pending + text;
    let start = 0;
    for (;;) {
      const lf = buffer.indexOf("\n", start);
      const cr = buffer.indexOf("\r", start);
      if (lf === -1 && cr === -1) break;
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        if (cr + 1 === buffer.length) {
          next = cr + 1;
          this.skipLeadingLf = true;
        } else next = buffer[cr + 1] === "\n" ? cr + 2 : cr + 1;
      } else {
        end = lf;
        next = lf + 1;
      }
      this.line(buffer.slice(start, end), events);
      start = next;
    }
    buffer = buffer.slice(start);
    this.pending = buffer;
    return events;
  }

  /** The body ended: a last event without its blank line still counts. */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    const rest = this.pending + this.decoder.decode();
    this.pending = "";
    if (rest.length > 0) this.line(rest, events);
    this.line("", events);
    return events;
  }

  private line(line: string, events: SseEvent[]): void {
    if (line === "") {
      if (this.sawField) {
        const event: SseEvent = { data: this.dataLines.join("\n") };
        if (this.eventName !== undefined) event.event = this.eventName;
        if (this.eventId !== undefined) event.id = this.eventId;
        events.push(event);
      }
      this.dataLines = [];
      this.eventName = undefined;
      this.eventId = undefined;
      this.sawField = false;
      return;
    }
    if (line.charCodeAt(0) === 58 /* ":" comment */) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") {
      this.dataLines.push(value);
      this.sawField = true;
    } else if (field === "event") {
      this.eventName = value;
      this.sawField = true;
    } else if (field === "id") {
      this.eventId = value;
      this.sawField = true;
    }
  }
}

/**
 * The decoding every SSE dialect (OpenAI chat, Responses, Anthropic) shares: each event's data
 * goes to `frame` until the stream ends or fails, and a body that stops first is truncated.
 */
export abstract class SseStreamDecoder implements StreamDecoder {
  private readonly sse = new SseParser();
  /** The terminator came, or the stream failed: what follows is ignored. */
  protected ended = false;

  /** `terminator` names what a complete stream ends with, for the truncation error. */
  constructor(private readonly terminator: string) {}

  push(chunk: Uint8Array | string): IRStreamEvent[] {
    return this.frames(this.sse.push(chunk));
  }

  end(): IRStreamEvent[] {
    const events = this.frames(this.sse.end());
    if (!this.ended) this.fail(streamTruncated(this.terminator), events);
    return events;
  }

  /** One event's data: pushes the IR events it completes. */
  protected abstract frame(data: string, events: IRStreamEvent[]): void;

  /** Ends the stream with `error`. */
  protected fail(error: IRStreamEvent, events: IRStreamEvent[]): void {
    this.ended = true;
    events.push(error);
  }

  private frames(frames: SseEvent[]): IRStreamEvent[] {
    const events: IRStreamEvent[] = [];
    for (const frame of frames) if (!this.ended) this.frame(frame.data, events);
    return events;
  }
}

const LF = 10;
const CR = 13;

/** How many bytes of `bytes` are whole events: up to and including the last blank line, or 0. */
export function wholeSseEvents(bytes: Uint8Array): number {
  const ends = (at: number) => bytes[at] === LF || bytes[at] === CR;
  for (let at = bytes.length - 1; at >= 1; at--) {
    // A line ending right after another ends an event; a LF after a CR is the rest of that CR's ending.
    if (bytes[at] === CR && ends(at - 1)) return at + 1;
    if (bytes[at] === LF && (bytes[at - 1] === LF || (bytes[at - 1] === CR && at >= 2 && ends(at - 2))))
      return at + 1;
  }
  return 0;
}

/** One SSE frame whose data is JSON text (or `[DONE]`), which never holds a line break: one `data:` line. */
export function sseFrame(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}
