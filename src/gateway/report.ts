/**
 * What one client request did, gathered as it goes and handed to the usage room once it has
 * ended: every upstream attempt in order, the target that answered, usage, timings and — when
 * the key's call logs are on — the bodies, capped. A request whose usage the upstream never
 * reported (a stream the client left early, an upstream that does not count) is recorded with
 * an estimate, flagged as such; the estimate runs after the answer, off the hot path.
 */
import type { AppContext } from "../context.ts";
import type { Target } from "../routing/resolve.ts";
import { estimateRequestTokens, estimateTokens } from "../usage/estimate.ts";
import type { AttemptOutcome, CallOutcome, CallUnits } from "../usage/outcome.ts";
import type { Dialect, IRError, IRRequest, IRUsage } from "../wire/index.ts";

/** The first `cap` characters of a body, for its call log. */
export class BodyCapture {
  private kept = "";
  truncated = false;

  constructor(private readonly cap: number) {}

  add(text: string): void {
    const room = this.cap - this.kept.length;
    if (text.length > room) this.truncated = true;
    if (room > 0) this.kept += text.length > room ? text.slice(0, room) : text;
  }

  get text(): string {
    return this.kept;
  }
}

export interface CallIdentity {
  requestId: string;
  apiKeyId: string;
  clientDialect: Dialect;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** False: the request is no usage (count_tokens) and is never recorded. */
  metered: boolean;
}

export interface CallEnd {
  /** The HTTP status the client got. */
  status: number;
  error?: IRError;
  usage?: IRUsage;
  /** What a call beyond chat is billed by besides tokens (images, characters, audio, searches). */
  units?: CallUnits;
  /** False when the answer stopped before its end (the client left, or the stream was cut). */
  complete: boolean;
  aborted?: boolean;
  /** Answer text the client received (text, reasoning, tool arguments), for an estimate when usage is missing. */
  outputText?: () => string;
  /** The request as the IR, for an estimate when usage is missing. */
  request?: () => IRRequest | undefined;
  /** performance.now() when the first byte went to the client. */
  firstByteAt?: number;
  upstreamResponse?: string;
  clientResponse?: string;
  bodiesTruncated?: boolean;
  /** Answered from the cache or an idempotency key's first answer: no upstream call, no usage to estimate. */
  replayed?: boolean;
}

/** What an upstream had answered when its stream was cut and the answer went on at another. */
export interface CutAttempt {
  usage?: IRUsage;
  outputText: string;
}

export class CallReport {
  private readonly attempts: AttemptOutcome[] = [];
  /** Streams cut before the one that ended the answer: billed by their upstreams too. */
  private readonly cut: CutAttempt[] = [];
  private readonly arrivedAt = Date.now();
  private answeredBy: Target | undefined;
  private requestedModel = "";
  private stream = false;
  private combo: { name: string; step: number } | undefined;
  private upstreamRequest: string | undefined;
  private firstUpstreamAt: number | undefined;
  private clientRequest: BodyCapture | undefined;
  private ended = false;
  /** Characters of each body to keep; 0 when this key's calls are not logged. */
  readonly bodyCap: number;

  constructor(
    private readonly context: AppContext,
    private readonly identity: CallIdentity,
  ) {
    this.bodyCap = context.usage.callLogBodyCap(identity.apiKeyId);
  }

  get requestId(): string {
    return this.identity.requestId;
  }

  requested(model: string, bodyText: string, stream: boolean): void {
    this.requestedModel = model;
    this.stream = stream;
    if (this.bodyCap === 0) return;
    this.clientRequest = new BodyCapture(this.bodyCap);
    this.clientRequest.add(bodyText);
  }

  /** An upstream attempt has started at `target` with this body. */
  attemptStarted(target: Target, upstreamBody: string, at: number): void {
    this.firstUpstreamAt ??= at;
    this.answeredBy = target;
    if (target.combo) this.combo = target.combo;
    if (this.bodyCap > 0) this.upstreamRequest = upstreamBody.slice(0, this.bodyCap);
  }

  /** How the attempt at the last started target went: its HTTP status, or the failure. */
  attemptEnded(
    target: Target,
    startedAt: number,
    result: { status?: number; failure?: string; error?: string },
  ): void {
    this.attempts.push({
      provider: target.endpoint.providerId,
      connectionId: target.connection.id,
      model: target.model,
      ...result,
      latencyMs: performance.now() - startedAt,
    });
  }

  /** A stream that had started well failed later: its attempt's row says so. */
  attemptFailedLater(failure: string, error: string): void {
    const last = this.attempts.at(-1);
    if (last) Object.assign(last, { failure, error });
  }

