// Latency statistics from one window's histogram buckets (the `latency` template's per-`le` counts).

/** One cumulative bucket: requests at most `le` seconds (`Infinity` for `+Inf`). */
export interface Bucket {
  le: number;
  count: number;
}

/** What one side's window reads from its buckets. */
export interface BucketStats {
  /** Requests in the window: the `+Inf` bucket. */
  total: number;
  /** The asked percentile, milliseconds. */
  percentile: number | null;
  /** Requests slower than each asked threshold (ms), by the threshold's name. */
  above: Record<string, number>;
}

/**
 * Sorts buckets by bound, merges repeated bounds and makes counts monotonic (increase() of separate
 * counters may dip by a rounding hair). Returns null without a `+Inf` bucket: a histogram without
 * one is not a Prometheus histogram, and no count can be trusted.
 */
export function normaliseBuckets(raw: readonly Bucket[]): Bucket[] | null {
  const byLe = new Map<number, number>();
  for (const b of raw) {
    if (!Number.isFinite(b.count) || Number.isNaN(b.le)) continue;
    byLe.set(b.le, (byLe.get(b.le) ?? 0) + Math.max(0, b.count));
  }
  if (!byLe.has(Infinity)) return null;
  const sorted = [...byLe.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
  let max = 0;
  for (const b of sorted) {
    max = Math.max(max, b.count);
    b.count = max;
  }
  return sorted;
}

/**
 * The `q` quantile (0–1) in seconds, the way PromQL's `histogram_quantile` computes it: find the bucket
 * holding rank q × total and interpolate linearly inside it (the lowest bucket starts at 0). A rank in
 * the `+Inf` bucket answers the highest finite bound. Null for an empty window.
 */
export function bucketQuantile(q: number, buckets: readonly Bucket[]): number | null {
  const total = buckets[buckets.length - 1]?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return lowerLe;
      if (b.count === lowerCount) return b.le;
      return lowerLe + ((b.le - lowerLe) * (rank - lowerCount)) / (b.count - lowerCount);
    }
    lowerLe = b.le;
    lowerCount = b.count;
  }
  return lowerLe;
}

/**
 * Requests slower than `threshold` seconds: the total less the requests at most it, where the bucket
 * holding the threshold is split linearly (the same assumption `histogram_quantile` makes). Above the
 * highest finite bound nothing is known, so every request in the `+Inf` bucket counts as slower:
 * missing resolution never makes a canary look faster.
 */
export function countAbove(threshold: number, buckets: readonly Bucket[]): number {
  const total = buckets[buckets.length - 1]?.count ?? 0;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const b of buckets) {
    if (b.le === Infinity) return total - lowerCount;
    if (threshold <= b.le) {
      const within =
        b.le === lowerLe ? 0 : ((threshold - lowerLe) / (b.le - lowerLe)) * (b.count - lowerCount);
      return Math.max(0, total - (lowerCount + within));
    }
    lowerLe = b.le;
    lowerCount = b.count;
  }
  return 0;
}

/** The window's statistics from its buckets: percentile (ms) and counts above thresholds (ms). */
export function bucketStats(
  buckets: readonly Bucket[],
  percentile: number,
  thresholdsMs: Record<string, number>,
): BucketStats {
  const total = buckets[buckets.length - 1]?.count ?? 0;
  const q = bucketQuantile(percentile / 100, buckets);
  return {
    total,
    percentile: q === null ? null : Math.round(q * 1000 * 1000) / 1000,
    above: Object.fromEntries(
      Object.entries(thresholdsMs).map(([name, ms]) => [name, Math.round(countAbove(ms / 1000, buckets))]),
    ),
  };
}
