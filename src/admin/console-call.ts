/**
 * How the management API calls the gateway (translator "send", eval runs) without importing
 * it: app.ts passes in the caller (ops/console.ts).
 */
import type { Dialect } from "../wire/index.ts";

export interface ConsoleCall {
  dialect: Dialect;
  /** The client request body; its `model` is replaced by `model` (Gemini's is in the path). Gemini answers whole. */
  body: Record<string, unknown>;
  model: string;
  /** Pins the provider, like `/v1/providers/{provider}/...`. */
  provider?: string;
}

export type GatewayCaller = (call: ConsoleCall) => Promise<Response>;
