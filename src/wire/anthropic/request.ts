/**
 * Anthropic Messages request bodies (POST /v1/messages) to and from the IR.
 *
 * Encoding follows what the API insists on: roles alternate (runs of one role merge), there is
 * no system role in `messages` (IR system messages join the top-level `system`), tool results
 * open the user turn that answers the tool calls, and `max_tokens` is always present.
 */
import type { RequestContext } from "../codec.ts";
import { clientField, invalidField, ownFileId, recordClientField } from "../errors.ts";
import type {
  IRCacheHint,
  IRFilePart,
  IRImagePart,
  IRMediaSource,
  IRMessage,
  IRPart,
  IRReasoningConfig,
  IRReasoningEffort,
  IRRequest,
  IRSampling,
  IRSystemPart,
  IRTextPart,
  IRTool,
  IRToolCallPart,
  IRToolChoice,
  IRToolResultPart,
} from "../ir.ts";
import {
  argumentsObject,
  expectArray,
  expectObject,
  expectString,
  isObject,
  type JsonObject,
  optionalArray,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  optionalObject,
  optionalString,
  optionalStringArray,
} from "../json.ts";
import { textPart, withCache } from "../parts.ts";
import { budgetForEffort, effortForBudget, MIN_THINKING_BUDGET } from "../reasoning.ts";

/** `max_tokens` when neither the client nor the caller gives one. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/** The `anthropic-version` whose request shapes `encodeRequest` emits by default (what @anthropic-ai/sdk 1.x sends). */
export const ANTHROPIC_API_VERSION = "2026-10-21";

export interface AnthropicRequestOptions {
  /** `max_tokens` when the IR has none (the gateway passes the model's output limit). */
  maxTokens?: number;
  /**
   * How to ask for reasoning. "budget": `thinking.enabled` with `budget_tokens` (models before
   * Claude 4.6); "adaptive": `thinking.adaptive` plus `output_config.effort` (the models that
   * reject budgets). "auto" (default) keeps the client's own terms: a budget if it gave one,
   * else adaptive thinking at its effort.
   */
  thinking?: "auto" | "budget" | "adaptive";
  /** temperature, top_p and top_k exist up to API version 2023-06-01; 2026-10-21 rejects them. */
  apiVersion?: "2023-06-01" | "2026-10-21";
}

// ---------------------------------------------------------------------------------------------
// Decoding

export function decodeRequest(body: unknown, context: RequestContext = {}): IRRequest {
  const request = expectObject(body, "body");
  const model = optionalString(request.model, "model") ?? context.model;
  if (model === undefined) throw invalidField("model", "is required");
  if (request.max_tokens === undefined || request.max_tokens === null)
    throw invalidField("max_tokens", "is required");
  const maxTokens = optionalInteger(request.max_tokens, "max_tokens") ?? 0;
  if (maxTokens < 0) throw invalidField("max_tokens", "must not be negative");
  if (request.messages === undefined) throw invalidField("messages", "is required");
  const rawMessages = expectArray(request.messages, "messages");
  if (rawMessages.length === 0) throw invalidField("messages", "must contain at least one message");

  const system = decodeSystem(request.system);
  const messages = decodeMessages(rawMessages, system);
  const decoded: IRRequest = {
    model,
    system,
    messages,
    sampling: decodeSampling(request, maxTokens),
    stream: optionalBoolean(request.stream, "stream") ?? context.stream ?? false,
  };
  if (isObject(request.cache_control)) cacheLastPart(decoded, decodeCache(request.cache_control));
  const tools = optionalArray(request.tools, "tools")?.map((tool, i) => decodeTool(tool, `tools[${i}]`));
  if (tools !== undefined) decoded.tools = tools;
  decodeToolChoice(request.tool_choice, decoded);
  const outputConfig = optionalObject(request.output_config, "output_config");
  const reasoning = decodeThinking(request.thinking, outputConfig);
  if (reasoning !== undefined) decoded.reasoning = reasoning;
  const format = optionalObject(outputConfig?.format, "output_config.format");
  if (format !== undefined) {
    if (format.type !== "json_schema") throw invalidField("output_config.format.type", "must be json_schema");
    const schema = expectObject(format.schema, "output_config.format.schema");
    decoded.responseFormat = { type: "json_schema", name: "response", schema };
  }
  const metadata = optionalObject(request.metadata, "metadata");
  const user = optionalString(metadata?.user_id, "metadata.user_id");
  if (user !== undefined) decoded.user = user;
  return decoded;
}

