/**
 * Request shaping set in settings: a global instruction added before the client's own, and a
 * thinking-budget policy. Both work on the IR, so each dialect gets them in its own place
 * (OpenAI's system/developer message, Anthropic's `system`, Gemini's `systemInstruction`,
 * Ollama's system turn; OpenAI's reasoning effort, Anthropic's thinking budget with max_tokens
 * raised to fit, Gemini's thinking config). While either is on, same-dialect requests are
 * re-encoded through the IR too instead of passing through as bytes.
 */
import { modelSpec } from "../providers/catalog.ts";
import type { Target } from "../routing/resolve.ts";
import { budgetForEffort, effortForBudget, type IRReasoningEffort, type IRRequest } from "../wire/index.ts";

export interface SystemPromptSettings {
  enabled: boolean;
  prompt: string;
}

export const THINKING_MODES = ["passthrough", "auto", "custom", "adaptive", "disabled"] as const;
export type ThinkingMode = (typeof THINKING_MODES)[number];
export const EFFORT_LEVELS = ["none", "low", "medium", "high"] as const;

export interface ThinkingBudgetSettings {
  /**
   * passthrough: as the client asked. auto: as the client asked, else `effortLevel` for models
   * that reason. custom: `customBudget` tokens for every reasoning model (0: off). adaptive: an
   * effort from the size of the conversation, unless the client asked. disabled: reasoning off.
   */
  mode: ThinkingMode;
  customBudget: number;
  effortLevel: (typeof EFFORT_LEVELS)[number];
}

export const SYSTEM_PROMPT_KEY = "systemPrompt";
export const THINKING_BUDGET_KEY = "thinkingBudget";

export const DEFAULT_SYSTEM_PROMPT: SystemPromptSettings = { enabled: false, prompt: "" };
export const DEFAULT_THINKING_BUDGET: ThinkingBudgetSettings = {
  mode: "passthrough",
  customBudget: 8192,
  effortLevel: "medium",
};

type SettingsReader = { get<T>(key: string): T | undefined };

export function readSystemPrompt(settings: SettingsReader): SystemPromptSettings {
  return { ...DEFAULT_SYSTEM_PROMPT, ...settings.get<Partial<SystemPromptSettings>>(SYSTEM_PROMPT_KEY) };
}

export function readThinkingBudget(settings: SettingsReader): ThinkingBudgetSettings {
  return {
    ...DEFAULT_THINKING_BUDGET,
    ...settings.get<Partial<ThinkingBudgetSettings>>(THINKING_BUDGET_KEY),
  };
}

export interface Shaping {
  systemPrompt: SystemPromptSettings;
  thinking: ThinkingBudgetSettings;
}

export function readShaping(settings: SettingsReader): Shaping {
  return { systemPrompt: readSystemPrompt(settings), thinking: readThinkingBudget(settings) };
}

/** Whether the request must be changed at all (else same-dialect bytes pass through). */
export function shapes(shaping: Shaping, comboPrompt: string | undefined): boolean {
  return (
    (shaping.systemPrompt.enabled && shaping.systemPrompt.prompt !== "") ||
    Boolean(comboPrompt) ||
    shaping.thinking.mode !== "passthrough"
  );
}

/** Output room kept beside a thinking budget when the client gave no max_tokens that fits it. */
const ANSWER_ROOM_TOKENS = 4096;

/** Conversation sizes (characters) from which adaptive thinking steps up an effort. */
const ADAPTIVE_STEPS: Array<[characters: number, effort: IRReasoningEffort]> = [
  [20_000, "high"],
  [2_000, "medium"],
  [0, "low"],
];

/**
 * The request as this target should get it: the global prompt, then the prompt of the combo the
 * target came from, before the client's own instructions; then the thinking policy.
 */
export function shapeRequest(
  request: IRRequest,
  target: Target,
  shaping: Shaping,
  comboPrompt: string | undefined,
): IRRequest {
  let shaped = request;
  const { systemPrompt } = shaping;
  const prompts = [systemPrompt.enabled ? systemPrompt.prompt : "", comboPrompt ?? ""].filter(
    (text) => text !== "",
  );
  if (prompts.length > 0)
    shaped = { ...shaped, system: [...prompts.map((text) => ({ text })), ...shaped.system] };
  const budget = thinkingBudget(shaped, target, shaping.thinking);
  if (budget === undefined) return shaped;
  if (budget === 0) return { ...shaped, reasoning: { ...shaped.reasoning, enabled: false, effort: "none" } };
  const spec = modelSpec(target.endpoint.providerId, target.model);
  const asked = shaped.sampling.maxTokens;
  const maxTokens =
    asked !== undefined && asked > budget
      ? asked
      : Math.min(budget + (asked ?? ANSWER_ROOM_TOKENS), spec?.maxOutputTokens ?? Number.POSITIVE_INFINITY);
  return {
    ...shaped,
    reasoning: { ...shaped.reasoning, enabled: true, budgetTokens: budget, effort: effortForBudget(budget) },
    sampling: { ...shaped.sampling, maxTokens },
  };
}

/** Tokens of thinking the policy sets for this target (0: off), or undefined to leave the request as it is. */
function thinkingBudget(
  request: IRRequest,
  target: Target,
  thinking: ThinkingBudgetSettings,
): number | undefined {
  const reasons = modelSpec(target.endpoint.providerId, target.model)?.reasoning === true;
  const clientAsked = request.reasoning !== undefined;
  switch (thinking.mode) {
    case "passthrough":
      return undefined;
    case "disabled":
      return reasons || clientAsked ? 0 : undefined;
    case "custom":
      return reasons ? thinking.customBudget : undefined;
    case "auto":
      return reasons && !clientAsked ? budgetForEffort(thinking.effortLevel) : undefined;
    case "adaptive": {
      if (!reasons || clientAsked) return undefined;
      const size = conversationSize(request);
      return budgetForEffort(ADAPTIVE_STEPS.find(([characters]) => size >= characters)![1]);
    }
  }
}

function conversationSize(request: IRRequest): number {
  let size = 0;
  for (const part of request.system) size += part.text.length;
  for (const message of request.messages)
    for (const part of message.parts) if (part.type === "text") size += part.text.length;
  return size;
}
