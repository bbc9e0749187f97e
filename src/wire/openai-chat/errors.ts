/**
 * OpenAI error envelopes, `{error:{message,type,param,code}}`, for whole responses and for the
 * error chunk of a stream, and the way back from an upstream's error body.
 */
import type { ErrorBody } from "../codec.ts";
import { errorTypeForStatus } from "../errors.ts";
import type { IRError, IRErrorType } from "../ir.ts";
import { isObject, type JsonObject, stringField } from "../json.ts";

const OPENAI_TYPE: Record<IRErrorType, string> = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  request_too_large: "invalid_request_error",
  rate_limit: "rate_limit_error",
  api_error: "server_error",
  overloaded: "server_error",
  timeout: "server_error",
};

const IR_TYPE: Record<string, IRErrorType> = {
  invalid_request_error: "invalid_request",
  authentication_error: "authentication",
  permission_error: "permission",
  not_found_error: "not_found",
  rate_limit_error: "rate_limit",
  insufficient_quota: "rate_limit",
  server_error: "api_error",
  api_error: "api_error",
  overloaded_error: "overloaded",
};

export function errorObject(error: IRError): JsonObject {
  return {
    message: error.message,
    type: OPENAI_TYPE[error.type],
    param: error.param ?? null,
    code: error.code ?? null,
  };
}

export function encodeError(error: IRError): ErrorBody {
  return { status: error.status, body: { error: errorObject(error) } };
}

/**
 * An upstream error body: OpenAI's envelope, or the `{error:"..."}` / `{message}` shapes some
 * compatible servers send. A specific HTTP status (401, 404, 429 …) outranks the body's type.
 */
export function decodeError(status: number, body: unknown): IRError {
  const envelope = isObject(body) ? body : undefined;
  const inner = isObject(envelope?.error) ? envelope.error : envelope;
  const message =
    stringField(inner, "message") ??
    stringField(envelope, "error") ??
    (typeof body === "string" && body !== "" ? body : `upstream answered HTTP ${status}`);
  const byStatus = errorTypeForStatus(status);
  const declared = IR_TYPE[stringField(inner, "type") ?? stringField(inner, "code") ?? ""];
  const error: IRError = {
    type: byStatus === "invalid_request" || byStatus === "api_error" ? (declared ?? byStatus) : byStatus,
    message,
    status,
  };
  const param = stringField(inner, "param");
  if (param !== undefined) error.param = param;
  const code = inner?.code;
  if (typeof code === "string") error.code = code;
  else if (typeof code === "number") error.code = String(code);
  return error;
}