function decodeCache(value: JsonObject): IRCacheHint {
  const ttl = value.ttl;
  return ttl === "5m" || ttl === "1h" ? { type: "ephemeral", ttl } : { type: "ephemeral" };
}

function cacheOf(block: JsonObject): IRCacheHint | undefined {
  return isObject(block.cache_control) ? decodeCache(block.cache_control) : undefined;
}

/** Top-level `cache_control` marks the last cacheable block; the IR says so on that part. */
function cacheLastPart(request: IRRequest, cache: IRCacheHint): void {
  const part = request.messages.at(-1)?.parts.at(-1);
  if (part !== undefined && part.type !== "tool_call" && part.type !== "reasoning") part.cache = cache;
  else if (part === undefined) {
    const last = request.system.at(-1);
    if (last !== undefined) last.cache = cache;
  }
}

function decodeSystem(value: unknown): IRSystemPart[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return value === "" ? [] : [{ text: value }];
  return decodeTextBlocks(value, "system").map((part) => {
    const system: IRSystemPart = { text: part.text };
    if (part.cache !== undefined) system.cache = part.cache;
    return system;
  });
}

function decodeTextBlocks(value: unknown, path: string): IRTextPart[] {
  if (typeof value === "string") return [{ type: "text", text: value }];
  return expectArray(value, path).map((entry, i) => {
    const block = expectObject(entry, `${path}[${i}]`);
    if (block.type !== "text") throw invalidField(`${path}[${i}].type`, "must be text");
    return textPart(expectString(block.text, `${path}[${i}].text`), cacheOf(block));
  });
}

/** Leading `system` messages (API 2026-10-21) join the top-level system prompt, like OpenAI's. */
function decodeMessages(raw: unknown[], system: IRSystemPart[]): IRMessage[] {
  const messages: IRMessage[] = [];
  const toolNames = new Map<string, string>();
  raw.forEach((value, i) => {
    const path = `messages[${i}]`;
    const message = expectObject(value, path);
    const role = message.role;
    if (role === "system") {
      const parts = decodeTextBlocks(message.content, `${path}.content`);
      if (messages.length === 0) for (const part of parts) system.push(systemPart(part));
      else messages.push({ role: "system", parts });
      return;
    }
    if (role !== "user" && role !== "assistant")
      throw invalidField(`${path}.role`, "must be user or assistant");
    const content = message.content;
    const parts =
      typeof content === "string"
        ? [recordClientField(textPart(content), `${path}.content`)]
        : expectArray(content, `${path}.content`).map((block, j) => {
            const blockPath = `${path}.content[${j}]`;
            return recordClientField(decodeBlock(block, blockPath, toolNames), blockPath);
          });
    messages.push({ role, parts });
  });
  return messages;
}

function systemPart(part: IRTextPart): IRSystemPart {
  return part.cache === undefined ? { text: part.text } : { text: part.text, cache: part.cache };
}

function decodeBlock(value: unknown, path: string, toolNames: Map<string, string>): IRPart {
  const block = expectObject(value, path);
  const cache = cacheOf(block);
  switch (block.type) {
    case "text":
      return textPart(expectString(block.text, `${path}.text`), cache);
    case "image":
      return withCache(decodeImage(block, path), cache);
    case "document":
      return withCache(decodeDocument(block, path), cache);
    case "tool_use": {
      const id = expectString(block.id, `${path}.id`);
      const name = expectString(block.name, `${path}.name`);
      toolNames.set(id, name);
      const call: IRPart = { type: "tool_call", id, name, arguments: JSON.stringify(block.input ?? {}) };
      return recordClientField(call, `${path}.input`, "arguments");
    }
    case "tool_result":
      return withCache(decodeToolResult(block, path, toolNames), cache);
    case "thinking":
      return {
        type: "reasoning",
        text: expectString(block.thinking, `${path}.thinking`),
        signature: expectString(block.signature, `${path}.signature`),
      };
    case "redacted_thinking":
      return { type: "reasoning", text: "", redactedData: expectString(block.data, `${path}.data`) };
    default:
      throw invalidField(`${path}.type`, `content blocks of type ${String(block.type)} are not supported`);
  }
}

