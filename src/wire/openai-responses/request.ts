/**
 * OpenAI Responses requests (`POST /v1/responses`) to and from the IR.
 *
 * The Responses API is stateful where the IR is not: `previous_response_id`, `conversation`,
 * `prompt` templates and `item_reference` items all point at objects stored at OpenAI, so they
 * are refused with a 400 naming them rather than silently answered without that context.
 * Function tools inside `namespace` tools become flat function tools (namespaces.ts); which
 * hosted tools are dropped and which refused is said at OFFERED_ONLY.
 * Towards OpenAI we always send `store: false` (this router keeps no response state either) and
 * ask for `reasoning.encrypted_content`, which is how stateless clients carry reasoning across turns.
 */
import type { RequestContext } from "../codec.ts";
import { parseDataUrl, toDataUrl } from "../data-url.ts";
import { clientField, invalidField, ownFileId, recordClientField } from "../errors.ts";
import type {
  IRFilePart,
  IRImagePart,
  IRMessage,
  IRPart,
  IRReasoningConfig,
  IRReasoningPart,
  IRRequest,
  IRResponseFormat,
  IRTextPart,
  IRTool,
  IRToolChoice,
  IRToolResultPart,
} from "../ir.ts";
import {
  expectArray,
  expectObject,
  expectString,
  type JsonObject,
  optionalArray,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  optionalObject,
  optionalString,
  optionalStringMap,
} from "../json.ts";
import { decodeFunctionDefinition, decodeJsonSchemaFormat } from "../openai-chat/request.ts";
import { joinText } from "../parts.ts";
import { decodeEffortName, effortForBudget } from "../reasoning.ts";
import { flatCallName, namespacedName } from "./namespaces.ts";
import { decodeReasoningItem, outputText } from "./response.ts";

/** Request fields that refer to state kept at OpenAI, which no other upstream has. */
const STATEFUL_FIELDS = ["previous_response_id", "conversation", "prompt"] as const;

/**
 * Hosted tools a target without them may go without: web search only widens what the model may
 * look up, and a model without it answers from what it knows, so the request is sent without
 * it. (Anthropic's web search server tool is no equivalent: it always searches live, where
 * Codex asks for `external_web_access: false`, and its results come back as blocks the IR
 * cannot carry.) Every other hosted tool is refused: file search and MCP reach data only through
 * themselves, and code interpreter, image generation, computer use, shell, apply_patch and
 * custom tools answer with calls of their own kinds that the client waits for. Input items that
 * are a hosted tool's call or result are refused too (decodeInput): the conversation needs them.
 */
const OFFERED_ONLY: ReadonlySet<unknown> = new Set([
  "web_search",
  "web_search_2025_08_26",
  "web_search_preview",
  "web_search_preview_2025_03_11",
]);

// ---------------------------------------------------------------------------------------------
// Decoding a client request

