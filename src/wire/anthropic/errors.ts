/**
 * Anthropic error envelopes, `{type:"error",error:{type,message}}`, for whole responses and for
 * the `error` event of a stream, and the way back from an upstream's error body.
 */
import type { ErrorBody } from "../codec.ts";
import { errorTypeForStatus, WireError } from "../errors.ts";
import type { IRError, IRErrorType } from "../ir.ts";
import { isObject, type JsonObject, stringField } from "../json.ts";

const ANTHROPIC_TYPE: Record<IRErrorType, string> = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  request_too_large: "request_too_large",
  rate_limit: "rate_limit_error",
  api_error: "api_error",
  overloaded: "overloaded_error",
  timeout: "timeout_error",
};

const IR_TYPE: Record<string, IRErrorType> = {
  invalid_request_error: "invalid_request",
  conflict_error: "invalid_request",
  authentication_error: "authentication",
  permission_error: "permission",
  billing_error: "permission",
  not_found_error: "not_found",
  request_too_large: "request_too_large",
  rate_limit_error: "rate_limit",
  api_error: "api_error",
  overloaded_error: "overloaded",
  timeout_error: "timeout",
};

export function errorEnvelope(error: IRError): JsonObject {
  return { type: "error", error: { type: ANTHROPIC_TYPE[error.type], message: error.message } };
}

export function encodeError(error: IRError): ErrorBody {
  return { status: error.status, body: errorEnvelope(error) };
}

export function decodeError(status: number, body: unknown): IRError {
  const inner = isObject(body) && isObject(body.error) ? body.error : undefined;
  const message =
    stringField(inner, "message") ??
    (typeof body === "string" && body !== "" ? body : `upstream answered HTTP ${status}`);
  return { type: IR_TYPE[stringField(inner, "type") ?? ""] ?? errorTypeForStatus(status), message, status };
}

/** An in-stream `error` event has no HTTP status; it gets the one its type usually comes with. */
export function decodeStreamError(body: unknown): IRError {
  const inner = isObject(body) && isObject(body.error) ? body.error : undefined;
  const type = IR_TYPE[stringField(inner, "type") ?? ""] ?? "api_error";
  return new WireError(type, stringField(inner, "message") ?? "upstream stream error").error;
}
