/**
 * The one error type the translation engine throws. It carries what every dialect's error
 * envelope needs (an IRError); each codec's `encodeError` turns it into that dialect's body.
 */
import type { IRError, IRErrorType } from "./ir.ts";

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