export function decodeRequest(body: unknown, context: RequestContext = {}): IRRequest {
  const request = expectObject(body, "body");
  for (const field of STATEFUL_FIELDS) {
    if (request[field] !== undefined && request[field] !== null) {
      throw invalidField(field, "refers to state stored at OpenAI and cannot be honoured by this router");
    }
  }
  if (request.background === true) throw invalidField("background", "background responses are not supported");

  const model = optionalString(request.model, "model") ?? context.model;
  if (model === undefined || model === "") throw invalidField("model", "is required");

  const { system, messages } = decodeInput(request.input);
  const instructions = optionalString(request.instructions, "instructions");
  if (instructions !== undefined && instructions !== "")
    system.unshift({ text: instructions, kind: "system" });

  const ir: IRRequest = {
    model,
    system,
    messages,
    sampling: {},
    stream: optionalBoolean(request.stream, "stream") ?? context.stream ?? false,
  };
  const temperature = optionalNumber(request.temperature, "temperature");
  if (temperature !== undefined) ir.sampling.temperature = temperature;
  const topP = optionalNumber(request.top_p, "top_p");
  if (topP !== undefined) ir.sampling.topP = topP;
  const maxTokens = optionalInteger(request.max_output_tokens, "max_output_tokens");
  if (maxTokens !== undefined) ir.sampling.maxTokens = maxTokens;

  const tools = decodeTools(request.tools);
  const toolChoice = decodeToolChoice(request.tool_choice, tools ?? []);
  // Forced to call a tool when only dropped hosted ones were offered: without them the answer differs.
  if (toolChoice.choice?.type === "required" && toolChoice.tools.length === 0 && tools !== undefined) {
    throw invalidField(
      "tool_choice",
      "requires a tool call, but none of the tools offered can be translated (hosted web search is left out)",
    );
  }
  if (toolChoice.tools.length > 0) ir.tools = toolChoice.tools;
  if (toolChoice.choice) ir.toolChoice = toolChoice.choice;
  const parallel = optionalBoolean(request.parallel_tool_calls, "parallel_tool_calls");
  if (parallel !== undefined) ir.parallelToolCalls = parallel;

  const text = optionalObject(request.text, "text");
  const format = decodeFormat(text?.format);
  if (format) ir.responseFormat = format;
  const reasoning = decodeReasoning(request.reasoning);
  if (reasoning) ir.reasoning = reasoning;

  const user =
    optionalString(request.user, "user") ?? optionalString(request.safety_identifier, "safety_identifier");
  if (user !== undefined) ir.user = user;
  const metadata = optionalStringMap(request.metadata, "metadata");
  if (metadata !== undefined) ir.metadata = metadata;
  return ir;
}

function decodeInput(input: unknown): Pick<IRRequest, "system" | "messages"> {
  const system: IRRequest["system"] = [];
  const messages: IRMessage[] = [];
  if (typeof input === "string") {
    messages.push({ role: "user", parts: [{ type: "text", text: input }] });
    return { system, messages };
  }
  const items = expectArray(input, "input");
  items.forEach((raw, i) => {
    const path = `input[${i}]`;
    const item = expectObject(raw, path);
    const type = item.type ?? (item.role !== undefined ? "message" : undefined);
    switch (type) {
      case "message":
        decodeMessageItem(item, path, system, messages);
        return;
      case "function_call":
        appendTo(messages, "assistant", [recordClientField(decodeFunctionCall(item, path), path)]);
        return;
      case "function_call_output":
        appendToolResult(messages, recordClientField(decodeFunctionCallOutput(item, path), path));
        return;
      case "reasoning":
        appendTo(messages, "assistant", [recordClientField(decodeReasoningItem(item), path)]);
        return;
      case "item_reference":
        throw invalidField(
          `${path}.id`,
          "item references point at items stored at OpenAI and cannot be resolved",
        );
      default:
        throw invalidField(`${path}.type`, `unsupported input item type ${JSON.stringify(type)}`);
    }
  });
  return { system, messages };
}

function decodeMessageItem(
  item: JsonObject,
  path: string,
  system: IRRequest["system"],
  messages: IRMessage[],
): void {
  const role = item.role;
  if (role === "system" || role === "developer") {
    const text = instructionText(item.content, `${path}.content`);
    // Instructions before the conversation starts are the system prompt; later ones stay in place.
    if (messages.length === 0) system.push({ text, kind: role });
    else messages.push({ role: "system", parts: [{ type: "text", text }] });
    return;
  }
  if (role === "user") {
    messages.push({ role: "user", parts: decodeContent(item.content, `${path}.content`) });
    return;
  }
  if (role === "assistant") {
    appendTo(messages, "assistant", decodeContent(item.content, `${path}.content`));
    return;
  }
  throw invalidField(`${path}.role`, "must be one of user, assistant, system, developer");
}

function instructionText(content: unknown, path: string): string {
  if (typeof content === "string") return content;
  return decodeContent(content, path)
    .map((part, j) => {
      if (part.type !== "text") throw invalidField(`${path}[${j}]`, "instructions may contain only text");
      return part.text;
    })
    .join("\n");
}

