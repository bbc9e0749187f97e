/**
 * OpenAI Chat Completions request bodies (POST /v1/chat/completions) to and from the IR.
 *
 * Decoding folds the dialect's message roles into the IR's three: leading system/developer
 * messages become `IRRequest.system`, later ones `system` messages, and each run of `tool`
 * (or legacy `function`) messages one user message of tool results.
 */
import type { RequestContext } from "../codec.ts";
import { parseDataUrl, toDataUrl } from "../data-url.ts";
import { clientField, invalidField, ownFileId, recordClientField } from "../errors.ts";
import { randomId } from "../ids.ts";
import type {
  IRCacheHint,
  IRFilePart,
  IRImagePart,
  IRMessage,
  IRPart,
  IRReasoningConfig,
  IRReasoningEffort,
  IRRequest,
  IRResponseFormat,
  IRSampling,
  IRSystemPart,
  IRTextPart,
  IRTool,
  IRToolCallPart,
  IRToolChoice,
  IRToolResultPart,
} from "../ir.ts";
import {
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
  optionalStringMap,
} from "../json.ts";
import { joinText, textPart, withCache } from "../parts.ts";
import { decodeEffortName, effortForBudget } from "../reasoning.ts";

// ---------------------------------------------------------------------------------------------
// Decoding

const AUDIO_MEDIA_TYPES: Record<string, string> = { wav: "audio/wav", mp3: "audio/mpeg" };

export function decodeRequest(body: unknown, context: RequestContext = {}): IRRequest {
  const request = expectObject(body, "body");
  const model = optionalString(request.model, "model") ?? context.model;
  if (model === undefined) throw invalidField("model", "is required");
  if (request.messages === undefined) throw invalidField("messages", "is required");
  const rawMessages = expectArray(request.messages, "messages");
  if (rawMessages.length === 0) throw invalidField("messages", "must contain at least one message");

  const { system, messages } = decodeMessages(rawMessages);
  const decoded: IRRequest = {
    model,
    system,
    messages,
    sampling: decodeSampling(request),
    stream: optionalBoolean(request.stream, "stream") ?? context.stream ?? false,
  };
  decodeToolUse(request, decoded);
  const responseFormat = decodeResponseFormat(request.response_format);
  if (responseFormat !== undefined) decoded.responseFormat = responseFormat;
  const reasoning = decodeReasoningEffort(request.reasoning_effort);
  if (reasoning !== undefined) decoded.reasoning = reasoning;
  const streamOptions = optionalObject(request.stream_options, "stream_options");
  const includeUsage = optionalBoolean(streamOptions?.include_usage, "stream_options.include_usage");
  if (includeUsage !== undefined) decoded.streamUsage = includeUsage;
  const user =
    optionalString(request.user, "user") ?? optionalString(request.safety_identifier, "safety_identifier");
  if (user !== undefined) decoded.user = user;
  const metadata = optionalStringMap(request.metadata, "metadata");
  if (metadata !== undefined) decoded.metadata = metadata;
  return decoded;
}

function decodeMessages(raw: unknown[]): { system: IRSystemPart[]; messages: IRMessage[] } {
  const system: IRSystemPart[] = [];
  const messages: IRMessage[] = [];
  /** Tool names by call id, for the tool results that answer them. */
  const toolNames = new Map<string, string>();
  /** Legacy `function_call`s have no id: the latest call id made up for each function name. */
  const legacyCallIds = new Map<string, string>();
  let toolResults: IRMessage | undefined;

  raw.forEach((value, i) => {
    const path = `messages[${i}]`;
    const message = expectObject(value, path);
    const role = message.role;
    if (role !== "tool" && role !== "function") toolResults = undefined;
    switch (role) {
      case "system":
      case "developer": {
        const parts = decodeTextContent(message.content, `${path}.content`);
        if (messages.length === 0) {
          for (const part of parts) system.push(systemPart(part, role));
        } else messages.push({ role: "system", parts });
        return;
      }
      case "user":
        messages.push(
          named(
            { role: "user", parts: decodeUserContent(message.content, `${path}.content`) },
            message,
            path,
          ),
        );
        return;
      case "assistant":
        messages.push(named(decodeAssistant(message, path, toolNames, legacyCallIds), message, path));
        return;
      case "tool":
      case "function": {
        const result =
          role === "tool"
            ? decodeToolMessage(message, path, toolNames)
            : decodeFunctionMessage(message, path, legacyCallIds);
        if (toolResults === undefined) {
          toolResults = { role: "user", parts: [] };
          messages.push(toolResults);
        }
        toolResults.parts.push(result);
        return;
      }
      default:
        throw invalidField(
          `${path}.role`,
          "must be one of system, developer, user, assistant, tool, function",
        );
    }
  });
  return { system, messages };
}

