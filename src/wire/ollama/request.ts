/**
 * Ollama `/api/chat` request bodies ↔ IR requests. Absent `stream` means streaming; tool
 * results name their tool, not a call id, so they are linked to the calls they answer by
 * name and order.
 */
import type { RequestContext } from "../codec.ts";
import { clientField, invalidField, recordClientField } from "../errors.ts";
import { randomId } from "../ids.ts";
import type {
  IRMessage,
  IRPart,
  IRReasoningConfig,
  IRReasoningEffort,
  IRRequest,
  IRResponseFormat,
  IRSampling,
  IRSystemPart,
  IRTool,
  IRToolCallPart,
  IRToolResultPart,
} from "../ir.ts";
import {
  argumentsObject,
  expectArray,
  expectObject,
  isObject,
  type JsonObject,
  optionalArray,
  optionalBoolean,
  optionalNumber,
  optionalObject,
  optionalString,
  optionalStringArray,
} from "../json.ts";
import { joinText } from "../parts.ts";
import { effortForBudget } from "../reasoning.ts";
import { assistantParts, decodeImages, encodeImage, nonEmptyString, textParts, toolCall } from "./common.ts";

/** Parts of a message, never empty: an empty message still says something (an empty turn). */
function orEmptyText(parts: IRPart[]): IRPart[] {
  return parts.length === 0 ? [{ type: "text", text: "" }] : parts;
}

/** A tool message answers the oldest unanswered call of the tool it names, or the oldest unanswered call. */
function decodeToolResult(
  message: JsonObject,
  content: string,
  unanswered: IRToolCallPart[],
  path: string,
): IRToolResultPart {
  const name = nonEmptyString(message.tool_name);
  const at = unanswered.findIndex((call) => name === undefined || call.name === name);
  const call = at === -1 ? undefined : unanswered.splice(at, 1)[0];
  const result: IRToolResultPart = {
    type: "tool_result",
    toolCallId: call?.id ?? randomId("call_"),
    content: [...textParts(content, `${path}.content`), ...decodeImages(message.images, `${path}.images`)],
  };
  const toolName = name ?? call?.name;
  if (toolName !== undefined) result.name = toolName;
  return recordClientField(result, path);
}

function decodeMessages(raw: unknown[]): { system: IRSystemPart[]; messages: IRMessage[] } {
  const system: IRSystemPart[] = [];
  const messages: IRMessage[] = [];
  const unanswered: IRToolCallPart[] = [];
  raw.forEach((value, i) => {
    const path = `messages[${i}]`;
    const message = expectObject(value, path);
    const content = optionalString(message.content, `${path}.content`) ?? "";
    switch (message.role) {
      case "system":
        if (messages.length === 0) system.push({ text: content });
        else messages.push({ role: "system", parts: [{ type: "text", text: content }] });
        return;
      case "user":
        messages.push({
          role: "user",
          parts: orEmptyText([
            ...textParts(content, `${path}.content`),
            ...decodeImages(message.images, `${path}.images`),
          ]),
        });
        return;
      case "assistant": {
        const parts = assistantParts(message, path);
        for (const part of parts) if (part.type === "tool_call") unanswered.push(part);
        messages.push({ role: "assistant", parts: orEmptyText(parts) });
        return;
      }
      case "tool": {
        const result = decodeToolResult(message, content, unanswered, path);
        const previous = messages.at(-1);
        // Consecutive tool messages answer one assistant turn: they form one IR user turn.
        if (previous?.role === "user" && previous.parts.every((part) => part.type === "tool_result")) {
          previous.parts.push(result);
        } else messages.push({ role: "user", parts: [result] });
        return;
      }
      default:
        throw invalidField(`${path}.role`, 'must be "system", "user", "assistant" or "tool"');
    }
  });
  return { system, messages };
}

function decodeTools(value: unknown): IRTool[] | undefined {
  return optionalArray(value, "tools")?.map((tool, i): IRTool => {
    const path = `tools[${i}].function`;
    const fn = expectObject(expectObject(tool, `tools[${i}]`).function, path);
    const name = nonEmptyString(fn.name);
    if (name === undefined) throw invalidField(`${path}.name`, "must be a non-empty string");
    const parameters = optionalObject(fn.parameters, `${path}.parameters`) ?? {
      type: "object",
      properties: {},
    };
    const decoded: IRTool = { name, parameters };
    const description = nonEmptyString(fn.description);
    if (description !== undefined) decoded.description = description;
    return decoded;
  });
}

