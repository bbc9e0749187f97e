/**
 * A streaming answer, relayed from the upstream to the client as it comes. The first upstream
 * chunk is awaited before the client's response starts (openStream), so that a target that fails
 * first costs the client nothing but time. After that a failure — the stream cut, stalled past
 * the idle timeout, a malformed chunk, the upstream's own error event, no terminator — never ends
 * as a normal completion: the answer goes on at the next target that can continue it, in the
 * same stream under the same ids (continuation.ts), or the stream ends with the client dialect's
 * error event. The stream reports its outcome to health and the usage report when it ends:
 * complete, cut, or left by the client.
 *
 * A same-dialect stream passes the upstream's bytes through, read alongside by the dialect's
 * decoder. When it may be continued, its bytes go out a whole event at a time and a shadow of the
 * client's encoder follows them, so that our encoder can take the client's stream on at any event
 * boundary. Every other stream is decoded and encoded (a continuation renumbered in between).
 */
import { readCacheSettings } from "../cache/replay.ts";
import { UpstreamFailure, type UpstreamResponse } from "../providers/upstream.ts";
import { type AttemptResult, targetKey } from "../routing/attempt.ts";
import { classify } from "../routing/classify.ts";
import type { Target } from "../routing/resolve.ts";
import {
  codecFor,
  type Dialect,
  type IRError,
  type IRRequest,
  type IRStreamEvent,
  type IRUsage,
  type StreamDecoder,
  type StreamEncoder,
  WireError,
  wholeStreamEvents,
} from "../wire/index.ts";
import { type Call, encodeContext, passesThrough } from "./call.ts";
import { AnswerSoFar, ContinuationEvents, continuationRequest } from "./continuation.ts";
import { failed, malformed, malformedAttempt, upstreamError } from "./failures.ts";
import { BodyCapture, type CutAttempt } from "./report.ts";

/** An upstream stream that has sent its first bytes. */
export interface OpenedStream {
  target: Target;
  /** Its attempt's number within the client request. */
  attempt: number;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  first: Uint8Array;
}

/**
 * Opens the rest of an answer cut at `after` on a later target: `request` ends with the partial
 * answer, which the target must continue (`continuation`) unless there was no text yet.
 */
export type Resume = (
  after: OpenedStream,
  request: IRRequest,
  continuation: boolean,
) => Promise<OpenedStream | undefined>;

/** The upstream's first chunk, or the attempt's failure. */
export async function openStream(
  target: Target,
  attempt: number,
  response: UpstreamResponse,
): Promise<AttemptResult<OpenedStream, IRError>> {
  const reader = response.body.getReader();
  try {
    const { done, value } = await reader.read();
    if (done) {
      await reader.cancel().catch(() => {});
      return malformedAttempt(target, "the stream ended before it began");
    }
    return { ok: true, deferred: true, value: { target, attempt, reader, first: value } };
  } catch (error) {
    return error instanceof UpstreamFailure ? failed(target, error) : malformedAttempt(target, String(error));
  }
}

/** The client's streaming response for an opened upstream stream; `resume` lets it go on elsewhere. */
export function answerStream(
  call: Call,
  opened: OpenedStream,
  headers: Record<string, string>,
  resume: Resume | undefined,
): AttemptResult<Response, IRError> {
  const responseHeaders = {
    ...headers,
    "content-type": STREAM_CONTENT_TYPE[call.shape.dialect],
    "cache-control": "no-cache",
  };
  const relay = new StreamRelay(call, opened, responseHeaders, resume);
  return {
    ok: true,
    deferred: true,
    value: new Response(relay.stream(), { status: 200, headers: responseHeaders }),
  };
}

/**
 * Client dialects whose reasoning must reach the client whole: an Anthropic thinking block is
 * refused without its signature when sent back, a Responses reasoning item without its end.
 */
const WHOLE_REASONING: Record<Dialect, boolean> = {
  "openai-chat": false,
  "openai-responses": true,
  anthropic: true,
  gemini: false,
  ollama: false,
};