function decodeContent(content: unknown, path: string): IRPart[] {
  if (typeof content === "string") return [recordClientField({ type: "text", text: content }, path)];
  return expectArray(content, path).map((raw, j) =>
    recordClientField(decodeContentPart(raw, `${path}[${j}]`), `${path}[${j}]`),
  );
}

function decodeContentPart(raw: unknown, path: string): IRTextPart | IRImagePart | IRFilePart {
  const part = expectObject(raw, path);
  switch (part.type) {
    case "input_text":
    case "output_text":
      return { type: "text", text: expectString(part.text, `${path}.text`) };
    case "refusal":
      return { type: "text", text: expectString(part.refusal, `${path}.refusal`) };
    case "input_image":
      return decodeImage(part, path);
    case "input_file":
      return decodeFile(part, path);
    default:
      throw invalidField(`${path}.type`, `unsupported content type ${JSON.stringify(part.type)}`);
  }
}

function decodeImage(part: JsonObject, path: string): IRImagePart {
  const url = optionalString(part.image_url, `${path}.image_url`);
  if (url === undefined) {
    if (part.file_id !== undefined && part.file_id !== null) {
      throw invalidField(`${path}.file_id`, "images by file id cannot be forwarded; send image_url");
    }
    throw invalidField(`${path}.image_url`, "is required");
  }
  const inline = parseDataUrl(url);
  const image: IRImagePart = {
    type: "image",
    source: inline ? { kind: "base64", ...inline } : { kind: "url", url },
  };
  const detail = part.detail;
  if (detail === "auto" || detail === "low" || detail === "high") image.detail = detail;
  return image;
}

function decodeFile(part: JsonObject, path: string): IRFilePart {
  const filename = optionalString(part.filename, `${path}.filename`);
  const data = optionalString(part.file_data, `${path}.file_data`);
  const url = optionalString(part.file_url, `${path}.file_url`);
  const fileId = optionalString(part.file_id, `${path}.file_id`);
  let source: IRFilePart["source"];
  if (data !== undefined) {
    source = { kind: "base64", ...(parseDataUrl(data) ?? { mediaType: "application/pdf", data }) };
  } else if (url !== undefined) source = { kind: "url", url };
  else if (fileId !== undefined) source = { kind: "file_id", fileId, store: "openai" };
  else throw invalidField(path, "needs file_data, file_url or file_id");
  const file: IRFilePart = { type: "file", source };
  if (filename !== undefined) file.filename = filename;
  return file;
}

function decodeFunctionCall(item: JsonObject, path: string): IRPart {
  const call: IRPart = {
    type: "tool_call",
    id: expectString(item.call_id, `${path}.call_id`),
    name: flatCallName(
      expectString(item.name, `${path}.name`),
      optionalString(item.namespace, `${path}.namespace`),
    ),
    arguments: expectString(item.arguments, `${path}.arguments`),
  };
  return recordClientField(call, `${path}.arguments`, "arguments");
}

function decodeFunctionCallOutput(item: JsonObject, path: string): IRToolResultPart {
  const output = item.output;
  const content: IRToolResultPart["content"] = [];
  if (typeof output === "string") content.push({ type: "text", text: output });
  else {
    expectArray(output, `${path}.output`).forEach((raw, j) => {
      const partPath = `${path}.output[${j}]`;
      const part = decodeContentPart(raw, partPath);
      if (part.type === "file") throw invalidField(partPath, "files in tool output are not supported");
      content.push(recordClientField(part, partPath));
    });
  }
  const result: IRToolResultPart = {
    type: "tool_result",
    toolCallId: expectString(item.call_id, `${path}.call_id`),
    content,
  };
  const name = optionalString(item.name, `${path}.name`);
  if (name !== undefined)
    result.name = flatCallName(name, optionalString(item.namespace, `${path}.namespace`));
  return result;
}