function base64Source(source: JsonObject, path: string): IRMediaSource {
  return {
    kind: "base64",
    mediaType: expectString(source.media_type, `${path}.media_type`),
    data: expectString(source.data, `${path}.data`),
  };
}

function decodeImage(block: JsonObject, path: string): IRImagePart {
  const source = expectObject(block.source, `${path}.source`);
  if (source.type === "base64") return { type: "image", source: base64Source(source, `${path}.source`) };
  if (source.type === "url")
    return { type: "image", source: { kind: "url", url: expectString(source.url, `${path}.source.url`) } };
  throw invalidField(`${path}.source.type`, "must be base64 or url");
}

function decodeDocument(block: JsonObject, path: string): IRFilePart {
  const source = expectObject(block.source, `${path}.source`);
  const sourcePath = `${path}.source`;
  let part: IRFilePart;
  switch (source.type) {
    case "base64":
      part = { type: "file", source: base64Source(source, sourcePath) };
      break;
    case "text":
      part = plainTextFile(expectString(source.data, `${sourcePath}.data`));
      break;
    case "content":
      part = plainTextFile(
        decodeTextBlocks(source.content, `${sourcePath}.content`)
          .map((text) => text.text)
          .join("\n\n"),
      );
      break;
    case "url":
      part = { type: "file", source: { kind: "url", url: expectString(source.url, `${sourcePath}.url`) } };
      break;
    case "file":
      part = {
        type: "file",
        source: {
          kind: "file_id",
          fileId: expectString(source.file_id, `${sourcePath}.file_id`),
          store: "anthropic",
        },
      };
      break;
    default:
      throw invalidField(`${sourcePath}.type`, "must be base64, text, content, url or file");
  }
  const title = optionalString(block.title, `${path}.title`);
  if (title !== undefined) part.title = title;
  return part;
}

/** The IR carries documents as media; a plain-text document becomes base64 `text/plain`. */
function plainTextFile(text: string): IRFilePart {
  return {
    type: "file",
    source: { kind: "base64", mediaType: "text/plain", data: Buffer.from(text, "utf8").toString("base64") },
  };
}

function decodeToolResult(block: JsonObject, path: string, toolNames: Map<string, string>): IRToolResultPart {
  const toolCallId = expectString(block.tool_use_id, `${path}.tool_use_id`);
  const content = block.content;
  const result: IRToolResultPart = {
    type: "tool_result",
    toolCallId,
    content:
      content === undefined || content === null
        ? []
        : typeof content === "string"
          ? [{ type: "text", text: content }]
          : expectArray(content, `${path}.content`).map((entry, k) => {
              const itemPath = `${path}.content[${k}]`;
              const item = expectObject(entry, itemPath);
              if (item.type === "text")
                return recordClientField(
                  textPart(expectString(item.text, `${itemPath}.text`), cacheOf(item)),
                  itemPath,
                );
              if (item.type === "image")
                return recordClientField(withCache(decodeImage(item, itemPath), cacheOf(item)), itemPath);
              throw invalidField(`${itemPath}.type`, "tool results carry text or images");
            }),
  };
  const name = toolNames.get(toolCallId);
  if (name !== undefined) result.name = name;
  const isError = optionalBoolean(block.is_error, `${path}.is_error`);
  if (isError !== undefined) result.isError = isError;
  return result;
}

function decodeTool(value: unknown, path: string): IRTool {
  const tool = expectObject(value, path);
  if (tool.type !== undefined && tool.type !== null && tool.type !== "custom") {
    throw invalidField(`${path}.type`, `server tools (${String(tool.type)}) are not supported`);
  }
  const decoded: IRTool = {
    name: expectString(tool.name, `${path}.name`),
    parameters: expectObject(tool.input_schema, `${path}.input_schema`),
  };
  const description = optionalString(tool.description, `${path}.description`);
  if (description !== undefined) decoded.description = description;
  const strict = optionalBoolean(tool.strict, `${path}.strict`);
  if (strict !== undefined) decoded.strict = strict;
  const cache = cacheOf(tool);
  if (cache !== undefined) decoded.cache = cache;
  return decoded;
}