/**
 * Client dialects whose passed-through stream our encoder can take on mid-way: their streams
 * carry no ids beyond the ones the start event gives. A Responses stream names every output item
 * with the upstream's own id, which our encoder cannot know.
 */
const CONTINUES_PASSTHROUGH: Record<Dialect, boolean> = {
  "openai-chat": true,
  "openai-responses": false,
  anthropic: true,
  gemini: true,
  ollama: true,
};

class StreamRelay {
  private readonly watch: StreamWatch;
  private readonly kept: StreamKeeper | undefined;
  private readonly resume: Resume | undefined;
  /** What the client has been sent, kept while the answer may go on elsewhere. */
  private readonly sofar: AnswerSoFar | undefined;
  /** The client's encoder: it writes a translated stream, or shadows a passed-through one. */
  private readonly encoder: ClientEncoder | undefined;
  private source: Source;
  private opened: OpenedStream;
  /** The opened stream's first chunk, not yet relayed. */
  private first: Uint8Array | undefined;
  /** The client's stream is the upstream's own bytes so far (its part numbering, not our encoder's). */
  private passedThrough: boolean;
  /** The current upstream's failure is on record already (the answer went on, or tried to, elsewhere). */
  private failureRecorded = false;
  private firstByteAt: number | undefined;
  private settled = false;

  constructor(
    private readonly call: Call,
    opened: OpenedStream,
    private readonly headers: Record<string, string>,
    resume: Resume | undefined,
  ) {
    this.watch = new StreamWatch(call.report.bodyCap);
    this.kept = call.keep ? new StreamKeeper(readCacheSettings(call.context.settings).maxBytes) : undefined;
    this.opened = opened;
    this.first = opened.first;
    const { dialect } = call.shape;
    this.passedThrough = passesThrough(call, opened.target);
    this.resume = this.passedThrough && !CONTINUES_PASSTHROUGH[dialect] ? undefined : resume;
    this.sofar = this.resume ? new AnswerSoFar(WHOLE_REASONING[dialect]) : undefined;
    if (!this.passedThrough || this.resume)
      this.encoder = new ClientEncoder(call.codec.encodeStream(encodeContext(call)));
    const decoder = codecFor(opened.target.endpoint.dialect).decodeStream();
    if (!this.encoder) this.source = passthroughSource(decoder, this.watch);
    else if (this.passedThrough)
      this.source = shadowedPassthroughSource(decoder, this.watch, this.encoder, this.sofar!, dialect);
    else this.source = translationSource(decoder, this.encoder, this.watch, this.sofar);
  }