/** A schema given as `format` has no name in Ollama; the IR (and OpenAI) need one. */
const SCHEMA_NAME = "response";

function decodeFormat(value: unknown): IRResponseFormat | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (value === "json") return { type: "json_object" };
  if (isObject(value)) return { type: "json_schema", name: SCHEMA_NAME, schema: value };
  throw invalidField("format", 'must be "json" or a JSON schema object');
}

function decodeThink(value: unknown): IRReasoningConfig | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return { enabled: value };
  if (value === "low" || value === "medium" || value === "high") return { enabled: true, effort: value };
  throw invalidField("think", 'must be a boolean or "low", "medium" or "high"');
}

/** Options that map one to one onto IR sampling fields. */
const SAMPLING_OPTIONS = [
  ["temperature", "temperature"],
  ["top_p", "topP"],
  ["top_k", "topK"],
  ["seed", "seed"],
  ["presence_penalty", "presencePenalty"],
  ["frequency_penalty", "frequencyPenalty"],
] as const;

function decodeOptions(value: unknown): IRSampling {
  const options = optionalObject(value, "options") ?? {};
  const sampling: IRSampling = {};
  for (const [option, field] of SAMPLING_OPTIONS) {
    const number = optionalNumber(options[option], `options.${option}`);
    if (number !== undefined) sampling[field] = number;
  }
  // num_predict -1 (no limit) and -2 (fill the context) are not limits the IR can express.
  const numPredict = optionalNumber(options.num_predict, "options.num_predict");
  if (numPredict !== undefined && numPredict > 0) sampling.maxTokens = numPredict;
  const stop =
    typeof options.stop === "string" ? [options.stop] : optionalStringArray(options.stop, "options.stop");
  if (stop !== undefined && stop.length > 0) sampling.stop = stop;
  return recordClientField(sampling, "options.stop", "stop");
}

export function decodeRequest(raw: unknown, context: RequestContext = {}): IRRequest {
  const body = expectObject(raw, "body");
  const model = nonEmptyString(body.model) ?? context.model;
  if (model === undefined) throw invalidField("model", "is required");
  const rawMessages = expectArray(body.messages, "messages");
  const stream = optionalBoolean(body.stream, "stream") ?? context.stream ?? true;
  const { system, messages } = decodeMessages(rawMessages);
  const request: IRRequest = { model, system, messages, sampling: decodeOptions(body.options), stream };
  // Ollama always reports counts on its last line, so its clients always want them.
  if (stream) request.streamUsage = true;
  const tools = decodeTools(body.tools);
  if (tools !== undefined) request.tools = tools;
  const format = decodeFormat(body.format);
  if (format !== undefined) request.responseFormat = format;
  const reasoning = decodeThink(body.think);
  if (reasoning !== undefined) request.reasoning = reasoning;
  return request;
}

function encodeUserRun(parts: IRPart[], path: string, firstIndex: number): JsonObject {
  const message: JsonObject = { role: "user", content: joinText(parts, "\n") };
  const images: string[] = [];
  parts.forEach((part, offset) => {
    const partPath = `${path}.parts[${firstIndex + offset}]`;
    if (part.type === "image") images.push(encodeImage(part, partPath));
    else if (part.type === "file")
      throw invalidField(clientField(part, partPath), "Ollama cannot take documents");
  });
  if (images.length > 0) message.images = images;
  return message;
}

/** The tool a result answers: its own name, else the name of the call it answers. */
type ToolNames = ReadonlyMap<string, string>;

function encodeToolResult(part: IRToolResultPart, path: string, toolNames: ToolNames): JsonObject {
  const message: JsonObject = { role: "tool", content: joinText(part.content, "\n") };
  const images = part.content.flatMap((item, i) =>
    item.type === "image" ? [encodeImage(item, `${path}.content[${i}]`)] : [],
  );
  if (images.length > 0) message.images = images;
  const name = part.name ?? toolNames.get(part.toolCallId);
  if (name !== undefined) message.tool_name = name;
  return message;
}