function decodeToolChoice(value: unknown, request: IRRequest): void {
  const choice = optionalObject(value, "tool_choice");
  if (choice === undefined) return;
  let decoded: IRToolChoice;
  if (choice.type === "auto" || choice.type === "none") decoded = { type: choice.type };
  else if (choice.type === "any") decoded = { type: "required" };
  else if (choice.type === "tool")
    decoded = { type: "tool", name: expectString(choice.name, "tool_choice.name") };
  else throw invalidField("tool_choice.type", "must be auto, any, tool or none");
  request.toolChoice = decoded;
  const disableParallel = optionalBoolean(
    choice.disable_parallel_tool_use,
    "tool_choice.disable_parallel_tool_use",
  );
  if (disableParallel !== undefined) request.parallelToolCalls = !disableParallel;
}

const EFFORT_OF: Record<string, IRReasoningEffort> = {
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "xhigh",
  // The IR's top level is the nearest it can say.
  max: "xhigh",
};

function decodeThinking(value: unknown, outputConfig: JsonObject | undefined): IRReasoningConfig | undefined {
  const thinking = optionalObject(value, "thinking");
  const effortName = optionalString(outputConfig?.effort, "output_config.effort");
  if (thinking === undefined && effortName === undefined) return undefined;
  const reasoning: IRReasoningConfig = {};
  if (effortName !== undefined) {
    const effort = EFFORT_OF[effortName];
    if (effort === undefined)
      throw invalidField("output_config.effort", "must be low, medium, high, xhigh or max");
    reasoning.effort = effort;
  }
  if (thinking === undefined) return reasoning;
  switch (thinking.type) {
    case "enabled":
      if (thinking.budget_tokens === undefined) throw invalidField("thinking.budget_tokens", "is required");
      reasoning.enabled = true;
      reasoning.budgetTokens = optionalInteger(thinking.budget_tokens, "thinking.budget_tokens") ?? 0;
      break;
    case "adaptive":
    case "between_tools":
      reasoning.enabled = true;
      break;
    case "disabled":
      reasoning.enabled = false;
      break;
    default:
      throw invalidField("thinking.type", "must be enabled, adaptive, between_tools or disabled");
  }
  const display = thinking.display;
  if (display === "omitted") reasoning.includeThoughts = false;
  else if (display === "summarized") reasoning.includeThoughts = true;
  return reasoning;
}

function decodeSampling(request: JsonObject, maxTokens: number): IRSampling {
  const sampling: IRSampling = { maxTokens };
  const temperature = optionalNumber(request.temperature, "temperature");
  if (temperature !== undefined) sampling.temperature = temperature;
  const topP = optionalNumber(request.top_p, "top_p");
  if (topP !== undefined) sampling.topP = topP;
  const topK = optionalInteger(request.top_k, "top_k");
  if (topK !== undefined) sampling.topK = topK;
  const stop = optionalStringArray(request.stop_sequences, "stop_sequences");
  if (stop !== undefined) sampling.stop = stop;
  return recordClientField(sampling, "stop_sequences", "stop");
}

// ---------------------------------------------------------------------------------------------
// Encoding

export function encodeRequest(
  request: IRRequest,
  options: AnthropicRequestOptions = {},
): Record<string, unknown> {
  if (request.sampling.n !== undefined && request.sampling.n > 1) {
    throw invalidField(
      clientField(request.sampling, "sampling.n", "n"),
      "Anthropic returns one answer per request",
    );
  }
  const maxTokens = request.sampling.maxTokens ?? options.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
  const { system, messages } = encodeConversation(request);
  const body: JsonObject = { model: request.model, max_tokens: maxTokens, messages };
  if (system.length > 0) {
    const only = system[0];
    body.system =
      system.length === 1 && only !== undefined && only.cache_control === undefined ? only.text : system;
  }
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map(encodeTool);
    const toolChoice = encodeToolChoice(request.toolChoice, request.parallelToolCalls);
    if (toolChoice !== undefined) body.tool_choice = toolChoice;
  }
  const { thinking, effort } = encodeThinking(request.reasoning, maxTokens, options.thinking ?? "auto");
  if (thinking !== undefined) body.thinking = thinking;
  const outputConfig: JsonObject = {};
  if (effort !== undefined) outputConfig.effort = effort;
  if (request.responseFormat?.type === "json_schema") {
    outputConfig.format = { type: "json_schema", schema: request.responseFormat.schema };
  }
  if (Object.keys(outputConfig).length > 0) body.output_config = outputConfig;
  const { sampling } = request;
  if (sampling.stop !== undefined && sampling.stop.length > 0) body.stop_sequences = sampling.stop;
  if ((options.apiVersion ?? ANTHROPIC_API_VERSION) === "2023-06-01") {
    if (sampling.temperature !== undefined) body.temperature = sampling.temperature;
    if (sampling.topP !== undefined) body.top_p = sampling.topP;
    if (sampling.topK !== undefined) body.top_k = sampling.topK;
  }
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.stream) body.stream = true;
  return body;
}