  stream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      // Reads until there is something to send: Bun does not call pull again after a pull that enqueued nothing.
      pull: (controller) => this.pull(controller),
      cancel: (reason) => {
        this.settle("abandoned");
        return this.opened.reader.cancel(reason);
      },
    });
  }

  private async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    for (;;) {
      let step: Step;
      let done = false;
      try {
        if (this.first) {
          step = this.source.push(this.first);
          this.first = undefined;
        } else {
          const read = await this.opened.reader.read();
          done = read.done;
          step = read.done ? this.source.end() : this.source.push(read.value);
        }
      } catch (error) {
        if (error instanceof UpstreamFailure && error.kind === "client_abort") {
          this.settle("abandoned");
          controller.close();
          return;
        }
        step = { out: "", failure: this.failureOf(error) };
      }
      if (this.settled) return;
      const sent = this.send(controller, step.out);
      if (step.failure) {
        if (!step.told && (await this.goOnElsewhere(step.failure))) {
          if (this.settled) return;
          continue;
        }
        if (this.settled) return;
        this.send(controller, this.ending(step.failure, step.told === true));
        controller.close();
        this.settle(step.failure);
        if (!done) await this.opened.reader.cancel().catch(() => {});
        return;
      }
      if (done) {
        controller.close();
        this.settle("ok");
        return;
      }
      if (sent) return;
    }
  }

  /**
   * Takes the cut answer on at the next target that can continue it, when there is one and
   * what the client has allows it (only text so far, and a stream our encoder can speak for).
   */
  private async goOnElsewhere(failure: IRError): Promise<boolean> {
    const { resume, sofar, encoder } = this;
    if (!resume || !sofar?.continuable || !encoder || (this.passedThrough && !sofar.inOrder)) return false;
    let continuation: ReturnType<typeof continuationRequest>;
    try {
      continuation = continuationRequest(this.call.ir(), sofar.text);
    } catch (error) {
      if (error instanceof WireError) return false;
      throw error;
    }
    const cut = this.opened;
    void cut.reader.cancel().catch(() => {});
    this.recordFailure(failure);
    const next = await resume(cut, continuation.request, sofar.text.trim() !== "");
    if (!next) return false;
    if (this.settled) {
      // The client left while the continuation was being opened.
      this.call.context.health.abandoned(targetKey(next.target));
      void next.reader.cancel().catch(() => {});
      return false;
    }
    this.call.report.cutShort(this.watch.restart());
    this.opened = next;
    this.first = next.first;
    this.passedThrough = false;
    this.failureRecorded = false;
    const decoder = codecFor(next.target.endpoint.dialect).decodeStream();
    const renumber = new ContinuationEvents(sofar, continuation.trimmed);
    this.source = translationSource(decoder, encoder, this.watch, sofar, renumber);
    return true;
  }

  /** What ends the client's stream after `failure`: the dialect's error event, unless the upstream's is already there. */
  private ending(failure: IRError, told: boolean): string {
    if (told) return "";
    const encoder = this.encoder ?? new ClientEncoder(this.call.codec.encodeStream(encodeContext(this.call)));
    return encoder.fail(failure);
  }

  private failureOf(error: unknown): IRError {
    const { target } = this.opened;
    if (error instanceof UpstreamFailure) return upstreamError(target, error);
    if (error instanceof WireError) return error.error;
    return malformed(target, String(error));
  }

  /** Enqueues what there is to send; false when there was nothing. */
  private send(controller: ReadableStreamDefaultController<Uint8Array>, out: Uint8Array | string): boolean {
    if (out === "" || out.length === 0) return false;
    const chunk = typeof out === "string" ? textBytes.encode(out) : out;
    controller.enqueue(chunk);
    this.watch.sent(chunk);
    this.kept?.add(chunk);
    this.firstByteAt ??= performance.now();
    return true;
  }

  private recordFailure(failure: IRError): void {
    this.failureRecorded = true;
    this.call.context.health.failed(
      targetKey(this.opened.target),
      classify({ kind: "stream_cut" }),
      failure.message,
    );
    this.call.report.attemptFailedLater("stream_cut", failure.message);
  }

  private settle(outcome: "ok" | "abandoned" | IRError): void {
    if (this.settled) return;
    this.settled = true;
    const { call, watch } = this;
    const body = outcome === "ok" ? this.kept?.bytes() : undefined;
    call.keep?.(body ? { status: 200, headers: this.headers, body, stream: true } : undefined);
    if (!this.failureRecorded) {
      const key = targetKey(this.opened.target);
      if (outcome === "ok") call.context.health.succeeded(key);
      else if (outcome === "abandoned") call.context.health.abandoned(key);
      else this.recordFailure(outcome);
    }
    call.report.finish({
      status: 200,
      complete: outcome === "ok",
      aborted: outcome === "abandoned",
      ...(typeof outcome === "object" ? { error: outcome } : {}),
      ...(watch.usage ? { usage: watch.usage } : {}),
      ...(this.firstByteAt !== undefined ? { firstByteAt: this.firstByteAt } : {}),
      request: () => call.ir(),
      outputText: () => watch.outputText,
      ...watch.bodies(),
    });
  }
}

