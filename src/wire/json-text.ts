/**
 * Character codes for scanning JSON text without parsing it, as the streamed-array splitter
 * (Gemini) and the passthrough model rewrite do.
 */

export const QUOTE = 34;
export const COMMA = 44;
export const COLON = 58;
export const OPEN_BRACKET = 91;
export const BACKSLASH = 92;
export const CLOSE_BRACKET = 93;
export const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;

/** JSON's four whitespace characters: space, line feed, carriage return, tab. */
export function isJsonWhitespace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}
