/**
 * The one error type the translation engine throws. It carries what every dialect's error
 * envelope needs (an IRError); each codec's `encodeError` turns it into that dialect's body.
 *
 * Field paths (`param`) name a field of the request the client sent, in its own dialect's
 * spelling: decoders name the field they are reading (`contents[0].parts[1]`).
 * Encoders see only the IR, so decoders record where each IR part (and the sampling fields
 * that encoders may refuse) came from, and encoders name that (`clientField`). IR that no
 * decoder produced (built by the gateway or a test) is named by its path in the IR itself:
 * `messages[i].parts[j]`, `.content[k]` inside a tool result, `sampling.stop`.
 */
import type { IRError, IRErrorType, IRFileIdSource, IRFileStore } from "./ir.ts";

const STATUS_OF: Record<IRErrorType, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  request_too_large: 413,
  rate_limit: 429,
  api_error: 500,
  timeout: 504,
  overloaded: 503,
};

export class WireError extends Error {
  readonly error: IRError;

  constructor(
    type: IRErrorType,
    message: string,
    options: { param?: string; code?: string; status?: number } = {},
  ) {
    super(message);
    this.name = "WireError";
    this.error = { type, message, status: options.status ?? STATUS_OF[type], ...pick(options) };
  }
}

function pick(options: { param?: string; code?: string }): Pick<IRError, "param" | "code"> {
  const picked: Pick<IRError, "param" | "code"> = {};
  if (options.param !== undefined) picked.param = options.param;
  if (options.code !== undefined) picked.code = options.code;
  return picked;
}

/** A 400 that names the field at fault. */
export function invalidField(param: string, message: string): WireError {
  return new WireError("invalid_request", `${param}: ${message}`, { param });
}

const STORE_NAME: Readonly<Record<IRFileStore, string>> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  gemini: "Gemini",
};

/** The id of a file in `reader`'s own Files API; a file another provider stores is a 400 at `path`. */
export function ownFileId(source: IRFileIdSource, reader: IRFileStore, path: string): string {
  if (source.store === reader) return source.fileId;
  throw invalidField(
    path,
    `refers to a file stored at ${STORE_NAME[source.store]}, which ${STORE_NAME[reader]} cannot read`,
  );
}

/** Client field paths of IR objects, by the object; weak, so the IR is all that keeps them alive. */
const CLIENT_FIELDS = new WeakMap<object, Map<string, string>>();

/**
 * Decoders: `node` (an IR part, or the IR's sampling) was read from `path` of the client's
 * request; with `key`, it is the node's field `key` that was (`arguments` of a tool call).
 */
export function recordClientField<T extends object>(node: T, path: string, key = ""): T {
  let fields = CLIENT_FIELDS.get(node);
  if (fields === undefined) {
    fields = new Map();
    CLIENT_FIELDS.set(node, fields);
  }
  fields.set(key, path);
  return node;
}

/**
 * Encoders: the client's field for `node` (for its field `key` if recorded, else the node's
 * own), or `irPath` when no decoder recorded one.
 */
export function clientField(node: object, irPath: string, key = ""): string {
  const fields = CLIENT_FIELDS.get(node);
  return fields?.get(key) ?? fields?.get("") ?? irPath;
}

/** The IRErrorType an HTTP status most likely means, for upstream errors we cannot parse. */
export function errorTypeForStatus(status: number): IRErrorType {
  if (status === 401) return "authentication";
  if (status === 403) return "permission";
  if (status === 404) return "not_found";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit";
  if (status === 503 || status === 529) return "overloaded";
  if (status === 504 || status === 408) return "timeout";
  if (status >= 400 && status < 500) return "invalid_request";
  return "api_error";
}
