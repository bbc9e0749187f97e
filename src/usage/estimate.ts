/**
 * Token estimates for when an upstream does not count (Anthropic's count_tokens asked of another
 * provider, usage missing from an answer). o200k_base is loaded on first use only: it costs
 * ~0.7 s and ~30 MB, which nobody who never needs an estimate should pay.
 */
import type { IRRequest } from "../wire/ir.ts";

let encoder: Promise<(text: string) => number> | undefined;

function counter(): Promise<(text: string) => number> {
  encoder ??= import("gpt-tokenizer/encoding/o200k_base").then((module) => module.countTokens);
  return encoder;
}

export async function estimateTokens(text: string): Promise<number> {
  if (text === "") return 0;
  return (await counter())(text);
}

/** Per-message framing the chat formats add around each turn (OpenAI's documented ~3 tokens). */
const TOKENS_PER_MESSAGE = 3;
/** An image's cost varies by size and provider; this is the common middle (a ~512 px tile). */
const TOKENS_PER_IMAGE = 258;

/** The prompt tokens of a request: instructions, turns, tool definitions. */
export async function estimateRequestTokens(request: IRRequest): Promise<number> {
  const texts: string[] = request.system.map((part) => part.text);
  let fixed = 0;
  for (const message of request.messages) {
    fixed += TOKENS_PER_MESSAGE;
    for (const part of message.parts) {
      if (part.type === "text" || part.type === "reasoning") texts.push(part.text);
      else if (part.type === "tool_call") texts.push(part.name, part.arguments);
      else if (part.type === "tool_result") {
        for (const inner of part.content) {
          if (inner.type === "text") texts.push(inner.text);
          else fixed += TOKENS_PER_IMAGE;
        }
      } else if (part.type === "image") fixed += TOKENS_PER_IMAGE;
    }
  }
  for (const tool of request.tools ?? [])
    texts.push(tool.name, tool.description ?? "", JSON.stringify(tool.parameters));
  return fixed + (await estimateTokens(texts.join("\n")));
}