  /** The answer went on at another upstream after this much from the last one. */
  cutShort(cut: CutAttempt): void {
    this.cut.push(cut);
  }

  /** The request has ended; records it once (later calls are ignored). */
  finish(end: CallEnd): void {
    if (this.ended || !this.identity.metered) return;
    this.ended = true;
    const endedAt = performance.now();
    const outcome = this.outcome(end, endedAt);
    const unreported = end.usage === undefined || !end.complete || this.cut.length > 0;
    if (end.status < 400 && !end.replayed && unreported) {
      void this.withEstimate(outcome, end).then(
        (estimated) => this.context.usage.record(estimated),
        () => this.context.usage.record(outcome),
      );
    } else this.context.usage.record(outcome);
  }

  private outcome(end: CallEnd, endedAt: number): CallOutcome {
    const { identity } = this;
    const target = this.answeredBy;
    return {
      startedAt: this.arrivedAt,
      requestId: identity.requestId,
      apiKeyId: identity.apiKeyId,
      clientDialect: identity.clientDialect,
      requestedModel: this.requestedModel,
      ...(target
        ? { provider: target.endpoint.providerId, connectionId: target.connection.id, model: target.model }
        : {}),
      ...(this.combo ? { combo: this.combo.name, comboStep: this.combo.step } : {}),
      stream: this.stream,
      status: end.status,
      ...(end.error ? { errorType: end.error.type, errorMessage: end.error.message } : {}),
      attempts: this.attempts,
      latencyMs: endedAt - identity.startedAt,
      ...(end.firstByteAt !== undefined ? { ttfbMs: end.firstByteAt - identity.startedAt } : {}),
      ...(this.firstUpstreamAt !== undefined
        ? { overheadMs: this.firstUpstreamAt - identity.startedAt }
        : {}),
      ...(end.usage ? { usage: end.usage } : {}),
      ...(end.units ? { units: end.units } : {}),
      aborted: end.aborted === true,
      ...(this.clientRequest
        ? {
            bodies: {
              clientRequest: this.clientRequest.text,
              ...(this.upstreamRequest !== undefined ? { upstreamRequest: this.upstreamRequest } : {}),
              ...(end.upstreamResponse !== undefined ? { upstreamResponse: end.upstreamResponse } : {}),
              ...(end.clientResponse !== undefined ? { clientResponse: end.clientResponse } : {}),
              truncated: this.clientRequest.truncated || end.bodiesTruncated === true,
            },
          }
        : {}),
    };
  }

  /**
   * The usage the upstream did not report, estimated from what was sent and received: input from
   * the request unless the upstream gave it, output from the answer text the client got. Streams
   * cut before the last one add theirs: each upstream read the whole prompt.
   */
  private async withEstimate(outcome: CallOutcome, end: CallEnd): Promise<CallOutcome> {
    const request = end.request?.();
    let requestTokens: number | undefined;
    const estimate = async ({ usage, outputText }: CutAttempt): Promise<IRUsage> => {
      if (!usage?.inputTokens) requestTokens ??= request ? await estimateRequestTokens(request) : 0;
      const outputTokens = Math.max(usage?.outputTokens ?? 0, await estimateTokens(outputText));
      return { ...usage, inputTokens: usage?.inputTokens || (requestTokens ?? 0), outputTokens };
    };
    const reported = end.usage;
    let usage = await estimate({
      ...(reported ? { usage: reported } : {}),
      outputText: end.outputText?.() ?? "",
    });
    for (const cut of this.cut) usage = addUsage(usage, await estimate(cut));
    if (
      reported &&
      usage.inputTokens === reported.inputTokens &&
      usage.outputTokens === reported.outputTokens
    )
      return outcome;
    return { ...outcome, usage: { ...usage, estimated: true } };
  }
}

function addUsage(a: IRUsage, b: IRUsage): IRUsage {
  const sum = (x: number | undefined, y: number | undefined) =>
    x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
  const cachedInputTokens = sum(a.cachedInputTokens, b.cachedInputTokens);
  const cacheWriteTokens = sum(a.cacheWriteTokens, b.cacheWriteTokens);
  const reasoningTokens = sum(a.reasoningTokens, b.reasoningTokens);
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    ...(cachedInputTokens !== undefined ? { cachedInputTokens } : {}),
    ...(cacheWriteTokens !== undefined ? { cacheWriteTokens } : {}),
    ...(reasoningTokens !== undefined ? { reasoningTokens } : {}),
  };
}