function systemPart(part: IRTextPart, kind: "system" | "developer"): IRSystemPart {
  const decoded: IRSystemPart = { text: part.text, kind };
  if (part.cache !== undefined) decoded.cache = part.cache;
  return decoded;
}

function named(message: IRMessage, raw: JsonObject, path: string): IRMessage {
  const name = optionalString(raw.name, `${path}.name`);
  if (name !== undefined) message.name = name;
  return message;
}

/** A prompt-cache breakpoint on a content part becomes the IR's cache hint. */
function cacheHint(part: JsonObject): IRCacheHint | undefined {
  return isObject(part.prompt_cache_breakpoint) ? { type: "ephemeral" } : undefined;
}

function decodeTextContent(content: unknown, path: string): IRTextPart[] {
  if (typeof content === "string") return [textPart(content)];
  return expectArray(content, path).map((value, j) => {
    const part = expectObject(value, `${path}[${j}]`);
    if (part.type !== "text") throw invalidField(`${path}[${j}].type`, "must be text");
    return textPart(expectString(part.text, `${path}[${j}].text`), cacheHint(part));
  });
}

function decodeUserContent(content: unknown, path: string): Array<IRTextPart | IRImagePart | IRFilePart> {
  if (typeof content === "string") return [recordClientField(textPart(content), path)];
  return expectArray(content, path).map((value, j) =>
    recordClientField(decodeContentPart(value, `${path}[${j}]`), `${path}[${j}]`),
  );
}

function decodeContentPart(value: unknown, path: string): IRTextPart | IRImagePart | IRFilePart {
  const part = expectObject(value, path);
  const cache = cacheHint(part);
  switch (part.type) {
    case "text":
      return textPart(expectString(part.text, `${path}.text`), cache);
    case "image_url":
      return withCache(decodeImageUrl(part.image_url, `${path}.image_url`), cache);
    case "input_audio": {
      const audio = expectObject(part.input_audio, `${path}.input_audio`);
      const format = expectString(audio.format, `${path}.input_audio.format`);
      const mediaType = AUDIO_MEDIA_TYPES[format];
      if (mediaType === undefined) throw invalidField(`${path}.input_audio.format`, "must be wav or mp3");
      const data = expectString(audio.data, `${path}.input_audio.data`);
      const audioPart: IRFilePart = { type: "file", source: { kind: "base64", mediaType, data } };
      return withCache(audioPart, cache);
    }
    case "file":
      return withCache(decodeFile(part.file, `${path}.file`), cache);
    default:
      throw invalidField(`${path}.type`, "must be one of text, image_url, input_audio, file");
  }
}

function decodeImageUrl(value: unknown, path: string): IRImagePart {
  // Some clients send the URL itself instead of `{url}`.
  const image = typeof value === "string" ? { url: value } : expectObject(value, path);
  const url = expectString(image.url, `${path}.url`);
  const inline = parseDataUrl(url);
  const part: IRImagePart = {
    type: "image",
    source: inline === undefined ? { kind: "url", url } : { kind: "base64", ...inline },
  };
  const detail = optionalString(image.detail, `${path}.detail`);
  if (detail === "auto" || detail === "low" || detail === "high") part.detail = detail;
  return part;
}

function decodeFile(value: unknown, path: string): IRFilePart {
  const file = expectObject(value, path);
  const filename = optionalString(file.filename, `${path}.filename`);
  const fileId = optionalString(file.file_id, `${path}.file_id`);
  const fileData = optionalString(file.file_data, `${path}.file_data`);
  let part: IRFilePart;
  if (fileData !== undefined) {
    // The reference documents a data URL; bare base64 is what older clients sent for PDFs.
    const inline = parseDataUrl(fileData) ?? { mediaType: "application/pdf", data: fileData };
    part = { type: "file", source: { kind: "base64", ...inline } };
  } else if (fileId !== undefined)
    part = { type: "file", source: { kind: "file_id", fileId, store: "openai" } };
  else throw invalidField(path, "needs file_data or file_id");
  if (filename !== undefined) part.filename = filename;
  return part;
}