/** Output items of one assistant turn (message, function calls, reasoning) form one IR message. */
function appendTo(messages: IRMessage[], role: "assistant", parts: IRPart[]): void {
  const last = messages[messages.length - 1];
  if (last?.role === role) last.parts.push(...parts);
  else messages.push({ role, parts });
}

/** Consecutive tool outputs answer one turn's calls: one user message of tool results. */
function appendToolResult(messages: IRMessage[], result: IRToolResultPart): void {
  const last = messages[messages.length - 1];
  if (last?.role === "user" && last.parts.every((part) => part.type === "tool_result"))
    last.parts.push(result);
  else messages.push({ role: "user", parts: [result] });
}

/** The translatable tools, namespaces flattened; undefined when the client offered none at all. */
function decodeTools(value: unknown): IRTool[] | undefined {
  const list = optionalArray(value, "tools");
  if (list === undefined || list.length === 0) return undefined;
  const tools: IRTool[] = [];
  const pathOf = new Map<string, string>();
  /** `path` names the tool's `name`; two tools of one flat name would make their calls indistinguishable. */
  const add = (tool: IRTool, path: string) => {
    const clash = pathOf.get(tool.name);
    if (clash !== undefined) {
      throw invalidField(path, `its flat name ${JSON.stringify(tool.name)} is also that of ${clash}`);
    }
    pathOf.set(tool.name, path);
    tools.push(tool);
  };
  list.forEach((raw, i) => {
    const path = `tools[${i}]`;
    const tool = expectObject(raw, path);
    if (tool.type === "function") add(decodeFunctionDefinition(tool, path), `${path}.name`);
    else if (tool.type === "namespace") decodeNamespace(tool, path, add);
    else if (!OFFERED_ONLY.has(tool.type)) {
      throw invalidField(
        `${path}.type`,
        `tool type ${JSON.stringify(tool.type)} is not supported; only function and namespace tools can be translated`,
      );
    }
  });
  return tools;
}

/** A namespace's functions as flat tools; the namespace's description leads each one's own. */
function decodeNamespace(tool: JsonObject, path: string, add: (tool: IRTool, path: string) => void): void {
  const namespace = expectString(tool.name, `${path}.name`);
  const description = optionalString(tool.description, `${path}.description`);
  expectArray(tool.tools, `${path}.tools`).forEach((raw, j) => {
    const functionPath = `${path}.tools[${j}]`;
    const entry = expectObject(raw, functionPath);
    if (entry.type !== "function") {
      throw invalidField(
        `${functionPath}.type`,
        `tool type ${JSON.stringify(entry.type)} is not supported in a namespace; only function tools can be translated`,
      );
    }
    const decoded = decodeFunctionDefinition(entry, functionPath);
    const own = decoded.name;
    decoded.name = namespacedName(namespace, own);
    if (description !== undefined && description !== "") {
      decoded.description =
        decoded.description === undefined ? description : `${description}\n\n${decoded.description}`;
    }
    decoded.namespaced = { namespace, name: own };
    add(decoded, `${functionPath}.name`);
  });
}

/** `allowed_tools` narrows the tool list itself: the IR has no separate "allowed" subset. */
function decodeToolChoice(value: unknown, tools: IRTool[]): { choice?: IRToolChoice; tools: IRTool[] } {
  if (value === undefined || value === null) return { tools };
  if (value === "auto" || value === "none" || value === "required") return { choice: { type: value }, tools };
  const choice = expectObject(value, "tool_choice");
  if (choice.type === "function") {
    return { choice: { type: "tool", name: expectString(choice.name, "tool_choice.name") }, tools };
  }
  if (choice.type === "allowed_tools") {
    const names = new Set<string>();
    expectArray(choice.tools, "tool_choice.tools").forEach((raw, i) => {
      const tool = expectObject(raw, `tool_choice.tools[${i}]`);
      if (OFFERED_ONLY.has(tool.type)) return;
      if (tool.type !== "function")
        throw invalidField(`tool_choice.tools[${i}].type`, "only function tools are supported");
      names.add(expectString(tool.name, `tool_choice.tools[${i}].name`));
    });
    const mode = choice.mode === "required" ? "required" : "auto";
    return { choice: { type: mode }, tools: tools.filter((tool) => names.has(tool.name)) };
  }
  throw invalidField("tool_choice.type", `unsupported tool choice ${JSON.stringify(choice.type)}`);
}

