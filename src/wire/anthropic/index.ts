/**
 * The `anthropic` dialect: Anthropic Messages (POST /v1/messages).
 */
import type { Codec } from "../codec.ts";
import { decodeError, encodeError } from "./errors.ts";
import { decodeRequest, encodeRequest } from "./request.ts";
import { decodeResponse, encodeResponse } from "./response.ts";
import { AnthropicStreamDecoder, AnthropicStreamEncoder } from "./stream.ts";

export const anthropicCodec: Codec = {
  dialect: "anthropic",
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  decodeStream: () => new AnthropicStreamDecoder(),
  encodeStream: (context) => new AnthropicStreamEncoder(context),
  encodeError,
  decodeError,
};

export {
  ANTHROPIC_API_VERSION,
  type AnthropicRequestOptions,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  encodeRequest as encodeAnthropicRequest,
} from "./request.ts";
export { AnthropicStreamDecoder, AnthropicStreamEncoder };