function decodeAssistant(
  message: JsonObject,
  path: string,
  toolNames: Map<string, string>,
  legacyCallIds: Map<string, string>,
): IRMessage {
  const parts: IRPart[] = [];
  // DeepSeek returns `reasoning_content`, OpenRouter `reasoning`; clients echo either back.
  const reasoning =
    optionalString(message.reasoning_content, `${path}.reasoning_content`) ??
    (typeof message.reasoning === "string" ? message.reasoning : undefined);
  if (reasoning) parts.push({ type: "reasoning", text: reasoning });

  const content = message.content;
  if (typeof content === "string") {
    if (content !== "") parts.push(recordClientField(textPart(content), `${path}.content`));
  } else if (content !== undefined && content !== null) {
    expectArray(content, `${path}.content`).forEach((value, j) => {
      const partPath = `${path}.content[${j}]`;
      const part = expectObject(value, partPath);
      let text: IRTextPart;
      if (part.type === "text") text = textPart(expectString(part.text, `${partPath}.text`), cacheHint(part));
      else if (part.type === "refusal") text = textPart(expectString(part.refusal, `${partPath}.refusal`));
      else throw invalidField(`${partPath}.type`, "must be text or refusal");
      parts.push(recordClientField(text, partPath));
    });
  }
  const refusal = optionalString(message.refusal, `${path}.refusal`);
  if (refusal) parts.push(textPart(refusal));

  optionalArray(message.tool_calls, `${path}.tool_calls`)?.forEach((value, k) => {
    const callPath = `${path}.tool_calls[${k}]`;
    const call = decodeToolCall(value, callPath);
    toolNames.set(call.id, call.name);
    recordClientField(call, callPath);
    parts.push(recordClientField(call, `${callPath}.function.arguments`, "arguments"));
  });
  const functionCall = optionalObject(message.function_call, `${path}.function_call`);
  if (functionCall !== undefined) {
    const name = expectString(functionCall.name, `${path}.function_call.name`);
    const id = randomId("call_");
    legacyCallIds.set(name, id);
    toolNames.set(id, name);
    const call: IRToolCallPart = {
      type: "tool_call",
      id,
      name,
      arguments: decodeArguments(functionCall.arguments),
    };
    recordClientField(call, `${path}.function_call`);
    parts.push(recordClientField(call, `${path}.function_call.arguments`, "arguments"));
  }
  return { role: "assistant", parts };
}

function decodeToolCall(value: unknown, path: string): IRToolCallPart {
  const call = expectObject(value, path);
  if (call.type !== undefined && call.type !== "function")
    throw invalidField(`${path}.type`, "must be function");
  const fn = expectObject(call.function, `${path}.function`);
  return {
    type: "tool_call",
    id: expectString(call.id, `${path}.id`),
    name: expectString(fn.name, `${path}.function.name`),
    arguments: decodeArguments(fn.arguments),
  };
}

/** Arguments are JSON text; a few clients send the object itself, or nothing for no arguments. */
function decodeArguments(value: unknown): string {
  if (typeof value === "string") return value;
  return value === undefined || value === null ? "{}" : JSON.stringify(value);
}

function decodeToolMessage(
  message: JsonObject,
  path: string,
  toolNames: Map<string, string>,
): IRToolResultPart {
  const toolCallId = expectString(message.tool_call_id, `${path}.tool_call_id`);
  const content =
    message.content === null || message.content === undefined
      ? []
      : decodeUserContent(message.content, `${path}.content`).map((part, j): IRTextPart | IRImagePart => {
          if (part.type === "file")
            throw invalidField(`${path}.content[${j}]`, "tool results carry text or images");
          return part;
        });
  const result: IRToolResultPart = { type: "tool_result", toolCallId, content };
  const name = toolNames.get(toolCallId);
  if (name !== undefined) result.name = name;
  return recordClientField(result, path);
}

function decodeFunctionMessage(
  message: JsonObject,
  path: string,
  legacyCallIds: Map<string, string>,
): IRToolResultPart {
  const name = expectString(message.name, `${path}.name`);
  const text = optionalString(message.content, `${path}.content`);
  return recordClientField(
    {
      type: "tool_result",
      toolCallId: legacyCallIds.get(name) ?? randomId("call_"),
      name,
      content: text === undefined ? [] : [textPart(text)],
    },
    path,
  );
}

