/**
 * Errors for upstream answers that break off or stop making sense, so that a client never
 * mistakes a broken answer for a complete one: stream error events for decoders, and the
 * WireError for a non-streaming body that is not what the dialect promises.
 */
import { WireError } from "./errors.ts";
import type { IRStreamEvent } from "./ir.ts";

/** The upstream body ended before the dialect's terminator (`[DONE]`, `message_stop`, ...). */
export function streamTruncated(terminator: string): IRStreamEvent {
  return {
    type: "error",
    error: {
      type: "api_error",
      message: `upstream stream ended before ${terminator}`,
      status: 502,
      code: "stream_truncated",
    },
  };
}

/** An upstream stream frame that is not the JSON the dialect promises. */
export function streamMalformed(detail: string): IRStreamEvent {
  return {
    type: "error",
    error: {
      type: "api_error",
      message: `malformed upstream stream: ${detail}`,
      status: 502,
      code: "stream_malformed",
    },
  };
}

/** A non-streaming upstream body that is not the JSON the dialect promises (502: the fault is upstream). */
export function malformedUpstream(detail: string): WireError {
  return new WireError("api_error", `malformed upstream response: ${detail}`, {
    status: 502,
    code: "upstream_malformed",
  });
}

/** An upstream tool call whose arguments are no JSON object, for a client dialect that needs one (502). */
export function invalidToolArguments(name: string): WireError {
  return new WireError("api_error", `tool call ${name}: arguments are not a JSON object`, {
    status: 502,
    code: "invalid_tool_arguments",
  });
}
