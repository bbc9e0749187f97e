/**
 * The shape every dialect module has: the same six operations, plus its error envelopes.
 *
 * Stream codecs are synchronous and incremental (push bytes or events in, get events or text
 * out) so that they can be tested at every chunk boundary and run without per-chunk promise
 * overhead; `streams.ts` wraps them as web TransformStreams for the gateway.
 */
import type { Dialect, IRError, IRRequest, IRResponse, IRStreamEvent, IRTool } from "./ir.ts";

/** What the client's URL says that its body does not (Gemini puts model and streaming in the path). */
export interface RequestContext {
  model?: string;
  stream?: boolean;
}

/** What an encoder needs to know about the original client request. */
export interface EncodeContext {
  /** The model name to show the client (the one it asked for). */
  model: string;
  /** OpenAI chat: append the usage chunk before `[DONE]`. */
  includeUsage?: boolean;
  /** Gemini: `alt=sse` framing (default) or one JSON array. */
  framing?: "sse" | "json-array";
  /**
   * The client's tools as decoded (`IRRequest.tools`). OpenAI Responses: a call to a function the
   * client declared in a `namespace` tool goes back under its namespace and own name, not the
   * flat name the upstream saw.
   */
  tools?: readonly IRTool[];
}

export interface StreamDecoder {
  /** Feed the next bytes of an upstream body; returns the events they complete. */
  push(chunk: Uint8Array | string): IRStreamEvent[];
  /** The body ended; returns the remaining events. Emits an `error` event if the stream ended without its terminator. */
  end(): IRStreamEvent[];
}

export interface StreamEncoder {
  /** Encode one event as the bytes (text) to send to the client; may be "". */
  push(event: IRStreamEvent): string;
  /** After the last event: whatever closes the stream in this dialect (may be ""). */
  end(): string;
}

export interface ErrorBody {
  status: number;
  body: unknown;
}

export interface Codec {
  dialect: Dialect;
  /** Throws `WireError` (400, naming the field) when the body is not a valid request of this dialect. */
  decodeRequest(body: unknown, context?: RequestContext): IRRequest;
  /** The JSON body to send upstream in this dialect. Throws `WireError` when the IR holds something this dialect cannot carry without changing its meaning. */
  encodeRequest(request: IRRequest): Record<string, unknown>;
  decodeResponse(body: unknown): IRResponse;
  encodeResponse(response: IRResponse, context: EncodeContext): unknown;
  decodeStream(): StreamDecoder;
  encodeStream(context: EncodeContext): StreamEncoder;
  /** The dialect's error envelope, for a non-streaming answer. */
  encodeError(error: IRError): ErrorBody;
  /** Turn an upstream error body of this dialect back into an IRError. */
  decodeError(status: number, body: unknown): IRError;
}