function decodeTools(request: JsonObject): IRTool[] | undefined {
  const tools = optionalArray(request.tools, "tools")?.map((value, i) => {
    const path = `tools[${i}]`;
    const tool = expectObject(value, path);
    if (tool.type !== "function") throw invalidField(`${path}.type`, "only function tools are supported");
    return decodeFunction(tool.function, `${path}.function`);
  });
  const functions = optionalArray(request.functions, "functions")?.map((value, i) =>
    decodeFunction(value, `functions[${i}]`),
  );
  if (tools === undefined) return functions;
  return functions === undefined ? tools : [...tools, ...functions];
}

function decodeFunction(value: unknown, path: string): IRTool {
  return decodeFunctionDefinition(expectObject(value, path), path);
}

/** An OpenAI function definition: chat's `tools[].function`, or a Responses function tool itself. */
export function decodeFunctionDefinition(fn: JsonObject, path: string): IRTool {
  const tool: IRTool = {
    name: expectString(fn.name, `${path}.name`),
    // Functions without arguments may leave their schema out.
    parameters: optionalObject(fn.parameters, `${path}.parameters`) ?? { type: "object", properties: {} },
  };
  const description = optionalString(fn.description, `${path}.description`);
  if (description !== undefined) tool.description = description;
  const strict = optionalBoolean(fn.strict, `${path}.strict`);
  if (strict !== undefined) tool.strict = strict;
  return tool;
}

/** Tools, tool choice and parallel calls; an `allowed_tools` choice narrows the tool list instead. */
function decodeToolUse(request: JsonObject, decoded: IRRequest): void {
  let tools = decodeTools(request);
  if (isObject(request.tool_choice) && request.tool_choice.type === "allowed_tools") {
    const allowed = decodeAllowedTools(request.tool_choice);
    decoded.toolChoice = allowed.choice;
    tools = tools?.filter((tool) => allowed.names.has(tool.name));
  } else {
    const toolChoice = decodeToolChoice(request);
    if (toolChoice !== undefined) decoded.toolChoice = toolChoice;
  }
  if (tools !== undefined) decoded.tools = tools;
  const parallelToolCalls = optionalBoolean(request.parallel_tool_calls, "parallel_tool_calls");
  if (parallelToolCalls !== undefined) decoded.parallelToolCalls = parallelToolCalls;
}

function decodeToolChoice(request: JsonObject): IRToolChoice | undefined {
  const choice = request.tool_choice ?? request.function_call;
  const path = request.tool_choice === undefined ? "function_call" : "tool_choice";
  if (choice === undefined || choice === null) return undefined;
  if (choice === "auto" || choice === "none" || choice === "required") return { type: choice };
  if (typeof choice === "string")
    throw invalidField(path, "must be none, auto, required or a named function");
  const named = expectObject(choice, path);
  if (path === "function_call") return { type: "tool", name: expectString(named.name, `${path}.name`) };
  if (named.type !== "function") throw invalidField(`${path}.type`, "must be function or allowed_tools");
  const fn = expectObject(named.function, `${path}.function`);
  return { type: "tool", name: expectString(fn.name, `${path}.function.name`) };
}

/** `allowed_tools` narrows the tool list; the IR says the same by listing only those tools. */
function decodeAllowedTools(choice: JsonObject): { choice: IRToolChoice; names: Set<string> } {
  const allowed = expectObject(choice.allowed_tools, "tool_choice.allowed_tools");
  const mode = allowed.mode;
  if (mode !== "auto" && mode !== "required")
    throw invalidField("tool_choice.allowed_tools.mode", "must be auto or required");
  const names = new Set<string>();
  expectArray(allowed.tools, "tool_choice.allowed_tools.tools").forEach((value, i) => {
    const path = `tool_choice.allowed_tools.tools[${i}]`;
    const fn = expectObject(expectObject(value, path).function, `${path}.function`);
    names.add(expectString(fn.name, `${path}.function.name`));
  });
  return { choice: { type: mode }, names };
}

function decodeResponseFormat(value: unknown): IRResponseFormat | undefined {
  const format = optionalObject(value, "response_format");
  if (format === undefined) return undefined;
  if (format.type === "text" || format.type === "json_object") return { type: format.type };
  if (format.type !== "json_schema")
    throw invalidField("response_format.type", "must be text, json_object or json_schema");
  const path = "response_format.json_schema";
  const spec = expectObject(format.json_schema, path);
  // Chat lets the schema out; Responses does not.
  return decodeJsonSchemaFormat(spec, path, optionalObject(spec.schema, `${path}.schema`) ?? {});
}

