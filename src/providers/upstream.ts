/**
 * One attempt at one upstream: send the request and hand back the response, or a classified
 * failure. Nothing here retries; routing decides what a failure means. Every wait is bounded:
 * response headers, the first body byte, the gap between chunks and the whole attempt each have
 * a timeout, and a client disconnect aborts the upstream call at once.
 */

export interface Timeouts {
  /** Streaming requests: until the upstream's response headers (streaming servers answer them at once). */
  connectMs: number;
  /** Non-streaming: until the response headers; streaming: until the first body bytes. */
  firstByteMs: number;
  /** Streaming: the longest silence between two chunks. */
  idleMs: number;
  /** The whole attempt, body included. */
  totalMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  connectMs: 15_000,
  firstByteMs: 120_000,
  idleMs: 60_000,
  totalMs: 600_000,
};

export type FailureKind =
  | "connect_error"
  | "connect_timeout"
  | "first_byte_timeout"
  | "idle_timeout"
  | "deadline"
  | "client_abort"
  | "http_error";

export class UpstreamFailure extends Error {
  override name = "UpstreamFailure";

  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status?: number,
    readonly body?: string,
    readonly headers?: Headers,
  ) {
    super(message);
  }

  /** Milliseconds the upstream asked us to wait (Retry-After, in seconds or as a date), if it did. */
  retryAfterMs(now = Date.now()): number | undefined {
    const value = this.headers?.get("retry-after");
    if (!value) return undefined;
    const seconds = Number(value);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, date - now);
  }
}

export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  /** JSON text, or a multipart upload (fetch sets its boundary). */
  body: string | FormData;
  stream: boolean;
  /** The client's request signal: its abort ends the upstream call. */
  signal?: AbortSignal;
  timeouts?: Timeouts;
  /** HTTP(S) proxy URL. */
  proxy?: string;
}

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  /** The body, guarded by the idle and total timeouts; errors with an UpstreamFailure. */
  body: ReadableStream<Uint8Array>;
}

/** A streaming attempt: resolves once the headers of a 2xx answer arrived, else throws UpstreamFailure. */
export async function sendUpstream(request: UpstreamRequest): Promise<UpstreamResponse> {
  const timeouts = request.timeouts ?? DEFAULT_TIMEOUTS;
  const { response, guard } = await connect(request, timeouts);
  guard.expectWithin(timeouts.firstByteMs, "first_byte_timeout");
  return {
    status: response.status,
    headers: response.headers,
    body: guard.watch(response.body, timeouts.idleMs),
  };
}

/** A non-streaming attempt: the whole 2xx body as text, read natively, else throws UpstreamFailure. */
export async function fetchWhole(
  request: UpstreamRequest,
): Promise<{ status: number; headers: Headers; text: string }> {
  const { response, guard } = await connect(
    { ...request, stream: false },
    request.timeouts ?? DEFAULT_TIMEOUTS,
  );
  guard.clearExpectation();
  try {
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    throw guard.failure() ?? new UpstreamFailure("connect_error", `upstream body broke: ${describe(error)}`);
  } finally {
    guard.finish();
  }
}

/** Sends the request and waits for a 2xx head; the guard keeps watching until the caller is done. */
async function connect(
  request: UpstreamRequest,
  timeouts: Timeouts,
): Promise<{ response: Response; guard: AttemptGuard }> {
  const guard = new AttemptGuard(request.signal, timeouts.totalMs);
  if (request.stream) guard.expectWithin(timeouts.connectMs, "connect_timeout");
  else guard.expectWithin(timeouts.firstByteMs, "first_byte_timeout");
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      signal: guard.signal,
      ...(request.proxy ? { proxy: request.proxy } : {}),
    });
  } catch (error) {
    guard.finish();
    throw (
      guard.failure() ??
      new UpstreamFailure("connect_error", `cannot reach ${origin(request.url)}: ${describe(error)}`)
    );
  }
  if (response.status < 200 || response.status >= 300) {
    const text = await response.text().catch(() => "");
    guard.finish();
    throw new UpstreamFailure(
      "http_error",
      `upstream answered ${response.status}`,
      response.status,
      text,
      response.headers,
    );
  }
  return { response, guard };
}

/** The attempt's abort controller, deadline and the one timer that checks the current wait. */
class AttemptGuard {
  private readonly controller = new AbortController();
  private reason: UpstreamFailure | undefined;
  private readonly deadline: number;
  private waitUntil = Number.POSITIVE_INFINITY;
  private waitKind: FailureKind = "deadline";
  private timer: ReturnType<typeof setTimeout> | undefined;
  private armedFor = Number.POSITIVE_INFINITY;
  private finished = false;
  private readonly onClientAbort = () =>
    this.abort(new UpstreamFailure("client_abort", "the client went away"));

  constructor(
    private readonly client: AbortSignal | undefined,
    totalMs: number,
  ) {
    this.deadline = performance.now() + totalMs;
    if (client?.aborted) this.onClientAbort();
    client?.addEventListener("abort", this.onClientAbort, { once: true });
    this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  failure(): UpstreamFailure | undefined {
    return this.reason;
  }

  /** The next thing must happen within `ms`, or the attempt fails as `kind`. */
  expectWithin(ms: number, kind: FailureKind): void {
    this.waitUntil = performance.now() + ms;
    this.waitKind = kind;
    // Waits only move later per chunk; the timer is re-armed only when one moves earlier.
    if (this.waitUntil < this.armedFor) {
      clearTimeout(this.timer);
      this.arm();
    }
  }

  clearExpectation(): void {
    this.waitUntil = Number.POSITIVE_INFINITY;
  }

  finish(): void {
    this.finished = true;
    clearTimeout(this.timer);
    this.client?.removeEventListener("abort", this.onClientAbort);
  }

  /** The streamed body with the idle timeout re-armed on every chunk; the attempt ends with the body. */
  watch(body: ReadableStream<Uint8Array> | null, idleMs: number): ReadableStream<Uint8Array> {
    if (body === null) {
      this.finish();
      return new ReadableStream({ start: (controller) => controller.close() });
    }
    const reader = body.getReader();
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          const { done, value } = await reader.read();
          if (done) {
            this.finish();
            controller.close();
            return;
          }
          this.expectWithin(idleMs, "idle_timeout");
          controller.enqueue(value);
        } catch (error) {
          this.finish();
          controller.error(
            this.reason ?? new UpstreamFailure("connect_error", `upstream stream broke: ${describe(error)}`),
          );
        }
      },
      cancel: (reason) => {
        this.finish();
        this.controller.abort(reason);
        return reader.cancel(reason).catch(() => {});
      },
    });
  }

  private arm(): void {
    if (this.finished) return;
    this.armedFor = Math.min(this.deadline, this.waitUntil);
    this.timer = setTimeout(() => this.check(), Math.max(1, this.armedFor - performance.now()));
  }

  private check(): void {
    const now = performance.now();
    if (now >= this.deadline)
      this.abort(new UpstreamFailure("deadline", "the attempt ran past its deadline"));
    else if (now >= this.waitUntil)
      this.abort(new UpstreamFailure(this.waitKind, `${this.waitKind.replace(/_/g, " ")}`));
    else this.arm();
  }

  private abort(failure: UpstreamFailure): void {
    if (this.reason) return;
    this.reason = failure;
    this.finish();
    this.controller.abort(failure);
  }
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return (error as Error & { code?: string }).code ?? error.message;
  return String(error);
}
