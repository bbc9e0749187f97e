/**
 * The translation engine's public face for the gateway: the codec of each dialect, dialect
 * detection, the error type, the web-stream adapters and the passthrough helpers. Code outside
 * src/wire imports from here only.
 */
import { anthropicCodec } from "./anthropic/index.ts";
import type { Codec } from "./codec.ts";
import { geminiCodec } from "./gemini/index.ts";
import type { Dialect } from "./ir.ts";
import { ollamaCodec } from "./ollama/index.ts";
import { openaiChatCodec } from "./openai-chat/index.ts";
import { openaiResponsesCodec } from "./openai-responses/index.ts";

export const CODECS: Readonly<Record<Dialect, Codec>> = {
  "openai-chat": openaiChatCodec,
  "openai-responses": openaiResponsesCodec,
  anthropic: anthropicCodec,
  gemini: geminiCodec,
  ollama: ollamaCodec,
};

export function codecFor(dialect: Dialect): Codec {
  return CODECS[dialect];
}

export {
  ANTHROPIC_API_VERSION,
  type AnthropicRequestOptions,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  encodeAnthropicRequest,
} from "./anthropic/index.ts";
export type {
  Codec,
  EncodeContext,
  ErrorBody,
  RequestContext,
  StreamDecoder,
  StreamEncoder,
} from "./codec.ts";
export { detect } from "./detect.ts";
export { errorTypeForStatus, invalidField, WireError } from "./errors.ts";
export * from "./ir.ts";
export { rewriteModel, wholeStreamEvents } from "./passthrough.ts";
export { budgetForEffort, effortForBudget } from "./reasoning.ts";
export { decoderStream, encoderStream } from "./streams.ts";
export { anthropicCodec, geminiCodec, ollamaCodec, openaiChatCodec, openaiResponsesCodec };
