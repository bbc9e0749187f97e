/**
 * Going on with a stream that was cut after the client had part of the answer: the request
 * again with the partial text as a final assistant message (a prefill the next target continues),
 * and the next target's events renumbered into the stream the client already has: no second
 * start, the text part that was open goes on, later parts follow the ones it has seen.
 *
 * Only text can be continued. A cut inside a tool call, or after a finish, is not; nor one inside
 * reasoning for a client whose reasoning must arrive whole (an Anthropic thinking block cut before
 * its signature would be refused when sent back, a Responses reasoning item needs its end). The
 * continuation asks for no reasoning (Anthropic refuses a prefill with thinking on), and any that
 * comes is dropped.
 */
import type { IRMessage, IRRequest, IRStreamEvent } from "../wire/index.ts";

/** What the client has been sent so far, as IR events. */
export class AnswerSoFar {
  /** All answer text sent, in order. */
  text = "";
  /** The text part still open (the last part begun, not ended), if there is one. */
  openText: number | undefined;
  /** One past the largest part index sent. */
  nextIndex = 0;
  /** Part indexes came as 0, 1, 2, … in order (what the client saw is what an encoder would number). */
  inOrder = true;
  private toolCalls = false;
  private finished = false;
  /** The reasoning part still open, if one is. */
  private openReasoning: number | undefined;

  /** `wholeReasoning`: the client's reasoning parts must not be cut (see above). */
  constructor(private readonly wholeReasoning: boolean) {}

  observe(event: IRStreamEvent): void {
    if ("index" in event) {
      if (event.index >= this.nextIndex) {
        if (event.index !== this.nextIndex) this.inOrder = false;
        this.nextIndex = event.index + 1;
        // A new part ends the one before it, whether or not its decoder said so.
        this.openText = undefined;
        this.openReasoning = undefined;
      }
    }
    switch (event.type) {
      case "text_delta":
        this.text += event.text;
        if (event.index === this.nextIndex - 1) this.openText = event.index;
        break;
      case "reasoning_delta":
      case "reasoning_signature":
      case "redacted_reasoning":
        this.openReasoning = event.index;
        break;
      case "part_end":
        if (event.index === this.openText) this.openText = undefined;
        if (event.index === this.openReasoning) this.openReasoning = undefined;
        break;
      case "tool_call_start":
        this.toolCalls = true;
        break;
      case "finish":
        this.finished = true;
        break;
    }
  }

  /** Whether another target can take the answer on from here. */
  get continuable(): boolean {
    return !this.toolCalls && !this.finished && !(this.wholeReasoning && this.openReasoning !== undefined);
  }
}

/**
 * The request that continues `partial`: it follows as the final assistant message (joined to the
 * client's own prefill, when its request ended with one), without trailing whitespace, which
 * Anthropic refuses in a prefill. Reasoning is turned off per target, after its shaping
 * (`withoutReasoning`).
 */
export function continuationRequest(
  request: IRRequest,
  partial: string,
): { request: IRRequest; trimmed: boolean } {
  const prefill = partial.trimEnd();
  const messages = [...request.messages];
  if (prefill !== "") {
    const last = messages.at(-1);
    const lastPart = last?.role === "assistant" ? last.parts.at(-1) : undefined;
    if (last?.role === "assistant" && lastPart?.type === "text") {
      const joined: IRMessage = {
        ...last,
        parts: [...last.parts.slice(0, -1), { ...lastPart, text: lastPart.text + prefill }],
      };
      messages[messages.length - 1] = joined;
    } else messages.push({ role: "assistant", parts: [{ type: "text", text: prefill }] });
  }
  return { request: { ...request, messages }, trimmed: prefill.length < partial.length };
}

export function withoutReasoning(request: IRRequest): IRRequest {
  return { ...request, reasoning: { enabled: false } };
}

/** The next target's events, renumbered into the stream the client has. */
export class ContinuationEvents {
  private readonly offset: number;
  /** The client's open text part, which the continuation's first text part goes on with. */
  private readonly openText: number | undefined;
  private continuedPart: number | undefined;
  private readonly dropped = new Set<number>();
  private stripWhitespace: boolean;

  /**
   * `trimmed`: whitespace the client already has was cut from the prefill, so the continuation's
   * leading whitespace is not sent again.
   */
  constructor(sofar: AnswerSoFar, trimmed: boolean) {
    this.offset = sofar.nextIndex;
    this.openText = sofar.openText;
    this.stripWhitespace = trimmed;
  }

  map(event: IRStreamEvent): IRStreamEvent | undefined {
    switch (event.type) {
      case "start":
        return event.usage ? { type: "usage", usage: event.usage } : undefined;
      case "reasoning_delta":
      case "reasoning_signature":
      case "redacted_reasoning":
        this.dropped.add(event.index);
        return undefined;
      case "text_delta": {
        this.continuedPart ??= event.index;
        let text = event.text;
        if (this.stripWhitespace && event.index === this.continuedPart) {
          text = text.trimStart();
          if (text === "") return undefined;
          this.stripWhitespace = false;
        }
        return { ...event, text, index: this.index(event.index) };
      }
      case "tool_call_start":
      case "tool_call_delta":
      case "thought_signature":
      case "part_end":
        if (this.dropped.has(event.index)) return undefined;
        return { ...event, index: this.index(event.index) };
      case "usage":
      case "finish":
      case "error":
        return event;
    }
  }

  private index(index: number): number {
    if (index === this.continuedPart && this.openText !== undefined) return this.openText;
    return this.offset + index;
  }
}
