/**
 * The intermediate representation every dialect decodes into and encodes from.
 *
 * It is a superset of the five client APIs: whatever one dialect can say, the IR can hold,
 * so that a request crosses from any dialect to any other through exactly two codecs.
 * Conventions that every codec relies on:
 * - `usage.inputTokens` counts *all* prompt tokens, cached ones included (OpenAI's meaning);
 *   dialects that report uncached input separately (Anthropic) convert on the way in and out.
 * - Tool-call `arguments` are JSON text, never parsed objects, so that streamed fragments
 *   concatenate into exactly what the model produced.
 * - Output parts are numbered in the order the model produced them; stream events name the
 *   part they belong to by that `index`.
 */

export type Dialect = "openai-chat" | "openai-responses" | "anthropic" | "gemini" | "ollama";

export const DIALECTS: readonly Dialect[] = [
  "openai-chat",
  "openai-responses",
  "anthropic",
  "gemini",
  "ollama",
];

/** Anthropic-style prompt-cache breakpoint; other dialects drop it. */
export interface IRCacheHint {
  type: "ephemeral";
  ttl?: "5m" | "1h";
}

export type IRMediaSource =
  | { kind: "url"; url: string }
  | { kind: "base64"; mediaType: string; data: string };

/** Whose Files API holds a file: OpenAI's (Chat Completions and Responses share it), Anthropic's or Gemini's. */
export type IRFileStore = "openai" | "anthropic" | "gemini";

/**
 * A file uploaded to a provider's Files API, by its id (for Gemini, its `files/…` URI). Only
 * that provider can read it, so encoders for any other refuse it (400) rather than send an id
 * or a URL the upstream cannot resolve.
 */
export interface IRFileIdSource {
  kind: "file_id";
  fileId: string;
  store: IRFileStore;
  /** The media type the client gave with the reference (Gemini `fileData.mimeType`). */
  mediaType?: string;
}

export interface IRTextPart {
  type: "text";
  text: string;
  cache?: IRCacheHint;
  /** Gemini attaches thought signatures to ordinary parts too. */
  thoughtSignature?: string;
}

export interface IRImagePart {
  type: "image";
  source: IRMediaSource | IRFileIdSource;
  detail?: "auto" | "low" | "high";
  cache?: IRCacheHint;
}

/** A document (PDF, plain text …) given to the model as input. */
export interface IRFilePart {
  type: "file";
  source: IRMediaSource | IRFileIdSource;
  filename?: string;
  title?: string;
  cache?: IRCacheHint;
}

export interface IRToolCallPart {
  type: "tool_call";
  id: string;
  name: string;
  /** JSON text of the arguments object. */
  arguments: string;
  thoughtSignature?: string;
}

export interface IRToolResultPart {
  type: "tool_result";
  toolCallId: string;
  /** The called tool's name, where the dialect needs it (Gemini functionResponse). */
  name?: string;
  content: Array<IRTextPart | IRImagePart>;
  isError?: boolean;
  cache?: IRCacheHint;
}

export interface IRReasoningPart {
  type: "reasoning";
  text: string;
  /** Anthropic thinking signature. */
  signature?: string;
  /** Anthropic `redacted_thinking` data; `text` is empty when set. */
  redactedData?: string;
  /** OpenAI Responses reasoning item id and encrypted content, kept for round trips. */
  itemId?: string;
  encryptedContent?: string;
  thoughtSignature?: string;
}

export type IRPart =
  | IRTextPart
  | IRImagePart
  | IRFilePart
  | IRToolCallPart
  | IRToolResultPart
  | IRReasoningPart;

export interface IRMessage {
  /** `system` here is an instruction in the middle of a conversation; leading ones live in `IRRequest.system`. */
  role: "user" | "assistant" | "system";
  parts: IRPart[];
  name?: string;
}

export interface IRTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  strict?: boolean;
  cache?: IRCacheHint;
  /**
   * Set for a function an OpenAI Responses client declared inside a `namespace` tool: `name` is
   * then the flat name every upstream accepts (openai-responses/namespaces.ts), and this the
   * names the client calls it by.
   */
  namespaced?: { namespace: string; name: string };
}

export type IRToolChoice =
  | { type: "auto" }
  | { type: "none" }
  | { type: "required" }
  | { type: "tool"; name: string };

export type IRResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | {
      type: "json_schema";
      name: string;
      schema: Record<string, unknown>;
      strict?: boolean;
      description?: string;
    };

export type IRReasoningEffort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh";

export interface IRReasoningConfig {
  /** false: the client asked for no reasoning at all. */
  enabled?: boolean;
  effort?: IRReasoningEffort;
  budgetTokens?: number;
  /** Whether the client wants reasoning text back (Gemini includeThoughts, Responses summary). */
  includeThoughts?: boolean;
}

export interface IRSampling {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  n?: number;
}

export interface IRSystemPart {
  text: string;
  /** OpenAI distinguishes developer from system instructions. */
  kind?: "system" | "developer";
  cache?: IRCacheHint;
}

export interface IRRequest {
  model: string;
  system: IRSystemPart[];
  messages: IRMessage[];
  tools?: IRTool[];
  toolChoice?: IRToolChoice;
  parallelToolCalls?: boolean;
  sampling: IRSampling;
  responseFormat?: IRResponseFormat;
  reasoning?: IRReasoningConfig;
  stream: boolean;
  /** The client wants a usage report at the end of the stream (OpenAI `stream_options.include_usage`). */
  streamUsage?: boolean;
  user?: string;
  metadata?: Record<string, string>;
}

export type IRStopReason =
  | "end_turn"
  | "max_tokens"
  | "stop_sequence"
  | "tool_use"
  | "content_filter"
  | "pause_turn"
  | "refusal"
  | "error";

export interface IRUsage {
  /** All prompt tokens, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  /** Reasoning tokens, already counted in outputTokens. */
  reasoningTokens?: number;
  /** True when the upstream did not report usage and these are our estimate. */
  estimated?: boolean;
}

export interface IRResponse {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
  parts: IRPart[];
  stopReason: IRStopReason;
  stopSequence?: string;
  usage?: IRUsage;
}

export type IRErrorType =
  | "invalid_request"
  | "authentication"
  | "permission"
  | "not_found"
  | "request_too_large"
  | "rate_limit"
  | "api_error"
  | "overloaded"
  | "timeout";

export interface IRError {
  type: IRErrorType;
  message: string;
  /** HTTP status that goes with it. */
  status: number;
  /** The offending request field, when there is one. */
  param?: string;
  code?: string;
}

/**
 * One step of an answer as it streams. Every stream is `start`, then part events, then exactly
 * one `finish` or one `error`. `usage` may arrive on its own before `finish` or on `finish`.
 */
export type IRStreamEvent =
  | { type: "start"; id: string; model: string; created: number; usage?: IRUsage }
  | { type: "text_delta"; index: number; text: string }
  | { type: "reasoning_delta"; index: number; text: string }
  | { type: "reasoning_signature"; index: number; signature: string }
  | { type: "redacted_reasoning"; index: number; data: string }
  | { type: "tool_call_start"; index: number; id: string; name: string }
  | { type: "tool_call_delta"; index: number; argumentsDelta: string }
  | { type: "thought_signature"; index: number; signature: string }
  | { type: "part_end"; index: number }
  | { type: "usage"; usage: IRUsage }
  | { type: "finish"; stopReason: IRStopReason; stopSequence?: string; usage?: IRUsage }
  | { type: "error"; error: IRError };