function encodeConversation(request: IRRequest): { system: JsonObject[]; messages: JsonObject[] } {
  const system = request.system.map((part) => textBlock(part.text, part.cache));
  const messages: Array<{ role: "user" | "assistant"; content: JsonObject[] }> = [];
  request.messages.forEach((message, i) => {
    const path = `messages[${i}]`;
    if (message.role === "system") {
      for (const part of message.parts)
        if (part.type === "text") system.push(textBlock(part.text, part.cache));
      return;
    }
    const blocks: JsonObject[] = [];
    message.parts.forEach((part, j) => {
      const block = encodeBlock(part, `${path}.parts[${j}]`);
      if (block !== undefined) blocks.push(block);
    });
    if (blocks.length === 0) return;
    const last = messages.at(-1);
    if (last !== undefined && last.role === message.role) last.content.push(...blocks);
    else messages.push({ role: message.role, content: blocks });
  });
  for (const message of messages)
    if (message.role === "user") message.content = toolResultsFirst(message.content);
  return { system, messages };
}

/** Anthropic wants a user turn's tool results before anything else in it. */
function toolResultsFirst(blocks: JsonObject[]): JsonObject[] {
  const results = blocks.filter((block) => block.type === "tool_result");
  if (results.length === 0 || results.length === blocks.length) return blocks;
  return [...results, ...blocks.filter((block) => block.type !== "tool_result")];
}

function textBlock(text: string, cache: IRCacheHint | undefined): JsonObject {
  return cache === undefined ? { type: "text", text } : { type: "text", text, cache_control: cache };
}

function withCacheControl(block: JsonObject, cache: IRCacheHint | undefined): JsonObject {
  if (cache !== undefined) block.cache_control = cache;
  return block;
}

/** One IR part as a content block; undefined for what Anthropic would refuse and can do without. */
function encodeBlock(part: IRPart, path: string): JsonObject | undefined {
  switch (part.type) {
    // Anthropic rejects empty text blocks; OpenAI clients send `content: ""` next to tool calls.
    case "text":
      return part.text === "" ? undefined : textBlock(part.text, part.cache);
    case "image":
      return encodeImage(part, path);
    case "file":
      return encodeDocument(part, path);
    case "tool_call":
      return { type: "tool_use", id: part.id, name: part.name, input: toolInput(part, path) };
    case "tool_result":
      return encodeToolResult(part, path);
    case "reasoning":
      if (part.redactedData !== undefined) return { type: "redacted_thinking", data: part.redactedData };
      // Thinking without Anthropic's signature (another provider's reasoning) would be rejected.
      return part.signature === undefined
        ? undefined
        : { type: "thinking", thinking: part.text, signature: part.signature };
  }
}

function encodeImage(part: IRImagePart, path: string): JsonObject {
  const { source } = part;
  let imageSource: JsonObject;
  if (source.kind === "url") imageSource = { type: "url", url: source.url };
  else if (source.kind === "file_id") {
    imageSource = { type: "file", file_id: ownFileId(source, "anthropic", clientField(part, path)) };
  } else imageSource = { type: "base64", media_type: source.mediaType, data: source.data };
  return withCacheControl({ type: "image", source: imageSource }, part.cache);
}

function encodeDocument(part: IRFilePart, path: string): JsonObject {
  const { source } = part;
  let documentSource: JsonObject;
  if (source.kind === "url") documentSource = { type: "url", url: source.url };
  else if (source.kind === "file_id") {
    documentSource = { type: "file", file_id: ownFileId(source, "anthropic", clientField(part, path)) };
  } else if (source.mediaType === "application/pdf") {
    documentSource = { type: "base64", media_type: "application/pdf", data: source.data };
  } else if (source.mediaType.startsWith("text/")) {
    documentSource = {
      type: "text",
      media_type: "text/plain",
      data: Buffer.from(source.data, "base64").toString("utf8"),
    };
  } else {
    throw invalidField(
      clientField(part, path),
      `Anthropic takes PDF or text documents, not ${source.mediaType}`,
    );
  }
  const document: JsonObject = { type: "document", source: documentSource };
  const title = part.title ?? part.filename;
  if (title !== undefined) document.title = title;
  return withCacheControl(document, part.cache);
}

