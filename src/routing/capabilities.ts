/**
 * What a request needs of a target — tool calls, image input, a context window that holds the
 * prompt, continuing a partial assistant answer — and whether a target is known to lack it. A
 * target is skipped only for what the catalogue says its model cannot do: an unknown model, or
 * one whose flag is absent, is tried (the upstream's own refusal is classified as usual).
 *
 * The prompt's tokens are counted only when a target's window is smaller than the prompt's bytes
 * (a token spans at least one byte), and then once per request: a large prompt costs its count
 * only if the walk reaches a target it might not fit.
 */
import { type ModelSpec, modelSpec, providerSpec } from "../providers/catalog.ts";
import type { Dialect, IRRequest } from "../wire/ir.ts";
import type { Target } from "./resolve.ts";

export interface Needs {
  tools?: boolean;
  vision?: boolean;
  /** The prompt's size: an upper bound in bytes, and its estimated tokens, counted on first need. */
  prompt?: { bytes: number; tokens: () => Promise<number> };
  /** The request ends with a partial assistant answer that the target must continue, not restart. */
  continuation?: boolean;
}

/**
 * The APIs that continue a final assistant message instead of answering after it: Anthropic
 * Messages (prefill) and Ollama's chat. OpenAI's APIs and Gemini start a new answer, unless the
 * provider has a field that asks it to continue (`prefillField` in the catalogue).
 */
const CONTINUES_ASSISTANT: Record<Dialect, boolean> = {
  "openai-chat": false,
  "openai-responses": false,
  anthropic: true,
  gemini: false,
  ollama: true,
};

function continuesAssistant(target: Target): boolean {
  return (
    CONTINUES_ASSISTANT[target.endpoint.dialect] ||
    providerSpec(target.endpoint.providerId)?.prefillField !== undefined
  );
}

/** What the request asks of any target, beyond its size. */
export function neededCapabilities(request: IRRequest): Needs {
  const tools = (request.tools?.length ?? 0) > 0;
  const vision = request.messages.some((message) =>
    message.parts.some(
      (part) =>
        part.type === "image" ||
        (part.type === "tool_result" && part.content.some((inner) => inner.type === "image")),
    ),
  );
  return { ...(tools ? { tools } : {}), ...(vision ? { vision } : {}) };
}

function specOf(target: Target): ModelSpec | undefined {
  return modelSpec(target.endpoint.providerId, target.model);
}

/** Whether the catalogue says some target lacks tools or vision (then the request is read for them). */
export function someLackCapabilities(targets: readonly Target[]): boolean {
  return targets.some((target) => {
    const spec = specOf(target);
    return spec?.tools === false || spec?.vision === false;
  });
}

/**
 * Why the target cannot carry a request with these needs, or undefined when it may; a promise
 * only when the prompt's tokens have to be counted to tell.
 */
export function unfitReason(target: Target, needs: Needs): string | undefined | Promise<string | undefined> {
  if (!needs.tools && !needs.vision && needs.prompt === undefined && !needs.continuation) return undefined;
  const name = `${target.endpoint.prefix}/${target.model}`;
  if (needs.continuation && !continuesAssistant(target)) return `${name} cannot continue a partial answer`;
  const spec = specOf(target);
  if (spec === undefined) return undefined;
  if (needs.tools && spec.tools === false) return `${name} cannot call tools`;
  if (needs.vision && spec.vision === false) return `${name} does not take images`;
  const window = spec.contextWindow;
  const { prompt } = needs;
  if (prompt === undefined || window === undefined || prompt.bytes <= window) return undefined;
  return prompt
    .tokens()
    .then((tokens) =>
      tokens > window ? `${name} holds ${window} tokens, fewer than the prompt's ~${tokens}` : undefined,
    );
}
