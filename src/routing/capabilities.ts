/**
 * What a request needs of a target — tool calls, image input, a context window that holds the
 * prompt, continuing a partial assistant answer — and whether a target is known to lack it. A
 * target is skipped only for what the catalogue says its model cannot do: an unknown model, or
 * one whose flag is absent, is tried (the upstream's own refusal is classified as usual).
 */
import { type ModelSpec, modelSpec } from "../providers/catalog.ts";
import type { Dialect, IRRequest } from "../wire/ir.ts";
import type { Target } from "./resolve.ts";

export interface Needs {
  tools?: boolean;
  vision?: boolean;
  /** Estimated prompt tokens. */
  inputTokens?: number;
  /** The request ends with a partial assistant answer that the target must continue, not restart. */
  continuation?: boolean;
}

/**
 * The APIs that continue a final assistant message instead of answering after it: Anthropic
 * Messages (prefill) and Ollama's chat. OpenAI's APIs and Gemini start a new answer.
 */
const CONTINUES_ASSISTANT: Record<Dialect, boolean> = {
  "openai-chat": false,
  "openai-responses": false,
  anthropic: true,
  gemini: false,
  ollama: true,
};

export function continuesAssistant(dialect: Dialect): boolean {
  return CONTINUES_ASSISTANT[dialect];
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
 * Whether a prompt of `promptChars` characters might not fit some target's context window. A
 * token spans at least one character, so a prompt with fewer characters than every known window
 * fits without counting its tokens.
 */
export function someMayBeTooSmall(targets: readonly Target[], promptChars: number): boolean {
  return targets.some((target) => {
    const window = specOf(target)?.contextWindow;
    return window !== undefined && promptChars > window;
  });
}

/** Why the target cannot carry a request with these needs, or undefined when it may. */
export function unfitReason(target: Target, needs: Needs): string | undefined {
  if (!needs.tools && !needs.vision && needs.inputTokens === undefined && !needs.continuation)
    return undefined;
  const name = `${target.endpoint.prefix}/${target.model}`;
  if (needs.continuation && !continuesAssistant(target.endpoint.dialect))
    return `${name} cannot continue a partial answer`;
  const spec = specOf(target);
  if (spec === undefined) return undefined;
  if (needs.tools && spec.tools === false) return `${name} cannot call tools`;
  if (needs.vision && spec.vision === false) return `${name} does not take images`;
  if (
    needs.inputTokens !== undefined &&
    spec.contextWindow !== undefined &&
    needs.inputTokens > spec.contextWindow
  )
    return `${name} holds ${spec.contextWindow} tokens, fewer than the prompt's ~${needs.inputTokens}`;
  return undefined;
}
