/**
 * Gemini's error envelope, `{error:{code,message,status}}` with a google.rpc status name, for
 * whole responses and in-stream error chunks, and the way back from an upstream error body.
 */
import type { ErrorBody } from "../codec.ts";
import { errorTypeForStatus } from "../errors.ts";
import type { IRError, IRErrorType } from "../ir.ts";
import { isObject, type JsonObject, numberField, stringField } from "../json.ts";

const RPC_STATUS: Record<IRErrorType, string> = {
  invalid_request: "INVALID_ARGUMENT",
  authentication: "UNAUTHENTICATED",
  permission: "PERMISSION_DENIED",
  not_found: "NOT_FOUND",
  request_too_large: "INVALID_ARGUMENT",
  rate_limit: "RESOURCE_EXHAUSTED",
  api_error: "INTERNAL",
  overloaded: "UNAVAILABLE",
  timeout: "DEADLINE_EXCEEDED",
};

const IR_TYPE: Readonly<Record<string, IRErrorType>> = {
  INVALID_ARGUMENT: "invalid_request",
  FAILED_PRECONDITION: "invalid_request",
  OUT_OF_RANGE: "invalid_request",
  UNAUTHENTICATED: "authentication",
  PERMISSION_DENIED: "permission",
  NOT_FOUND: "not_found",
  RESOURCE_EXHAUSTED: "rate_limit",
  INTERNAL: "api_error",
  UNKNOWN: "api_error",
  UNAVAILABLE: "overloaded",
  DEADLINE_EXCEEDED: "timeout",
};

export function errorObject(error: IRError): JsonObject {
  return { code: error.status, message: error.message, status: RPC_STATUS[error.type] };
}

export function encodeError(error: IRError): ErrorBody {
  return { status: error.status, body: { error: errorObject(error) } };
}

/** Gemini's envelope; streamed JSON-array bodies wrap it in an array. */
export function decodeError(status: number, body: unknown): IRError {
  const envelope = Array.isArray(body) ? body[0] : body;
  const inner = isObject(envelope) && isObject(envelope.error) ? envelope.error : undefined;
  const code = numberField(inner, "code") ?? status;
  const declared = IR_TYPE[stringField(inner, "status") ?? ""];
  const message =
    stringField(inner, "message") ??
    (typeof body === "string" && body !== "" ? body : `upstream answered HTTP ${status}`);
  return { type: declared ?? errorTypeForStatus(code), message, status };
}