function decodeFormat(value: unknown): IRResponseFormat | undefined {
  const format = optionalObject(value, "text.format");
  if (format === undefined) return undefined;
  switch (format.type) {
    case "text":
      return { type: "text" };
    case "json_object":
      return { type: "json_object" };
    case "json_schema":
      return decodeJsonSchemaFormat(format, "text.format", expectObject(format.schema, "text.format.schema"));
    default:
      throw invalidField("text.format.type", "must be text, json_object or json_schema");
  }
}

function decodeReasoning(value: unknown): IRReasoningConfig | undefined {
  const reasoning = optionalObject(value, "reasoning");
  if (reasoning === undefined) return undefined;
  const config: IRReasoningConfig = {};
  const name = optionalString(reasoning.effort, "reasoning.effort");
  if (name !== undefined) {
    config.effort = decodeEffortName(name, "reasoning.effort");
    if (config.effort === "none") config.enabled = false;
  }
  // Without a summary requested, OpenAI shows no reasoning text; saying so keeps other dialects from sending it.
  const summary = reasoning.summary ?? reasoning.generate_summary;
  config.includeThoughts = summary !== undefined && summary !== null;
  return config;
}

// ---------------------------------------------------------------------------------------------
// Encoding the IR as a request to OpenAI

export function encodeRequest(request: IRRequest): JsonObject {
  const { sampling } = request;
  if (sampling.stop && sampling.stop.length > 0) {
    throw invalidField(
      clientField(sampling, "sampling.stop", "stop"),
      "the OpenAI Responses API has no stop sequences",
    );
  }
  if (sampling.n !== undefined && sampling.n > 1) {
    throw invalidField(
      clientField(sampling, "sampling.n", "n"),
      "the OpenAI Responses API returns exactly one answer",
    );
  }
  const body: JsonObject = { model: request.model, input: encodeInput(request.messages) };
  if (request.system.length > 0) body.instructions = request.system.map((part) => part.text).join("\n\n");
  if (request.tools && request.tools.length > 0) body.tools = request.tools.map(encodeTool);
  if (request.toolChoice) body.tool_choice = encodeToolChoice(request.toolChoice);
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  const { temperature, topP, maxTokens } = sampling;
  if (temperature !== undefined) body.temperature = temperature;
  if (topP !== undefined) body.top_p = topP;
  if (maxTokens !== undefined) body.max_output_tokens = maxTokens;
  if (request.responseFormat) body.text = { format: encodeFormat(request.responseFormat) };
  const reasoning = encodeReasoning(request.reasoning);
  if (reasoning) {
    body.reasoning = reasoning;
    if (reasoning.effort !== "none") body.include = ["reasoning.encrypted_content"];
  }
  if (request.user !== undefined) body.user = request.user;
  if (request.metadata !== undefined) body.metadata = request.metadata;
  body.store = false;
  body.stream = request.stream;
  return body;
}

