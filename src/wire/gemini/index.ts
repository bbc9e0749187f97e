/**
 * Codec for the Gemini API's `models/{model}:generateContent` and `:streamGenerateContent`
 * (SSE with `alt=sse`, a streamed JSON array without). Model and streaming come from the URL,
 * which the caller passes as `RequestContext`; the encoder's framing comes from `EncodeContext`.
 */
import type { Codec } from "../codec.ts";
import { decodeError, encodeError } from "./errors.ts";
import { decodeRequest, encodeRequest } from "./request.ts";
import { decodeResponse, encodeResponse } from "./response.ts";
import { GeminiStreamDecoder, GeminiStreamEncoder } from "./stream.ts";

export const geminiCodec: Codec = {
  dialect: "gemini",
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse: (response, context) => encodeResponse(response, context.model),
  decodeStream: () => new GeminiStreamDecoder(),
  encodeStream: (context) => new GeminiStreamEncoder(context),
  encodeError,
  decodeError,
};
