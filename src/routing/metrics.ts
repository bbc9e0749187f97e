/**
 * Per combo and per step, in memory: requests, successes, fallbacks (requests another step had to
 * answer) and recent latencies for p50/p95. Feeds /api/combos/metrics and least-used ordering.
 */

const LATENCY_SAMPLES = 256;

interface Counters {
  requests: number;
  successes: number;
  fallbacks: number;
  latencies: number[];
  next: number;
}

function counters(): Counters {
  return { requests: 0, successes: 0, fallbacks: 0, latencies: [], next: 0 };
}

export class ComboMetrics {
  private readonly combos = new Map<string, Counters>();
  private readonly steps = new Map<string, Counters>();

  /** A request that named `combo` ended; `step` answered (undefined: none did) after `attempts` attempts. */
  record(combo: string, step: number | undefined, ok: boolean, attempts: number, latencyMs: number): void {
    const fellBack = attempts > 1;
    this.add(this.of(this.combos, combo), ok, fellBack, latencyMs);
    if (step !== undefined) this.add(this.of(this.steps, `${combo}\u0000${step}`), ok, fellBack, latencyMs);
  }

  stepUses(combo: string, step: number): number {
    return this.steps.get(`${combo}\u0000${step}`)?.requests ?? 0;
  }

  snapshot(combo: string, stepCount: number) {
    return {
      ...summary(this.combos.get(combo)),
      steps: Array.from({ length: stepCount }, (_, step) => ({
        step,
        ...summary(this.steps.get(`${combo}\u0000${step}`)),
      })),
    };
  }

  private of(map: Map<string, Counters>, key: string): Counters {
    let entry = map.get(key);
    if (!entry) {
      entry = counters();
      map.set(key, entry);
    }
    return entry;
  }

  private add(entry: Counters, ok: boolean, fellBack: boolean, latencyMs: number): void {
    entry.requests++;
    if (ok) entry.successes++;
    if (fellBack) entry.fallbacks++;
    if (entry.latencies.length < LATENCY_SAMPLES) entry.latencies.push(latencyMs);
    else entry.latencies[entry.next] = latencyMs;
    entry.next = (entry.next + 1) % LATENCY_SAMPLES;
  }
}

function summary(entry: Counters | undefined) {
  if (!entry) return { requests: 0, successRate: null, fallbacks: 0, latencyMs: { p50: null, p95: null } };
  const sorted = entry.latencies.toSorted((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? null;
  return {
    requests: entry.requests,
    successRate: entry.requests === 0 ? null : entry.successes / entry.requests,
    fallbacks: entry.fallbacks,
    latencyMs: { p50: at(0.5), p95: at(0.95) },
  };
}
