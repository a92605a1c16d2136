/**
 * One cumulative bucket of a Prometheus histogram: how many observations
 * were at or below `le` (the last bucket's `le` is Infinity, `+Inf`).
 */
export interface CumulativeBucket {
  le: number
  count: number
}

/**
 * The φ-quantile (0 ≤ q ≤ 1) of a histogram's cumulative buckets, as
 * PromQL's `histogram_quantile` computes it: find the bucket the rank
 * `q × total` falls in and interpolate linearly between its lower and upper
 * bound (observations are assumed spread evenly within a bucket). The lowest
 * bucket's lower bound is 0 (when its upper bound is positive); a rank that
 * falls in the `+Inf` bucket answers the highest finite bound. Null when
 * there is nothing to estimate from (no observations, no `+Inf` bucket, or
 * fewer than two buckets).
 *
 * Counts that decrease from one bucket to the next (cannot happen in one
 * series, but sums of deltas taken at slightly different moments may show
 * it) are raised to the running maximum, as Prometheus does.
 */
export function histogramQuantile(q: number, buckets: CumulativeBucket[]): number | null {
  if (Number.isNaN(q)) return null
  if (q < 0) return -Infinity
  if (q > 1) return Infinity
  const sorted = [...buckets].sort((a, b) => a.le - b.le)
  if (sorted.length < 2 || sorted[sorted.length - 1].le !== Infinity) return null

  let running = 0
  const counts = sorted.map((bucket) => (running = Math.max(running, bucket.count)))
  const total = counts[counts.length - 1]
  if (!(total > 0)) return null

  const rank = q * total
  const index = counts.findIndex((count) => count >= rank)

  if (index === sorted.length - 1) return sorted[sorted.length - 2].le
  if (index === 0 && sorted[0].le <= 0) return sorted[0].le

  const upper = sorted[index].le
  const lower = index === 0 ? 0 : sorted[index - 1].le
  const below = index === 0 ? 0 : counts[index - 1]
  const inBucket = counts[index] - below
  // Only q = 0 over an empty lowest bucket gets here (PromQL answers NaN).
  if (inBucket === 0) return lower
  return lower + (upper - lower) * ((rank - below) / inBucket)
}

/**
 * Adds histograms bucket by bucket (buckets with the same `le` are summed):
 * the histogram of several processes or several time buckets together.
 */
export function sumBuckets(...histograms: CumulativeBucket[][]): CumulativeBucket[] {
  const byBound = new Map<number, number>()
  for (const histogram of histograms) {
    for (const { le, count } of histogram) byBound.set(le, (byBound.get(le) ?? 0) + count)
  }
  return [...byBound].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le)
}

/** `le` as Prometheus writes it (`+Inf` for the last bucket). */
export function formatBound(le: number) {
  return le === Infinity ? '+Inf' : String(le)
}

/** The inverse of formatBound; NaN for anything else. */
export function parseBound(text: string | number) {
  if (typeof text === 'number') return text
  return text === '+Inf' ? Infinity : Number(text)
}
