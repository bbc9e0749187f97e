/**
 * What the gateway reports about every client request once it has ended (a stream: once its
 * last byte was sent or the client went away). The usage recorder turns it into a usage row and,
 * unless the key says no-log, a call log. Produced on the hot path, so it holds only facts the
 * gateway already has; nothing here is computed for the report alone.
 */
import type { Dialect, IRUsage } from "../wire/ir.ts";

export interface AttemptOutcome {
  provider: string;
  connectionId: string;
  model: string;
  /** Upstream HTTP status, or undefined when no answer came (network, timeout). */
  status?: number;
  /** The failure kind (connect_error, first_byte_timeout, http_error, …), or undefined on success. */
  failure?: string;
  error?: string;
  latencyMs: number;
}

/**
 * What a call to an API beyond chat is billed by besides tokens, as far as it is known: each
 * count comes from the request or from what the upstream reported, and is absent otherwise.
 */
export interface CallUnits {
  /** Images the upstream returned. */
  images?: number;
  /** Characters of the text to speak. */
  characters?: number;
  /** The duration of the transcribed audio, as the upstream reported it. */
  audioSeconds?: number;
  /** Rerank searches: the upstream's count, else one per 100 documents. */
  searches?: number;
}

export interface CallOutcome {
  /** Unix milliseconds when the request arrived. */
  startedAt: number;
  requestId: string;
  apiKeyId: string;
  clientDialect: Dialect;
  /** The model string the client sent. */
  requestedModel: string;
  /** The target that answered (or the last one tried). */
  provider?: string;
  connectionId?: string;
  model?: string;
  /** The combo the model string named, and the step index that answered. */
  combo?: string;
  comboStep?: number;
  stream: boolean;
  /** The HTTP status the client got. */
  status: number;
  /** For failures: the error type told to the client (rate_limit, timeout, …). */
  errorType?: string;
  errorMessage?: string;
  attempts: AttemptOutcome[];
  latencyMs: number;
  /** Time to the first byte sent to the client. */
  ttfbMs?: number;
  /** Time spent in the gateway before the first upstream request (x-switchyard-overhead-ms). */
  overheadMs?: number;
  usage?: IRUsage;
  units?: CallUnits;
  /** The client ended the request before the answer was complete. */
  aborted: boolean;
  /** Bodies for call logs, each capped at `bodyCap` characters; stream bodies are what was sent. */
  bodies?: {
    clientRequest: string;
    upstreamRequest?: string;
    upstreamResponse?: string;
    clientResponse?: string;
    truncated: boolean;
  };
}

export type OutcomeSink = (outcome: CallOutcome) => void;
