/**
 * Codec for the OpenAI Responses API (`POST /v1/responses`): requests, `response` objects and
 * typed SSE streams. Errors use OpenAI's `{error:{message,type,param,code}}` envelope, shared
 * with Chat Completions.
 */
import type { Codec } from "../codec.ts";
import { decodeError, encodeError } from "../openai-chat/errors.ts";
import { decodeRequest, encodeRequest } from "./request.ts";
import { decodeResponse, encodeResponse } from "./response.ts";
import { ResponsesStreamDecoder, ResponsesStreamEncoder } from "./stream.ts";

export const openaiResponsesCodec: Codec = {
  dialect: "openai-responses",
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  decodeStream: () => new ResponsesStreamDecoder(),
  encodeStream: (context) => new ResponsesStreamEncoder(context),
  encodeError,
  decodeError,
};