function encodeInput(messages: IRMessage[]): JsonObject[] {
  const items: JsonObject[] = [];
  messages.forEach((message, i) => {
    let content: JsonObject[] = [];
    const flush = () => {
      if (content.length === 0) return;
      items.push({ type: "message", role: message.role, content });
      content = [];
    };
    message.parts.forEach((part, j) => {
      const path = `messages[${i}].parts[${j}]`;
      switch (part.type) {
        case "text":
          content.push(
            message.role === "assistant" ? outputText(part.text) : { type: "input_text", text: part.text },
          );
          return;
        case "image":
          if (message.role !== "assistant") content.push(encodeImage(part, path));
          return;
        case "file":
          if (message.role !== "assistant") content.push(encodeFile(part, path));
          return;
        case "tool_call":
          flush();
          items.push({ type: "function_call", call_id: part.id, name: part.name, arguments: part.arguments });
          return;
        case "tool_result":
          flush();
          items.push({
            type: "function_call_output",
            call_id: part.toolCallId,
            output: encodeToolOutput(part, path),
          });
          return;
        case "reasoning":
          // Only OpenAI's own encrypted reasoning can be given back to it; other reasoning text cannot.
          if (part.encryptedContent === undefined) return;
          flush();
          items.push(encodeReasoningItem(part));
          return;
      }
    });
    flush();
  });
  return items;
}

function encodeImage(part: IRImagePart, path: string): JsonObject {
  const { source } = part;
  const image: JsonObject = { type: "input_image" };
  if (source.kind === "file_id") image.file_id = ownFileId(source, "openai", clientField(part, path));
  else image.image_url = source.kind === "url" ? source.url : toDataUrl(source.mediaType, source.data);
  image.detail = part.detail ?? "auto";
  return image;
}

function encodeFile(part: IRFilePart, path: string): JsonObject {
  const file: JsonObject = { type: "input_file" };
  const source = part.source;
  if (source.kind === "base64") file.file_data = toDataUrl(source.mediaType, source.data);
  else if (source.kind === "url") file.file_url = source.url;
  else file.file_id = ownFileId(source, "openai", clientField(part, path));
  const filename = part.filename ?? part.title;
  if (filename !== undefined) file.filename = filename;
  return file;
}

function encodeToolOutput(part: IRToolResultPart, path: string): string | JsonObject[] {
  if (part.content.every((each) => each.type === "text")) {
    return joinText(part.content, "");
  }
  return part.content.map((each, k) =>
    each.type === "text"
      ? { type: "input_text", text: each.text }
      : encodeImage(each, `${path}.content[${k}]`),
  );
}

function encodeReasoningItem(part: IRReasoningPart): JsonObject {
  const item: JsonObject = { type: "reasoning" };
  if (part.itemId !== undefined) item.id = part.itemId;
  item.summary = part.text === "" ? [] : [{ type: "summary_text", text: part.text }];
  item.encrypted_content = part.encryptedContent;
  return item;
}

function encodeTool(tool: IRTool): JsonObject {
  const encoded: JsonObject = { type: "function", name: tool.name };
  if (tool.description !== undefined) encoded.description = tool.description;
  encoded.parameters = tool.parameters;
  // Responses treats an absent `strict` as true, which rejects most hand-written schemas.
  encoded.strict = tool.strict ?? false;
  return encoded;
}

function encodeToolChoice(choice: IRToolChoice): unknown {
  return choice.type === "tool" ? { type: "function", name: choice.name } : choice.type;
}

function encodeFormat(format: IRResponseFormat): JsonObject {
  if (format.type !== "json_schema") return { type: format.type };
  const encoded: JsonObject = { type: "json_schema", name: format.name, schema: format.schema };
  if (format.description !== undefined) encoded.description = format.description;
  if (format.strict !== undefined) encoded.strict = format.strict;
  return encoded;
}

function encodeReasoning(
  reasoning: IRReasoningConfig | undefined,
): { effort?: string; summary?: string } | undefined {
  if (!reasoning) return undefined;
  const encoded: { effort?: string; summary?: string } = {};
  if (reasoning.enabled === false) encoded.effort = "none";
  else if (reasoning.effort !== undefined) encoded.effort = reasoning.effort;
  else if (reasoning.budgetTokens !== undefined) encoded.effort = effortForBudget(reasoning.budgetTokens);
  if (reasoning.includeThoughts && encoded.effort !== "none") encoded.summary = "auto";
  return Object.keys(encoded).length > 0 ? encoded : undefined;
}
