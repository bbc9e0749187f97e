/**
 * Codec for Ollama's native chat API (`POST /api/chat`): absent `stream` means streaming;
 * images are bare base64; tool-call arguments are JSON objects and calls carry no ids (made up
 * on the way in); streams are NDJSON ending with the one `done: true` line.
 */
import type { Codec } from "../codec.ts";
import { decodeRequest, encodeRequest } from "./request.ts";
import { decodeError, decodeResponse, encodeError, encodeResponse } from "./response.ts";
import { OllamaStreamDecoder, OllamaStreamEncoder } from "./stream.ts";

export const ollamaCodec: Codec = {
  dialect: "ollama",
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  decodeStream: () => new OllamaStreamDecoder(),
  encodeStream: (context) => new OllamaStreamEncoder(context),
  encodeError,
  decodeError,
};