/** A user turn becomes tool messages for its tool results and user messages for the rest, in order. */
function encodeUserMessage(message: IRMessage, path: string, toolNames: ToolNames): JsonObject[] {
  const encoded: JsonObject[] = [];
  let runStart = 0;
  const flushRun = (end: number) => {
    if (end > runStart) encoded.push(encodeUserRun(message.parts.slice(runStart, end), path, runStart));
  };
  message.parts.forEach((part, i) => {
    if (part.type !== "tool_result") return;
    flushRun(i);
    encoded.push(encodeToolResult(part, `${path}.parts[${i}]`, toolNames));
    runStart = i + 1;
  });
  flushRun(message.parts.length);
  return encoded;
}

function encodeAssistantMessage(message: IRMessage, path: string): JsonObject {
  const encoded: JsonObject = { role: "assistant", content: joinText(message.parts, "\n") };
  let thinking = "";
  const images: string[] = [];
  const toolCalls: JsonObject[] = [];
  message.parts.forEach((part, i) => {
    const partPath = `${path}.parts[${i}]`;
    if (part.type === "reasoning") thinking += part.text;
    else if (part.type === "image") images.push(encodeImage(part, partPath));
    else if (part.type === "tool_call") {
      const args = argumentsObject(part.arguments);
      if (args === undefined)
        throw invalidField(clientField(part, `${partPath}.arguments`, "arguments"), "must be a JSON object");
      toolCalls.push(toolCall(part.name, args));
    }
  });
  if (thinking !== "") encoded.thinking = thinking;
  if (images.length > 0) encoded.images = images;
  if (toolCalls.length > 0) encoded.tool_calls = toolCalls;
  return encoded;
}

function encodeMessages(request: IRRequest): JsonObject[] {
  const messages: JsonObject[] = request.system.map((part) => ({ role: "system", content: part.text }));
  // Ollama links a tool result to its call only by tool name, which OpenAI-style results leave out.
  const toolNames = new Map<string, string>();
  for (const message of request.messages) {
    for (const part of message.parts) if (part.type === "tool_call") toolNames.set(part.id, part.name);
  }
  request.messages.forEach((message, i) => {
    const path = `messages[${i}]`;
    if (message.role === "user") messages.push(...encodeUserMessage(message, path, toolNames));
    else if (message.role === "assistant") messages.push(encodeAssistantMessage(message, path));
    else messages.push({ role: "system", content: joinText(message.parts, "\n") });
  });
  return messages;
}

function encodeOptions(sampling: IRSampling): JsonObject | undefined {
  if (sampling.n !== undefined && sampling.n > 1)
    throw invalidField(clientField(sampling, "sampling.n", "n"), "Ollama returns one answer per request");
  const options: JsonObject = {};
  for (const [option, field] of SAMPLING_OPTIONS) {
    if (sampling[field] !== undefined) options[option] = sampling[field];
  }
  if (sampling.maxTokens !== undefined) options.num_predict = sampling.maxTokens;
  if (sampling.stop !== undefined && sampling.stop.length > 0) options.stop = sampling.stop;
  return Object.keys(options).length > 0 ? options : undefined;
}

const THINK_LEVEL: Record<IRReasoningEffort, false | "low" | "medium" | "high"> = {
  none: false,
  minimal: "low",
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "high",
};

function encodeThink(reasoning: IRReasoningConfig | undefined): boolean | string | undefined {
  if (reasoning === undefined) return undefined;
  if (reasoning.enabled === false) return false;
  if (reasoning.effort !== undefined) return THINK_LEVEL[reasoning.effort];
  if (reasoning.budgetTokens !== undefined) return THINK_LEVEL[effortForBudget(reasoning.budgetTokens)];
  return reasoning.enabled === true ? true : undefined;
}

function encodeFormat(format: IRResponseFormat | undefined): unknown {
  if (format === undefined || format.type === "text") return undefined;
  return format.type === "json_object" ? "json" : format.schema;
}

export function encodeRequest(request: IRRequest): JsonObject {
  const body: JsonObject = { model: request.model, messages: encodeMessages(request) };
  // Ollama cannot force a tool call (the tools are still offered); "none" is honoured by not offering them.
  if (request.tools !== undefined && request.tools.length > 0 && request.toolChoice?.type !== "none") {
    body.tools = request.tools.map((tool) => ({
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
      },
    }));
  }
  const format = encodeFormat(request.responseFormat);
  if (format !== undefined) body.format = format;
  const options = encodeOptions(request.sampling);
  if (options !== undefined) body.options = options;
  const think = encodeThink(request.reasoning);
  if (think !== undefined) body.think = think;
  body.stream = request.stream;
  return body;
}
