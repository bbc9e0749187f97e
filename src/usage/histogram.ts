/**
 * Latency histograms with log-spaced buckets: each bucket is 5% wider than the one below, so a
 * percentile read from bucket counts is at most 5% above the exact value, and an hour of traffic
 * fills a few dozen buckets however many requests it held.
 */

const RATIO = 1.05;
const LOG_RATIO = Math.log(RATIO);

/** Bucket b holds latencies in (RATIO^(b-1), RATIO^b] ms; bucket 0 holds everything up to 1 ms. */
export function latencyBucket(ms: number): number {
  return ms <= 1 ? 0 : Math.ceil(Math.log(ms) / LOG_RATIO);
}

export function bucketUpperMs(bucket: number): number {
  return bucket === 0 ? 1 : Math.round(RATIO ** bucket * 10) / 10;
}

export interface BucketCount {
  bucket: number;
  count: number;
}

/**
 * For each wanted quantile (0..1), the upper bound of the bucket holding that rank; null when
 * there are no samples. `counts` must be sorted by bucket.
 */
export function quantiles<Q extends string>(
  counts: readonly BucketCount[],
  wanted: Readonly<Record<Q, number>>,
): Record<Q, number | null> {
  const total = counts.reduce((sum, entry) => sum + entry.count, 0);
  const result = {} as Record<Q, number | null>;
  for (const name of Object.keys(wanted) as Q[]) {
    const rank = Math.max(1, Math.ceil(wanted[name] * total));
    let seen = 0;
    result[name] = null;
    for (const entry of counts) {
      seen += entry.count;
      if (seen >= rank) {
        result[name] = bucketUpperMs(entry.bucket);
        break;
      }
    }
  }
  return result;
}

export const PERCENTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;