const textBytes = new TextEncoder();

/** What one upstream chunk (or the upstream's end) gives the client. */
interface Step {
  out: Uint8Array | string;
  /** The upstream's stream failed here: nothing more is read from it. */
  failure?: IRError;
  /** The failure's own error event is in `out`, passed through as the upstream wrote it. */
  told?: boolean;
}

interface Source {
  push(chunk: Uint8Array): Step;
  /** The upstream's body ended; a failure when it ended without its terminator. */
  end(): Step;
}

/** The client's stream encoder, knowing whether the answer's finish went through it. */
class ClientEncoder {
  private finished = false;

  constructor(private readonly encoder: StreamEncoder) {}

  push(event: IRStreamEvent): string {
    if (event.type === "finish") this.finished = true;
    return this.encoder.push(event);
  }

  end(): string {
    return this.encoder.end();
  }

  /** Ends the stream with `error`; an answer that has finished is only closed. */
  fail(error: IRError): string {
    if (this.finished) return this.encoder.end();
    return this.encoder.push({ type: "error", error }) + this.encoder.end();
  }
}

/** The upstream's bytes, unchanged; its decoder reads them for usage, text and the ending. */
function passthroughSource(decoder: StreamDecoder, watch: StreamWatch): Source {
  const read = (events: IRStreamEvent[]): IRError | undefined => {
    let failure: IRError | undefined;
    for (const event of events) {
      watch.saw(event);
      if (event.type === "error") failure ??= event.error;
    }
    return failure;
  };
  return {
    push(chunk) {
      watch.received(chunk);
      const failure = read(decoder.push(chunk));
      // An error event inside the upstream's stream is passed on as the upstream wrote it.
      return failure ? { out: chunk, failure, told: true } : { out: chunk };
    },
    end() {
      const failure = read(decoder.end());
      return failure ? { out: "", failure } : { out: "" };
    },
  };
}

/**
 * The upstream's bytes, unchanged, but only whole events at a time, with the client's encoder
 * following them unheard. An upstream error
 * event is not passed on: the events before it go out in our encoding, so that the answer can go
 * on elsewhere from there.
 */
function shadowedPassthroughSource(
  decoder: StreamDecoder,
  watch: StreamWatch,
  shadow: ClientEncoder,
  sofar: AnswerSoFar,
  dialect: Dialect,
): Source {
  let held: Uint8Array = new Uint8Array(0);
  const follow = (events: IRStreamEvent[]): { shadowed: string; failure?: IRError } => {
    let shadowed = "";
    for (const event of events) {
      watch.saw(event);
      if (event.type === "error") return { shadowed, failure: event.error };
      shadowed += shadow.push(event);
      sofar.observe(event);
    }
    return { shadowed };
  };
  return {
    push(chunk) {
      watch.received(chunk);
      const bytes = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
      const whole = wholeStreamEvents(dialect, bytes);
      held = bytes.subarray(whole);
      if (whole === 0) return { out: "" };
      const events = bytes.subarray(0, whole);
      const { shadowed, failure } = follow(decoder.push(events));
      return failure ? { out: shadowed, failure } : { out: events };
    },
    end() {
      const rest = held;
      held = new Uint8Array(0);
      const { shadowed, failure } = follow([...decoder.push(rest), ...decoder.end()]);
      return failure ? { out: shadowed, failure } : { out: rest };
    },
  };
}

/** The upstream's events, decoded and encoded in the client's dialect (renumbered, for a continuation). */
function translationSource(
  decoder: StreamDecoder,
  encoder: ClientEncoder,
  watch: StreamWatch,
  sofar: AnswerSoFar | undefined,
  renumber?: ContinuationEvents,
): Source {
  const translate = (events: IRStreamEvent[]): Step => {
    let out = "";
    for (const decoded of events) {
      watch.saw(decoded);
      const event = renumber ? renumber.map(decoded) : decoded;
      if (event === undefined) continue;
      if (event.type === "error") return { out, failure: event.error };
      out += encoder.push(event);
      sofar?.observe(event);
    }
    return { out };
  };
  return {
    push(chunk) {
      watch.received(chunk);
      return translate(decoder.push(chunk));
    },
    end() {
      const step = translate(decoder.end());
      return step.failure ? step : { out: step.out + encoder.end() };
    },
  };
}

