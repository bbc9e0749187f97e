/**
 * The `openai-chat` dialect: OpenAI Chat Completions (POST /v1/chat/completions), which most
 * OpenAI-compatible servers (DeepSeek, Groq, OpenRouter, vLLM …) also speak.
 */
import type { Codec } from "../codec.ts";
import { decodeError, encodeError } from "./errors.ts";
import { decodeRequest, encodeRequest } from "./request.ts";
import { decodeResponse, encodeResponse } from "./response.ts";
import { OpenAIChatStreamDecoder, OpenAIChatStreamEncoder } from "./stream.ts";

export const openaiChatCodec: Codec = {
  dialect: "openai-chat",
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  decodeStream: () => new OpenAIChatStreamDecoder(),
  encodeStream: (context) => new OpenAIChatStreamEncoder(context),
  encodeError,
  decodeError,
};

export { OpenAIChatStreamDecoder, OpenAIChatStreamEncoder };
