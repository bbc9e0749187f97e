/** Ollama non-streaming `/api/chat` answers and error bodies ↔ IR. */
import type { EncodeContext, ErrorBody } from "../codec.ts";
import { errorTypeForStatus, WireError } from "../errors.ts";
import { randomId } from "../ids.ts";
import type { IRError, IRResponse } from "../ir.ts";
import { argumentsObject, isObject, type JsonObject } from "../json.ts";
import { joinText } from "../parts.ts";
import { invalidToolArguments, malformedUpstream } from "../upstream-errors.ts";
import {
  assistantParts,
  decodeCreated,
  decodeDoneReason,
  decodeUsage,
  doneFields,
  encodeCreated,
  toolCall,
} from "./common.ts";

export function decodeResponse(body: unknown): IRResponse {
  if (!isObject(body)) throw malformedUpstream("the body is not a JSON object");
  if (typeof body.error === "string") throw new WireError("api_error", body.error, { status: 502 });
  const parts = assistantParts(isObject(body.message) ? body.message : {}, "message");
  return {
    id: randomId("ollama-"),
    model: typeof body.model === "string" ? body.model : "",
    created: decodeCreated(body.created_at),
    parts,
    stopReason: decodeDoneReason(
      body.done_reason,
      parts.some((part) => part.type === "tool_call"),
    ),
    usage: decodeUsage(body),
  };
}

export function encodeResponse(response: IRResponse, context: EncodeContext): JsonObject {
  const message: JsonObject = { role: "assistant", content: joinText(response.parts, "\n") };
  let thinking = "";
  const images: string[] = [];
  const toolCalls: JsonObject[] = [];
  for (const part of response.parts) {
    if (part.type === "reasoning") thinking += part.text;
    else if (part.type === "image" && part.source.kind === "base64") images.push(part.source.data);
    else if (part.type === "tool_call") {
      const args = argumentsObject(part.arguments);
      if (args === undefined) throw invalidToolArguments(part.name);
      toolCalls.push(toolCall(part.name, args));
    }
  }
  if (thinking !== "") message.thinking = thinking;
  if (images.length > 0) message.images = images;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    model: context.model,
    created_at: encodeCreated(response.created),
    message,
    ...doneFields(response.stopReason, response.usage),
  };
}

export function encodeError(error: IRError): ErrorBody {
  return { status: error.status, body: { error: error.message } };
}

export function decodeError(status: number, body: unknown): IRError {
  let message = `Ollama answered with status ${status}`;
  if (isObject(body) && typeof body.error === "string") message = body.error;
  else if (typeof body === "string" && body !== "") message = body;
  return { type: errorTypeForStatus(status), message, status };
}
