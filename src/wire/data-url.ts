/**
 * `data:` URLs, the way OpenAI-style APIs inline media (`data:image/png;base64,...`), to and
 * from the IR's separate media type and base64 payload.
 */

/** The media type and base64 payload of a base64 `data:` URL; undefined for anything else. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  if (!url.startsWith("data:")) return undefined;
  const comma = url.indexOf(",");
  if (comma === -1) return undefined;
  const header = url.slice(5, comma);
  if (!header.endsWith(";base64")) return undefined;
  const mediaType = header.slice(0, -7).split(";")[0] || "application/octet-stream";
  return { mediaType, data: url.slice(comma + 1) };
}

export function toDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}