/** An OpenAI `json_schema` format (chat's `response_format.json_schema`, Responses' `text.format`) around its schema. */
export function decodeJsonSchemaFormat(
  spec: JsonObject,
  path: string,
  schema: Record<string, unknown>,
): IRResponseFormat {
  const decoded: IRResponseFormat = {
    type: "json_schema",
    name: optionalString(spec.name, `${path}.name`) ?? "response",
    schema,
  };
  const strict = optionalBoolean(spec.strict, `${path}.strict`);
  if (strict !== undefined) decoded.strict = strict;
  const description = optionalString(spec.description, `${path}.description`);
  if (description !== undefined) decoded.description = description;
  return decoded;
}

function decodeReasoningEffort(value: unknown): IRReasoningConfig | undefined {
  const name = optionalString(value, "reasoning_effort");
  if (name === undefined) return undefined;
  const effort = decodeEffortName(name, "reasoning_effort");
  return { enabled: effort !== "none", effort };
}

function decodeSampling(request: JsonObject): IRSampling {
  const sampling: IRSampling = {};
  const set = <K extends keyof IRSampling>(key: K, value: IRSampling[K] | undefined) => {
    if (value !== undefined) sampling[key] = value;
  };
  set("temperature", optionalNumber(request.temperature, "temperature"));
  set("topP", optionalNumber(request.top_p, "top_p"));
  set(
    "maxTokens",
    optionalInteger(request.max_completion_tokens, "max_completion_tokens") ??
      optionalInteger(request.max_tokens, "max_tokens"),
  );
  set("stop", decodeStop(request.stop));
  set("seed", optionalInteger(request.seed, "seed"));
  set("presencePenalty", optionalNumber(request.presence_penalty, "presence_penalty"));
  set("frequencyPenalty", optionalNumber(request.frequency_penalty, "frequency_penalty"));
  set("n", optionalInteger(request.n, "n"));
  recordClientField(sampling, "stop", "stop");
  return recordClientField(sampling, "n", "n");
}

function decodeStop(value: unknown): string[] | undefined {
  return typeof value === "string" ? [value] : optionalStringArray(value, "stop");
}

// ---------------------------------------------------------------------------------------------
// Encoding

export function encodeRequest(request: IRRequest): Record<string, unknown> {
  const body: JsonObject = { model: request.model, messages: encodeMessages(request) };
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map(encodeTool);
    // OpenAI rejects both fields without tools.
    if (request.toolChoice !== undefined) body.tool_choice = encodeToolChoice(request.toolChoice);
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.responseFormat !== undefined)
    body.response_format = encodeResponseFormat(request.responseFormat);
  const effort = encodeReasoningEffort(request.reasoning);
  if (effort !== undefined) body.reasoning_effort = effort;
  const { sampling } = request;
  if (sampling.maxTokens !== undefined) body.max_completion_tokens = sampling.maxTokens;
  if (sampling.temperature !== undefined) body.temperature = sampling.temperature;
  if (sampling.topP !== undefined) body.top_p = sampling.topP;
  if (sampling.stop !== undefined && sampling.stop.length > 0) body.stop = sampling.stop;
  if (sampling.seed !== undefined) body.seed = sampling.seed;
  if (sampling.presencePenalty !== undefined) body.presence_penalty = sampling.presencePenalty;
  if (sampling.frequencyPenalty !== undefined) body.frequency_penalty = sampling.frequencyPenalty;
  if (sampling.n !== undefined) body.n = sampling.n;
  if (request.stream) {
    body.stream = true;
    // Always ask for usage: the gateway accounts for it whatever the client wanted.
    body.stream_options = { include_usage: true };
  }
  if (request.user !== undefined) body.user = request.user;
  if (request.metadata !== undefined) body.metadata = request.metadata;
  return body;
}

function encodeMessages(request: IRRequest): JsonObject[] {
  const messages: JsonObject[] = [];
  // Consecutive instructions of one kind go as one message: some chat templates accept only one.
  for (const part of request.system) {
    const role = part.kind ?? "system";
    const last = messages.at(-1);
    if (last !== undefined && last.role === role) last.content = `${last.content}\n\n${part.text}`;
    else messages.push({ role, content: part.text });
  }
  request.messages.forEach((message, i) => {
    const path = `messages[${i}]`;
    if (message.role === "system")
      messages.push({ role: "system", content: joinText(message.parts, "\n\n") });
    else if (message.role === "assistant") messages.push(encodeAssistant(message));
    else messages.push(...encodeUser(message, path));
  });
  return messages;
}

