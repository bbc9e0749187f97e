/**
 * Which dialect a request body is written in, for the translator playground: the request path
 * decides when it names an endpoint; otherwise the body's shape does, looking for the fields
 * only one dialect has. A body every dialect would read alike (a bare model + messages) counts
 * as OpenAI chat, the lingua franca.
 */
import type { Dialect } from "./ir.ts";
import { isObject, type JsonObject } from "./json.ts";

/** Endpoint path fragments, checked in order (`/v1/messages` before anything generic). */
const PATH_HINTS: ReadonlyArray<[fragment: string, dialect: Dialect]> = [
  ["/v1/messages", "anthropic"],
  [":generateContent", "gemini"],
  [":streamGenerateContent", "gemini"],
  ["/api/chat", "ollama"],
  ["/responses", "openai-responses"],
  ["/chat/completions", "openai-chat"],
];

export function detect(body: unknown, path?: string): Dialect | undefined {
  if (path !== undefined) {
    const query = path.indexOf("?");
    const pathname = query === -1 ? path : path.slice(0, query);
    for (const [fragment, dialect] of PATH_HINTS) if (pathname.includes(fragment)) return dialect;
  }
  if (!isObject(body)) return undefined;
  if (Array.isArray(body.contents)) return "gemini";
  if (body.input !== undefined || typeof body.instructions === "string") return "openai-responses";
  if (!Array.isArray(body.messages)) return undefined;
  const messages = body.messages.filter(isObject);
  if (looksAnthropic(body, messages)) return "anthropic";
  if (looksOllama(body, messages)) return "ollama";
  return "openai-chat";
}

/** Content block types only Anthropic has (OpenAI's are text, image_url, input_audio, file). */
const ANTHROPIC_BLOCKS: ReadonlySet<unknown> = new Set([
  "tool_use",
  "tool_result",
  "document",
  "thinking",
  "redacted_thinking",
  "server_tool_use",
  "web_search_tool_result",
]);

function isAnthropicBlock(block: unknown): boolean {
  if (!isObject(block)) return false;
  if (ANTHROPIC_BLOCKS.has(block.type)) return true;
  return (block.type === "image" && isObject(block.source)) || block.cache_control !== undefined;
}

/** Top-level fields of OpenAI chat that Anthropic does not have. */
const OPENAI_ONLY_FIELDS = [
  "n",
  "logprobs",
  "top_logprobs",
  "logit_bias",
  "response_format",
  "stream_options",
  "max_completion_tokens",
  "frequency_penalty",
  "presence_penalty",
  "seed",
  "functions",
  "function_call",
  "parallel_tool_calls",
  "modalities",
  "audio",
  "prediction",
  "store",
  "reasoning_effort",
  "user",
  "web_search_options",
  "verbosity",
] as const;

/** OpenAI's object tool_choice says "function" or "allowed_tools"; Anthropic's says these. */
const ANTHROPIC_TOOL_CHOICES: ReadonlySet<unknown> = new Set(["auto", "any", "tool", "none"]);

const OPENAI_ONLY_ROLES: ReadonlySet<unknown> = new Set(["system", "developer", "tool", "function"]);
const OPENAI_ONLY_PARTS: ReadonlySet<unknown> = new Set(["image_url", "input_audio", "file"]);

function looksOpenAIChat(body: JsonObject, messages: JsonObject[]): boolean {
  if (OPENAI_ONLY_FIELDS.some((field) => body[field] !== undefined)) return true;
  const toolChoice = body.tool_choice;
  if (
    typeof toolChoice === "string" ||
    (isObject(toolChoice) && !ANTHROPIC_TOOL_CHOICES.has(toolChoice.type))
  ) {
    return true;
  }
  if (Array.isArray(body.tools) && body.tools.some((tool) => isObject(tool) && tool.function !== undefined))
    return true;
  return messages.some(
    (message) =>
      OPENAI_ONLY_ROLES.has(message.role) ||
      message.tool_calls !== undefined ||
      (Array.isArray(message.content) &&
        message.content.some((part) => isObject(part) && OPENAI_ONLY_PARTS.has(part.type))),
  );
}

function looksAnthropic(body: JsonObject, messages: JsonObject[]): boolean {
  // OpenAI chat and Ollama put instructions in messages; only Anthropic has a top-level system.
  if (typeof body.system === "string" || Array.isArray(body.system)) return true;
  if (body.stop_sequences !== undefined || body.top_k !== undefined || body.output_config !== undefined)
    return true;
  if (
    isObject(body.thinking) ||
    (isObject(body.tool_choice) && ANTHROPIC_TOOL_CHOICES.has(body.tool_choice.type))
  ) {
    return true;
  }
  if (isObject(body.metadata) && body.metadata.user_id !== undefined) return true;
  if (
    Array.isArray(body.tools) &&
    body.tools.some((tool) => isObject(tool) && tool.input_schema !== undefined)
  ) {
    return true;
  }
  if (messages.some((message) => Array.isArray(message.content) && message.content.some(isAnthropicBlock)))
    return true;
  // Anthropic requires max_tokens; OpenAI chat merely allows it, so it tips the balance only when nothing says OpenAI.
  return typeof body.max_tokens === "number" && !looksOpenAIChat(body, messages);
}

function looksOllama(body: JsonObject, messages: JsonObject[]): boolean {
  if (isObject(body.options) || body.format !== undefined || body.keep_alive !== undefined) return true;
  if (body.think !== undefined) return true;
  return messages.some(
    (message) =>
      Array.isArray(message.images) ||
      message.tool_name !== undefined ||
      message.thinking !== undefined ||
      (Array.isArray(message.tool_calls) &&
        message.tool_calls.some(
          (call) => isObject(call) && isObject(call.function) && isObject(call.function.arguments),
        )),
  );
}
