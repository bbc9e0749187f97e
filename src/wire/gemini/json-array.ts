/**
 * An incremental splitter for a streamed JSON array (`[{...}\n,\r\n{...}\n]`), the body
 * `streamGenerateContent` sends without `alt=sse`. It yields the text of each top-level
 * element as soon as its closing brace arrives, and buffers only the element in progress.
 */
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COMMA,
  isJsonWhitespace,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from "../json-text.ts";

export class JsonArraySplitter {
  /** 0 before `[`, 1 between elements, more inside an element. */
  private depth = 0;
  private inString = false;
  private escaped = false;
  private pending = "";
  /** The closing `]` arrived. */
  closed = false;
  /** Why the body is not a JSON array of objects, once it is known not to be. */
  malformed: string | undefined;

  push(text: string): string[] {
    const elements: string[] = [];
    if (this.malformed !== undefined) return elements;
    let start = this.depth > 1 ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (code === BACKSLASH) this.escaped = true;
        else if (code === QUOTE) this.inString = false;
        continue;
      }
      if (this.depth > 1) {
        if (code === QUOTE) this.inString = true;
        else if (code === OPEN_BRACE || code === OPEN_BRACKET) this.depth++;
        else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
          this.depth--;
          if (this.depth === 1) {
            elements.push(this.pending + text.slice(start, i + 1));
            this.pending = "";
            start = -1;
          }
        }
        continue;
      }
      if (isJsonWhitespace(code)) continue;
      if (this.depth === 0 && code === OPEN_BRACKET && !this.closed) this.depth = 1;
      else if (this.depth === 1 && code === OPEN_BRACE) {
        this.depth = 2;
        start = i;
      } else if (this.depth === 1 && code === COMMA) continue;
      else if (this.depth === 1 && code === CLOSE_BRACKET) {
        this.depth = 0;
        this.closed = true;
      } else {
        this.malformed = `unexpected ${JSON.stringify(text[i])} in a JSON array stream`;
        return elements;
      }
    }
    if (start !== -1) this.pending += text.slice(start);
    return elements;
  }
}