/** Tool results go first as `tool` messages (they must follow the assistant's calls), then the rest. */
function encodeUser(message: IRMessage, path: string): JsonObject[] {
  const messages: JsonObject[] = [];
  const content: JsonObject[] = [];
  message.parts.forEach((part, j) => {
    const partPath = `${path}.parts[${j}]`;
    if (part.type === "tool_result") {
      messages.push({ role: "tool", tool_call_id: part.toolCallId, content: joinText(part.content, "\n\n") });
      // Tool messages carry only text; images move to the user message that follows.
      part.content.forEach((item, k) => {
        if (item.type === "image") content.push(encodeImage(item, `${partPath}.content[${k}]`));
      });
    } else if (part.type === "text") content.push({ type: "text", text: part.text });
    else if (part.type === "image") content.push(encodeImage(part, partPath));
    else if (part.type === "file") content.push(encodeFile(part, partPath));
  });
  if (content.length > 0) {
    const only = content[0];
    const user: JsonObject = {
      role: "user",
      content: content.length === 1 && only?.type === "text" ? only.text : content,
    };
    if (message.name !== undefined) user.name = message.name;
    messages.push(user);
  }
  return messages;
}

function encodeImage(part: IRImagePart, path: string): JsonObject {
  const { source } = part;
  if (source.kind === "file_id")
    throw invalidField(clientField(part, path), "OpenAI chat takes images by URL or as data, not by file id");
  const imageUrl: JsonObject = {
    url: source.kind === "url" ? source.url : toDataUrl(source.mediaType, source.data),
  };
  if (part.detail !== undefined) imageUrl.detail = part.detail;
  return { type: "image_url", image_url: imageUrl };
}

function encodeFile(part: IRFilePart, path: string): JsonObject {
  const { source } = part;
  if (source.kind === "file_id")
    return { type: "file", file: { file_id: ownFileId(source, "openai", clientField(part, path)) } };
  if (source.kind === "url")
    throw invalidField(clientField(part, path), "OpenAI chat cannot take a file by URL");
  if (source.mediaType.startsWith("audio/")) {
    const format = Object.keys(AUDIO_MEDIA_TYPES).find((key) => AUDIO_MEDIA_TYPES[key] === source.mediaType);
    if (format === undefined)
      throw invalidField(
        clientField(part, path),
        `OpenAI chat takes wav or mp3 audio, not ${source.mediaType}`,
      );
    return { type: "input_audio", input_audio: { data: source.data, format } };
  }
  // OpenAI requires a filename with inline file data.
  const filename = part.filename ?? part.title ?? "document";
  return { type: "file", file: { filename, file_data: toDataUrl(source.mediaType, source.data) } };
}

function encodeAssistant(message: IRMessage): JsonObject {
  const toolCalls: JsonObject[] = [];
  for (const part of message.parts) {
    if (part.type === "tool_call") {
      toolCalls.push({
        id: part.id,
        type: "function",
        function: { name: part.name, arguments: part.arguments },
      });
    }
  }
  const text = joinText(message.parts, "");
  const assistant: JsonObject = {
    role: "assistant",
    content: text === "" && toolCalls.length > 0 ? null : text,
  };
  if (toolCalls.length > 0) assistant.tool_calls = toolCalls;
  if (message.name !== undefined) assistant.name = message.name;
  return assistant;
}

function encodeTool(tool: IRTool): JsonObject {
  const fn: JsonObject = { name: tool.name };
  if (tool.description !== undefined) fn.description = tool.description;
  fn.parameters = tool.parameters;
  if (tool.strict !== undefined) fn.strict = tool.strict;
  return { type: "function", function: fn };
}

function encodeToolChoice(choice: IRToolChoice): unknown {
  return choice.type === "tool" ? { type: "function", function: { name: choice.name } } : choice.type;
}

function encodeResponseFormat(format: IRResponseFormat): JsonObject {
  if (format.type !== "json_schema") return { type: format.type };
  const spec: JsonObject = { name: format.name };
  if (format.description !== undefined) spec.description = format.description;
  spec.schema = format.schema;
  if (format.strict !== undefined) spec.strict = format.strict;
  return { type: "json_schema", json_schema: spec };
}

/** An effort as asked, else the effort nearest a token budget; nothing when the client only toggled reasoning. */
function encodeReasoningEffort(reasoning: IRReasoningConfig | undefined): IRReasoningEffort | undefined {
  if (reasoning === undefined) return undefined;
  if (reasoning.effort !== undefined) return reasoning.effort;
  if (reasoning.budgetTokens !== undefined) return effortForBudget(reasoning.budgetTokens);
  return undefined;
}