const STREAM_CONTENT_TYPE: Record<Dialect, string> = {
  "openai-chat": "text/event-stream",
  "openai-responses": "text/event-stream",
  anthropic: "text/event-stream",
  gemini: "text/event-stream",
  ollama: "application/x-ndjson",
};

/** The bytes a stream sent, kept up to a limit (beyond it, nothing is kept). */
class StreamKeeper {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  add(chunk: Uint8Array): void {
    this.size += chunk.byteLength;
    if (this.size <= this.maxBytes) this.chunks.push(chunk);
  }

  bytes(): Uint8Array<ArrayBuffer> | undefined {
    return this.size <= this.maxBytes ? Buffer.concat(this.chunks) : undefined;
  }
}

/** Answer text kept for an estimate beyond this is only counted, and the estimate scaled. */
const MAX_WATCHED_TEXT = 65_536;

/**
 * What a stream said, as the upstream's events show it (since its last `restart`): the latest usage (decoders report it
 * cumulatively), the answer text for an estimate when usage never came, and — when the call is
 * logged — the first bytes each side saw.
 */
class StreamWatch {
  usage: IRUsage | undefined;
  private text = "";
  private textLength = 0;
  private readonly upstream: BodyCapture | undefined;
  private readonly client: BodyCapture | undefined;
  private readonly decoder = new TextDecoder();
  private readonly clientDecoder = new TextDecoder();

  constructor(bodyCap: number) {
    if (bodyCap > 0) {
      this.upstream = new BodyCapture(bodyCap);
      this.client = new BodyCapture(bodyCap);
    }
  }

  received(chunk: Uint8Array): void {
    if (this.upstream && !this.upstream.truncated)
      this.upstream.add(this.decoder.decode(chunk, { stream: true }));
  }

  sent(chunk: Uint8Array): void {
    if (this.client && !this.client.truncated)
      this.client.add(this.clientDecoder.decode(chunk, { stream: true }));
  }

  saw(event: IRStreamEvent): void {
    switch (event.type) {
      case "text_delta":
      case "reasoning_delta":
        this.addText(event.text);
        break;
      case "tool_call_start":
        this.addText(event.name);
        break;
      case "tool_call_delta":
        this.addText(event.argumentsDelta);
        break;
      case "start":
      case "finish":
        if (event.usage) this.usage = event.usage;
        break;
      case "usage":
        this.usage = event.usage;
        break;
    }
  }

  /** What the current upstream said, handed over when the answer goes on at another: it starts afresh. */
  restart(): CutAttempt {
    const cut: CutAttempt = { outputText: this.outputText, ...(this.usage ? { usage: this.usage } : {}) };
    this.usage = undefined;
    this.text = "";
    this.textLength = 0;
    return cut;
  }

  /** The answer text; when longer than what was kept, the kept part repeated to its length's scale. */
  get outputText(): string {
    if (this.textLength <= this.text.length || this.text === "") return this.text;
    return this.text.repeat(Math.ceil(this.textLength / this.text.length)).slice(0, this.textLength);
  }

  bodies(): { upstreamResponse?: string; clientResponse?: string; bodiesTruncated?: boolean } {
    if (!this.upstream || !this.client) return {};
    return {
      upstreamResponse: this.upstream.text,
      clientResponse: this.client.text,
      bodiesTruncated: this.upstream.truncated || this.client.truncated,
    };
  }

  private addText(text: string): void {
    this.textLength += text.length;
    if (this.text.length < MAX_WATCHED_TEXT) this.text += text;
  }
}