function toolInput(call: IRToolCallPart, path: string): unknown {
  const input = argumentsObject(call.arguments);
  if (input === undefined) {
    throw invalidField(
      clientField(call, `${path}.arguments`, "arguments"),
      "tool call arguments must be a JSON object",
    );
  }
  return input;
}

function encodeToolResult(part: IRToolResultPart, path: string): JsonObject {
  const block: JsonObject = { type: "tool_result", tool_use_id: part.toolCallId };
  const only = part.content[0];
  if (part.content.length === 1 && only?.type === "text" && only.cache === undefined)
    block.content = only.text;
  else if (part.content.length > 0) {
    block.content = part.content.map((item, k) =>
      item.type === "text" ? textBlock(item.text, item.cache) : encodeImage(item, `${path}.content[${k}]`),
    );
  }
  if (part.isError !== undefined) block.is_error = part.isError;
  return withCacheControl(block, part.cache);
}

/** Anthropic wants `input_schema.type` to be "object", which argument-less OpenAI tools leave out. */
function encodeTool(tool: IRTool): JsonObject {
  const encoded: JsonObject = {
    name: tool.name,
    input_schema:
      tool.parameters.type === undefined ? { type: "object", ...tool.parameters } : tool.parameters,
  };
  if (tool.description !== undefined) encoded.description = tool.description;
  if (tool.strict !== undefined) encoded.strict = tool.strict;
  return withCacheControl(encoded, tool.cache);
}

function encodeToolChoice(
  choice: IRToolChoice | undefined,
  parallelToolCalls: boolean | undefined,
): JsonObject | undefined {
  // Anthropic's "none" takes no parallel-use flag.
  if (choice?.type === "none") return { type: "none" };
  const serial = parallelToolCalls === false;
  if (choice === undefined && !serial) return undefined;
  const encoded: JsonObject =
    choice === undefined || choice.type === "auto"
      ? { type: "auto" }
      : choice.type === "required"
        ? { type: "any" }
        : { type: "tool", name: choice.name };
  if (serial) encoded.disable_parallel_tool_use = true;
  return encoded;
}

const ANTHROPIC_EFFORT: Record<Exclude<IRReasoningEffort, "none">, string> = {
  minimal: "low",
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "xhigh",
};

function encodeThinking(
  reasoning: IRReasoningConfig | undefined,
  maxTokens: number,
  style: "auto" | "budget" | "adaptive",
): { thinking?: JsonObject; effort?: string } {
  if (reasoning === undefined) return {};
  if (reasoning.enabled === false || reasoning.effort === "none" || reasoning.budgetTokens === 0) {
    return { thinking: { type: "disabled" } };
  }
  // A negative budget (Gemini's -1, "dynamic") asks for thinking without naming a budget.
  const asked =
    reasoning.budgetTokens !== undefined && reasoning.budgetTokens > 0 ? reasoning.budgetTokens : undefined;
  const wantsThinking = reasoning.enabled === true || reasoning.budgetTokens !== undefined;
  const display = reasoning.includeThoughts === false ? { display: "omitted" } : {};
  if (style === "budget" || (style === "auto" && asked !== undefined)) {
    if (!wantsThinking && reasoning.effort === undefined) return {};
    // Anthropic counts thinking inside max_tokens and wants the budget below it; with no room, no thinking.
    const budget = Math.min(asked ?? budgetForEffort(reasoning.effort ?? "medium"), maxTokens - 1);
    if (budget < MIN_THINKING_BUDGET) return {};
    return { thinking: { type: "enabled", budget_tokens: budget, ...display } };
  }
  const encoded: { thinking?: JsonObject; effort?: string } = {};
  if (wantsThinking) encoded.thinking = { type: "adaptive", ...display };
  const effort = reasoning.effort ?? (asked === undefined ? undefined : effortForBudget(asked));
  if (effort !== undefined && effort !== "none") encoded.effort = ANTHROPIC_EFFORT[effort];
  return encoded;
}
