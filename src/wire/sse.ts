/**
 * Server-sent events framing: an incremental parser for upstream bodies and the encoder for
 * client streams. Any chunk boundary is fine, including one inside a UTF-8 sequence or between
 * the CR and LF of a line ending; only the unfinished line is ever buffered.
 */

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

/** One SSE frame; multi-line data is split into one `data:` line each, as the format requires. */
export function sseFrame(data: string, event?: string): string {
  const head = event === undefined ? "" : `event: ${event}\n`;
  if (data.indexOf("\n") === -1 && data.indexOf("\r") === -1) return `${head}data: ${data}\n\n`;
  return `${head}${data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join("")}\n`;
}
