/**
 * For the stream encoders of dialects that send each tool call whole (Gemini, Ollama): the
 * calls whose argument deltas are still arriving, until their part ends or the answer does.
 */

export interface PendingToolCall {
  id: string;
  name: string;
  /** The arguments' JSON text so far. */
  args: string;
  /** Gemini: the thought signature that goes with the call. */
  signature?: string;
}

export class WholeToolCalls {
  private readonly calls = new Map<number, PendingToolCall>();

  start(index: number, id: string, name: string): void {
    this.calls.set(index, { id, name, args: "" });
  }

  append(index: number, argumentsDelta: string): void {
    const call = this.calls.get(index);
    if (call !== undefined) call.args += argumentsDelta;
  }

  /** The call still open at part `index`, if there is one. */
  get(index: number): PendingToolCall | undefined {
    return this.calls.get(index);
  }

  /** The call at part `index`, which is complete now; undefined when there is none. */
  take(index: number): PendingToolCall | undefined {
    const call = this.calls.get(index);
    this.calls.delete(index);
    return call;
  }

  /** The part indexes of the calls still open, oldest first. */
  openIndexes(): number[] {
    return [...this.calls.keys()];
  }
}
