/**
 * Answers given again without another upstream call: the exact-match response cache (for
 * deterministic requests, keyed on the normalised request and the API key, so it never crosses
 * keys) and idempotency keys (the first answer to an `Idempotency-Key` is replayed within a
 * window; identical requests arriving while it is still running wait for it instead of calling
 * upstream again). Both keep the bytes the client got, so a hit is byte-identical and a cached
 * stream replays as a stream. In memory, bounded by entries, bytes and age.
 */
import type { Dialect } from "../wire/index.ts";

export interface CacheSettings {
  enabled: boolean;
  ttlMs: number;
  maxEntries: number;
  maxBytes: number;
  /** How long an idempotency key's answer is replayed. */
  idempotencyWindowMs: number;
}

export const CACHE_SETTINGS_KEY = "cache";

export const DEFAULT_CACHE_SETTINGS: CacheSettings = {
  enabled: true,
  ttlMs: 3_600_000,
  maxEntries: 1_000,
  maxBytes: 64 * 1024 * 1024,
  idempotencyWindowMs: 600_000,
};

export function readCacheSettings(settings: { get<T>(key: string): T | undefined }): CacheSettings {
  return { ...DEFAULT_CACHE_SETTINGS, ...settings.get<Partial<CacheSettings>>(CACHE_SETTINGS_KEY) };
}

/** An answer as the client got it. */
export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer>;
  stream: boolean;
}

export const CACHE_HEADER = "x-switchyard-cache";

/** What the client asked of the cache with `x-switchyard-cache` (or `cache-control: no-cache`). */
export function cacheWish(request: Request): "use" | "bypass" | "force" {
  const asked = request.headers.get(CACHE_HEADER)?.toLowerCase();
  if (
    asked === "bypass" ||
    asked === "no-cache" ||
    /no-cache|no-store/i.test(request.headers.get("cache-control") ?? "")
  )
    return "bypass";
  return asked === "force" || asked === "on" ? "force" : "use";
}

/** Whether a request asks for the same answer every time: temperature 0 where each dialect puts it. */
export function deterministic(dialect: Dialect, body: Record<string, unknown>): boolean {
  const nested = (field: string) => {
    const value = body[field];
    return typeof value === "object" && value !== null
      ? (value as Record<string, unknown>).temperature
      : undefined;
  };
  const temperature =
    dialect === "gemini"
      ? nested("generationConfig")
      : dialect === "ollama"
        ? nested("options")
        : body.temperature;
  return temperature === 0;
}

/** JSON text with object keys sorted, so that key order does not change the cache key. */
function normalised(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(normalised).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${normalised(entry)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function cacheKey(scope: string, shape: unknown, body: Record<string, unknown>): string {
  return new Bun.CryptoHasher("sha256")
    .update(`${scope}\n${normalised(shape)}\n${normalised(body)}`)
    .digest("hex");
}

interface Entry {
  answer: StoredAnswer;
  storedAt: number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  stores: number;
  evictions: number;
  entries: number;
  bytes: number;
}

/** An LRU of answers bounded by entries, bytes and age. */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private counts = { hits: 0, misses: 0, stores: 0, evictions: 0 };

  constructor(
    private readonly settings: () => CacheSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): StoredAnswer | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || this.now() - entry.storedAt > this.settings().ttlMs) {
      if (entry) this.remove(key, entry);
      this.counts.misses++;
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.counts.hits++;
    return entry.answer;
  }

  set(key: string, answer: StoredAnswer): void {
    const { maxEntries, maxBytes } = this.settings();
    if (answer.body.byteLength > maxBytes) return;
    const previous = this.entries.get(key);
    if (previous) this.remove(key, previous);
    this.entries.set(key, { answer, storedAt: this.now() });
    this.bytes += answer.body.byteLength;
    this.counts.stores++;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= maxEntries && this.bytes <= maxBytes) break;
      this.remove(oldest, entry);
      this.counts.evictions++;
    }
  }

  clear(): number {
    const cleared = this.entries.size;
    this.entries.clear();
    this.bytes = 0;
    return cleared;
  }

  resetStats(): void {
    this.counts = { hits: 0, misses: 0, stores: 0, evictions: 0 };
  }

  stats(): CacheStats {
    return { ...this.counts, entries: this.entries.size, bytes: this.bytes };
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.answer.body.byteLength;
  }
}

/**
 * Idempotency keys: the first request with a key runs; later ones within the window get its
 * answer, waiting for it while it is still running. A failed first request is not remembered.
 */
export class Idempotency {
  private readonly runs = new Map<string, { answer: Promise<StoredAnswer | undefined>; startedAt: number }>();

  constructor(
    private readonly windowMs: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The earlier answer (awaited if still running), or undefined with `settle` to call when this one ends. */
  claim(
    key: string,
  ): { earlier: Promise<StoredAnswer | undefined> } | { settle: (answer?: StoredAnswer) => void } {
    this.prune();
    const run = this.runs.get(key);
    if (run) return { earlier: run.answer };
    const { promise, resolve } = Promise.withResolvers<StoredAnswer | undefined>();
    this.runs.set(key, { answer: promise, startedAt: this.now() });
    return {
      settle: (answer) => {
        if (answer === undefined) this.runs.delete(key);
        resolve(answer);
      },
    };
  }

  private prune(): void {
    const cutOff = this.now() - this.windowMs();
    for (const [key, run] of this.runs) {
      if (run.startedAt >= cutOff) break;
      this.runs.delete(key);
    }
  }
}

/** A stored answer as a fresh response under this request's id; a stream goes out as a stream. */
export function replayed(answer: StoredAnswer, how: "hit" | "replay", requestId: string): Response {
  const headers = {
    ...answer.headers,
    "x-request-id": requestId,
    ...(how === "hit" ? { [CACHE_HEADER]: "hit" } : { "idempotent-replayed": "true" }),
  };
  if (!answer.stream) return new Response(answer.body, { status: answer.status, headers });
  const body = answer.body;
  return new Response(
    new ReadableStream<Uint8Array<ArrayBuffer>>({
      start(controller) {
        controller.enqueue(body);
        controller.close();
      },
    }),
    { status: answer.status, headers },
  );
}
