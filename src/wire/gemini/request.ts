/**
 * Gemini `generateContent` / `streamGenerateContent` request bodies to and from the IR.
 *
 * The model and whether to stream come from the URL (`RequestContext`), not the body. The REST
 * API accepts snake_case field names as well as camelCase, so the decoder reads both.
 * Function calls may carry no `id`; a function response without one answers the oldest
 * unanswered call of its name. Built-in tools (Google Search, code execution …), cached
 * content and non-text output modalities have no equivalent elsewhere and are refused (400).
 *
 * Towards Gemini, JSON Schemas are reduced to Gemini's OpenAPI subset (json-schema.ts), and a
 * function call of the current turn that carries no thought signature (it came from another
 * provider) gets the documented `skip_thought_signature_validator` placeholder, without which
 * thinking Gemini models reject the conversation.
 */
import type { RequestContext } from "../codec.ts";
import { parseDataUrl } from "../data-url.ts";
import { clientField, invalidField, ownFileId, recordClientField } from "../errors.ts";
import { randomId } from "../ids.ts";
import type {
  IRFilePart,
  IRImagePart,
  IRMessage,
  IRPart,
  IRReasoningConfig,
  IRReasoningEffort,
  IRRequest,
  IRResponseFormat,
  IRSampling,
  IRTool,
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
import { fromGeminiSchema, toGeminiSchema } from "../json-schema.ts";
import { joinText } from "../parts.ts";
import { budgetForEffort } from "../reasoning.ts";
import { functionCallPart } from "./response.ts";

/** Gemini's documented placeholder for function calls whose thought signature is unknown. */
export const SKIP_THOUGHT_SIGNATURE = "skip_thought_signature_validator";

const SNAKE_CASE = new Map<string, string>();

/** A field by its camelCase name or the snake_case spelling the REST API also accepts. */
function field(object: JsonObject, camel: string): unknown {
  const value = object[camel];
  if (value !== undefined) return value;
  let snake = SNAKE_CASE.get(camel);
  if (snake === undefined) {
    snake = camel.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    SNAKE_CASE.set(camel, snake);
  }
  return object[snake];
}

const EFFORT_BY_LEVEL: Readonly<Record<string, IRReasoningEffort>> = {
  MINIMAL: "minimal",
  LOW: "low",
  MEDIUM: "medium",
  HIGH: "high",
  XHIGH: "xhigh",
};

// ---------------------------------------------------------------------------------------------
// Decoding a client request

export function decodeRequest(body: unknown, context: RequestContext = {}): IRRequest {
  const request = expectObject(body, "body");
  const model = (context.model ?? optionalString(request.model, "model"))?.replace(/^models\//, "");
  if (model === undefined || model === "") throw invalidField("model", "is required (it is part of the URL)");
  if (field(request, "cachedContent") !== undefined) {
    throw invalidField(
      "cachedContent",
      "cached content is stored at Google and cannot be used by this router",
    );
  }

  const ir: IRRequest = {
    model,
    system: decodeSystem(field(request, "systemInstruction")),
    messages: decodeContents(field(request, "contents")),
    sampling: {},
    stream: context.stream ?? false,
  };
  const tools = decodeTools(field(request, "tools"));
  const choice = decodeToolConfig(field(request, "toolConfig"), tools);
  if (choice.tools.length > 0) ir.tools = choice.tools;
  if (choice.choice) ir.toolChoice = choice.choice;

  const config = optionalObject(field(request, "generationConfig"), "generationConfig");
  if (config) {
    ir.sampling = decodeSampling(config);
    const format = decodeFormat(config);
    if (format) ir.responseFormat = format;
    const reasoning = decodeThinking(field(config, "thinkingConfig"));
    if (reasoning) ir.reasoning = reasoning;
  }
  return ir;
}

function decodeSystem(value: unknown): IRRequest["system"] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [{ text: value }];
  const content = expectObject(value, "systemInstruction");
  return expectArray(content.parts, "systemInstruction.parts").map((raw, i) => ({
    text: expectString(
      expectObject(raw, `systemInstruction.parts[${i}]`).text,
      `systemInstruction.parts[${i}].text`,
    ),
  }));
}

function decodeContents(value: unknown): IRMessage[] {
  const contents = expectArray(value, "contents");
  if (contents.length === 0) throw invalidField("contents", "must not be empty");
  /** Calls not yet answered, oldest first, for function responses that name no id. */
  const unanswered: Array<{ id: string; name: string }> = [];
  return contents.map((raw, i) => {
    const path = `contents[${i}]`;
    const content = expectObject(raw, path);
    const role = content.role;
    if (role !== undefined && role !== "user" && role !== "model" && role !== "function") {
      throw invalidField(`${path}.role`, "must be user or model");
    }
    const parts = expectArray(content.parts, `${path}.parts`).map((raw, j) => {
      const partPath = `${path}.parts[${j}]`;
      return recordClientField(decodePart(expectObject(raw, partPath), partPath, unanswered), partPath);
    });
    return { role: role === "model" ? "assistant" : "user", parts };
  });
}

function decodePart(part: JsonObject, path: string, unanswered: Array<{ id: string; name: string }>): IRPart {
  const signature = optionalString(field(part, "thoughtSignature"), `${path}.thoughtSignature`);
  const call = optionalObject(field(part, "functionCall"), `${path}.functionCall`);
  if (call) {
    const name = expectString(call.name, `${path}.functionCall.name`);
    const id = optionalString(call.id, `${path}.functionCall.id`) ?? randomId("call_");
    unanswered.push({ id, name });
    const args = optionalObject(call.args, `${path}.functionCall.args`) ?? {};
    const decoded: IRPart = { type: "tool_call", id, name, arguments: JSON.stringify(args) };
    if (signature !== undefined) decoded.thoughtSignature = signature;
    return recordClientField(decoded, `${path}.functionCall.args`, "arguments");
  }
  const response = optionalObject(field(part, "functionResponse"), `${path}.functionResponse`);
  if (response) return decodeFunctionResponse(response, `${path}.functionResponse`, unanswered);
  if (part.text !== undefined) {
    const text = expectString(part.text, `${path}.text`);
    const thought = optionalBoolean(part.thought, `${path}.thought`) === true;
    const decoded: IRPart = thought ? { type: "reasoning", text } : { type: "text", text };
    if (signature !== undefined) decoded.thoughtSignature = signature;
    return decoded;
  }
  const media = decodeMedia(part, path);
  if (media) return media;
  const kind = Object.keys(part).find((key) => key !== "thoughtSignature" && key !== "thought_signature");
  throw invalidField(path, `unsupported part ${kind === undefined ? "(empty)" : JSON.stringify(kind)}`);
}

/** The URIs of Gemini's Files API (`https://generativelanguage.googleapis.com/v1beta/files/abc`), which only Gemini can read. */
const FILES_API_URI = /^https:\/\/generativelanguage\.googleapis\.com\/[^/]+\/files\/[^/?#]+$/;

/** An `inlineData` or `fileData` part: an image or a file, by its media type. */
function decodeMedia(part: JsonObject, path: string): IRImagePart | IRFilePart | undefined {
  let mediaType: string;
  let source: IRImagePart["source"];
  const inline = optionalObject(field(part, "inlineData"), `${path}.inlineData`);
  const file = optionalObject(field(part, "fileData"), `${path}.fileData`);
  if (inline) {
    mediaType = expectString(field(inline, "mimeType"), `${path}.inlineData.mimeType`);
    source = { kind: "base64", mediaType, data: expectString(inline.data, `${path}.inlineData.data`) };
  } else if (file) {
    mediaType = optionalString(field(file, "mimeType"), `${path}.fileData.mimeType`) ?? "";
    const uri = expectString(field(file, "fileUri"), `${path}.fileData.fileUri`);
    if (!FILES_API_URI.test(uri)) source = { kind: "url", url: uri };
    else {
      source = { kind: "file_id", fileId: uri, store: "gemini" };
      if (mediaType !== "") source.mediaType = mediaType;
    }
  } else return undefined;
  return mediaType.startsWith("image/") ? { type: "image", source } : { type: "file", source };
}

function decodeFunctionResponse(
  response: JsonObject,
  path: string,
  unanswered: Array<{ id: string; name: string }>,
): IRToolResultPart {
  const name = expectString(response.name, `${path}.name`);
  const given = optionalString(response.id, `${path}.id`);
  const position = unanswered.findIndex((call) =>
    given === undefined ? call.name === name : call.id === given,
  );
  const [answered] = position === -1 ? [] : unanswered.splice(position, 1);
  const payload = optionalObject(response.response, `${path}.response`) ?? {};
  const keys = Object.keys(payload);
  // `{output: "..."}` / `{error: ...}` are Gemini's documented shapes; other objects travel as JSON text.
  const only = keys.length === 1 ? keys[0] : undefined;
  const isError = only === "error";
  const single = only === "output" || isError ? payload[only] : undefined;
  const text = typeof single === "string" ? single : JSON.stringify(payload);
  const content: IRToolResultPart["content"] = [{ type: "text", text }];
  optionalArray(response.parts, `${path}.parts`)?.forEach((raw, k) => {
    const partPath = `${path}.parts[${k}]`;
    const media = decodeMedia(expectObject(raw, partPath), partPath);
    if (media?.type !== "image")
      throw invalidField(partPath, "only images can be part of a function response");
    content.push(recordClientField(media, partPath));
  });
  const result: IRToolResultPart = {
    type: "tool_result",
    toolCallId: given ?? answered?.id ?? randomId("call_"),
    name,
    content,
  };
  if (isError) result.isError = true;
  return result;
}

function decodeTools(value: unknown): IRTool[] {
  const tools: IRTool[] = [];
  optionalArray(value, "tools")?.forEach((raw, i) => {
    const tool = expectObject(raw, `tools[${i}]`);
    for (const key of Object.keys(tool)) {
      if (key !== "functionDeclarations" && key !== "function_declarations") {
        throw invalidField(
          `tools[${i}].${key}`,
          "built-in Gemini tools are not supported; only functionDeclarations are",
        );
      }
    }
    optionalArray(field(tool, "functionDeclarations"), `tools[${i}].functionDeclarations`)?.forEach(
      (rawDeclaration, j) => {
        const path = `tools[${i}].functionDeclarations[${j}]`;
        const declaration = expectObject(rawDeclaration, path);
        const jsonSchema = optionalObject(
          field(declaration, "parametersJsonSchema"),
          `${path}.parametersJsonSchema`,
        );
        const schema = optionalObject(declaration.parameters, `${path}.parameters`);
        const ir: IRTool = {
          name: expectString(declaration.name, `${path}.name`),
          parameters: jsonSchema ?? (schema ? fromGeminiSchema(schema) : { type: "object", properties: {} }),
        };
        const description = optionalString(declaration.description, `${path}.description`);
        if (description !== undefined) ir.description = description;
        tools.push(ir);
      },
    );
  });
  return tools;
}

function decodeToolConfig(value: unknown, tools: IRTool[]): { choice?: IRToolChoice; tools: IRTool[] } {
  const config = optionalObject(
    field(optionalObject(value, "toolConfig") ?? {}, "functionCallingConfig"),
    "toolConfig.functionCallingConfig",
  );
  if (!config) return { tools };
  const mode = optionalString(config.mode, "toolConfig.functionCallingConfig.mode") ?? "AUTO";
  const path = "toolConfig.functionCallingConfig.allowedFunctionNames";
  const allowed = optionalStringArray(field(config, "allowedFunctionNames"), path);
  // Allowed names narrow the tool list itself: the IR has no separate "allowed" subset.
  const narrowed = allowed ? tools.filter((tool) => allowed.includes(tool.name)) : tools;
  switch (mode) {
    case "NONE":
      return { choice: { type: "none" }, tools };
    case "ANY": {
      const [only] = narrowed;
      if (narrowed.length === 1 && only) return { choice: { type: "tool", name: only.name }, tools };
      return { choice: { type: "required" }, tools: narrowed };
    }
    case "AUTO":
    case "VALIDATED":
    case "MODE_UNSPECIFIED":
      return { choice: { type: "auto" }, tools: narrowed };
    default:
      throw invalidField("toolConfig.functionCallingConfig.mode", "must be AUTO, ANY, NONE or VALIDATED");
  }
}

function decodeSampling(config: JsonObject): IRSampling {
  const sampling: IRSampling = {};
  const at = (name: string) => `generationConfig.${name}`;
  const numbers = {
    temperature: optionalNumber(field(config, "temperature"), at("temperature")),
    topP: optionalNumber(field(config, "topP"), at("topP")),
    topK: optionalNumber(field(config, "topK"), at("topK")),
    maxTokens: optionalInteger(field(config, "maxOutputTokens"), at("maxOutputTokens")),
    seed: optionalInteger(field(config, "seed"), at("seed")),
    presencePenalty: optionalNumber(field(config, "presencePenalty"), at("presencePenalty")),
    frequencyPenalty: optionalNumber(field(config, "frequencyPenalty"), at("frequencyPenalty")),
    n: optionalInteger(field(config, "candidateCount"), at("candidateCount")),
  };
  for (const [key, value] of Object.entries(numbers)) {
    if (value !== undefined) sampling[key as keyof typeof numbers] = value;
  }
  const stop = optionalStringArray(field(config, "stopSequences"), at("stopSequences"));
  if (stop) sampling.stop = stop;
  recordClientField(sampling, at("stopSequences"), "stop");
  return recordClientField(sampling, at("candidateCount"), "n");
}

function decodeFormat(config: JsonObject): IRResponseFormat | undefined {
  const modalities = optionalArray(
    field(config, "responseModalities"),
    "generationConfig.responseModalities",
  );
  if (modalities?.some((modality) => modality !== "TEXT")) {
    throw invalidField("generationConfig.responseModalities", "only TEXT output is supported");
  }
  const mimeType = optionalString(field(config, "responseMimeType"), "generationConfig.responseMimeType");
  if (mimeType === undefined || mimeType === "text/plain") return undefined;
  if (mimeType !== "application/json") {
    throw invalidField("generationConfig.responseMimeType", "must be text/plain or application/json");
  }
  const jsonSchema = field(config, "responseJsonSchema");
  if (jsonSchema !== undefined && jsonSchema !== null) {
    return {
      type: "json_schema",
      name: "response",
      schema: expectObject(jsonSchema, "generationConfig.responseJsonSchema"),
    };
  }
  const schema = optionalObject(field(config, "responseSchema"), "generationConfig.responseSchema");
  return schema
    ? { type: "json_schema", name: "response", schema: fromGeminiSchema(schema) }
    : { type: "json_object" };
}

function decodeThinking(value: unknown): IRReasoningConfig | undefined {
  const thinking = optionalObject(value, "generationConfig.thinkingConfig");
  if (!thinking) return undefined;
  const path = "generationConfig.thinkingConfig";
  const config: IRReasoningConfig = {};
  const budget = optionalInteger(field(thinking, "thinkingBudget"), `${path}.thinkingBudget`);
  // 0 turns thinking off; -1 is "dynamic": on, with a budget the model picks.
  if (budget === 0) config.enabled = false;
  else if (budget !== undefined) {
    config.enabled = true;
    if (budget > 0) config.budgetTokens = budget;
  }
  const level = optionalString(field(thinking, "thinkingLevel"), `${path}.thinkingLevel`);
  if (level !== undefined && level !== "THINKING_LEVEL_UNSPECIFIED") {
    const effort = EFFORT_BY_LEVEL[level];
    if (effort === undefined)
      throw invalidField(`${path}.thinkingLevel`, "must be MINIMAL, LOW, MEDIUM, HIGH or XHIGH");
    config.effort = effort;
  }
  // Gemini's default is no thoughts in the answer; saying so keeps other dialects from sending them.
  config.includeThoughts =
    optionalBoolean(field(thinking, "includeThoughts"), `${path}.includeThoughts`) ?? false;
  return config;
}

// ---------------------------------------------------------------------------------------------
// Encoding the IR as a request to Gemini

export function encodeRequest(request: IRRequest): JsonObject {
  const body: JsonObject = { contents: encodeContents(request.messages) };
  if (request.system.length > 0)
    body.systemInstruction = { parts: request.system.map((part) => ({ text: part.text })) };
  if (request.tools && request.tools.length > 0) {
    body.tools = [{ functionDeclarations: request.tools.map(encodeTool) }];
  }
  if (request.toolChoice) body.toolConfig = { functionCallingConfig: encodeToolChoice(request.toolChoice) };
  const config = encodeGenerationConfig(request);
  if (Object.keys(config).length > 0) body.generationConfig = config;
  return body;
}

function encodeContents(messages: IRMessage[]): JsonObject[] {
  const contents: Array<{ role: string; parts: JsonObject[] }> = [];
  const names = new Map<string, string>();
  messages.forEach((message, i) => {
    const role = message.role === "assistant" ? "model" : "user";
    const parts = message.parts.flatMap((part, j) => encodePart(part, `messages[${i}].parts[${j}]`, names));
    if (parts.length === 0) return;
    // Gemini wants turns to alternate; a mid-conversation system message joins the user's turn.
    const last = contents[contents.length - 1];
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  });
  signCurrentTurn(contents);
  return contents;
}

/**
 * The current turn (since the last user text) is where thinking Gemini models check thought
 * signatures: the first function call of each model step must carry one.
 */
function signCurrentTurn(contents: Array<{ role: string; parts: JsonObject[] }>): void {
  for (let i = contents.length - 1; i >= 0; i--) {
    const content = contents[i];
    if (content === undefined) continue;
    if (content.role === "user") {
      if (content.parts.some((part) => part.functionResponse === undefined)) return;
      continue;
    }
    const call = content.parts.find((part) => part.functionCall !== undefined);
    if (call && call.thoughtSignature === undefined) call.thoughtSignature = SKIP_THOUGHT_SIGNATURE;
  }
}

function encodePart(part: IRPart, path: string, names: Map<string, string>): JsonObject[] {
  switch (part.type) {
    case "text":
      return [
        part.thoughtSignature === undefined
          ? { text: part.text }
          : { text: part.text, thoughtSignature: part.thoughtSignature },
      ];
    case "reasoning":
      // Only Gemini's own thoughts (they come signed) mean anything to Gemini.
      if (part.thoughtSignature === undefined) return [];
      return [{ text: part.text, thought: true, thoughtSignature: part.thoughtSignature }];
    case "image":
      return [encodeMedia(part, path, "image/jpeg")];
    case "file":
      return [encodeMedia(part, path, "application/pdf")];
    case "tool_call": {
      names.set(part.id, part.name);
      const args = argumentsObject(part.arguments);
      if (args === undefined)
        throw invalidField(clientField(part, `${path}.arguments`, "arguments"), "must be a JSON object");
      return [functionCallPart(part.id, part.name, args, part.thoughtSignature)];
    }
    case "tool_result":
      return [encodeFunctionResponse(part, path, names)];
  }
}

function encodeMedia(part: IRImagePart | IRFilePart, path: string, fallbackType: string): JsonObject {
  const { source } = part;
  if (source.kind === "file_id") {
    const fileUri = ownFileId(source, "gemini", clientField(part, path));
    return { fileData: { mimeType: source.mediaType ?? fallbackType, fileUri } };
  }
  const inline = source.kind === "base64" ? source : parseDataUrl(source.url);
  if (inline) return { inlineData: { mimeType: inline.mediaType, data: inline.data } };
  const url = source.kind === "url" ? source.url : "";
  return { fileData: { mimeType: mediaTypeOf(url) ?? fallbackType, fileUri: url } };
}

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
  txt: "text/plain",
};

function mediaTypeOf(url: string): string | undefined {
  const path = url.split(/[?#]/, 1)[0] ?? "";
  const dot = path.lastIndexOf(".");
  return dot === -1 ? undefined : MEDIA_TYPES[path.slice(dot + 1).toLowerCase()];
}

function encodeFunctionResponse(
  part: IRToolResultPart,
  path: string,
  names: Map<string, string>,
): JsonObject {
  const name = part.name ?? names.get(part.toolCallId);
  if (name === undefined) {
    throw invalidField(
      clientField(part, `${path}.name`, "name"),
      "Gemini needs the name of the function this result answers",
    );
  }
  const text = joinText(part.content, "");
  // `response` must be an object: JSON objects go as they are, anything else under Gemini's documented keys.
  const parsed = text.trim() === "" ? undefined : argumentsObject(text);
  let payload: JsonObject;
  if (parsed === undefined) payload = { [part.isError ? "error" : "output"]: text };
  else payload = part.isError && !("error" in parsed) ? { error: parsed } : parsed;
  const response: JsonObject = { id: part.toolCallId, name, response: payload };
  const images = part.content.flatMap((each, k) =>
    each.type === "image" ? [encodeMedia(each, `${path}.content[${k}]`, "image/jpeg")] : [],
  );
  if (images.length > 0) response.parts = images;
  return { functionResponse: response };
}

function encodeTool(tool: IRTool): JsonObject {
  const declaration: JsonObject = { name: tool.name };
  if (tool.description !== undefined) declaration.description = tool.description;
  const parameters = toGeminiSchema(tool.parameters);
  // Gemini rejects an OBJECT schema without properties; a function without arguments has none.
  if (isObject(parameters.properties) && Object.keys(parameters.properties).length > 0) {
    declaration.parameters = parameters;
  }
  return declaration;
}

function encodeToolChoice(choice: IRToolChoice): JsonObject {
  if (choice.type === "tool") return { mode: "ANY", allowedFunctionNames: [choice.name] };
  return { mode: choice.type === "required" ? "ANY" : choice.type === "none" ? "NONE" : "AUTO" };
}

function encodeGenerationConfig(request: IRRequest): JsonObject {
  const config: JsonObject = {};
  const sampling = request.sampling;
  const pairs: Array<[string, unknown]> = [
    ["temperature", sampling.temperature],
    ["topP", sampling.topP],
    ["topK", sampling.topK],
    ["maxOutputTokens", sampling.maxTokens],
    ["stopSequences", sampling.stop && sampling.stop.length > 0 ? sampling.stop : undefined],
    ["seed", sampling.seed],
    ["presencePenalty", sampling.presencePenalty],
    ["frequencyPenalty", sampling.frequencyPenalty],
    ["candidateCount", sampling.n],
  ];
  for (const [key, value] of pairs) if (value !== undefined) config[key] = value;
  const format = request.responseFormat;
  if (format?.type === "json_object") config.responseMimeType = "application/json";
  else if (format?.type === "json_schema") {
    config.responseMimeType = "application/json";
    config.responseSchema = toGeminiSchema(format.schema);
  }
  const thinking = encodeThinking(request.reasoning);
  if (thinking) config.thinkingConfig = thinking;
  return config;
}

/** Every thinking Gemini model takes `thinkingBudget` (Gemini 3 also `thinkingLevel`), so budgets are what we send. */
function encodeThinking(reasoning: IRReasoningConfig | undefined): JsonObject | undefined {
  if (!reasoning) return undefined;
  const thinking: JsonObject = {};
  if (reasoning.enabled === false) thinking.thinkingBudget = 0;
  else if (reasoning.budgetTokens !== undefined) thinking.thinkingBudget = reasoning.budgetTokens;
  else if (reasoning.effort !== undefined) thinking.thinkingBudget = budgetForEffort(reasoning.effort);
  else if (reasoning.enabled === true) thinking.thinkingBudget = -1;
  // Unless the client said otherwise, let thoughts through: its own encoder drops what it cannot show.
  if (reasoning.enabled !== false) thinking.includeThoughts = reasoning.includeThoughts ?? true;
  return Object.keys(thinking).length > 0 ? thinking : undefined;
}
