// How every benchmark turns the times it measured into percentiles, so that a p99 here and a p99
// there are the same figure. (Not itself a bench: `lienthong bench` runs *.bench.ts only.)

export interface LatencySummary { count: number, p50: number, p95: number, p99: number, max: number, mean: number }

/**
 * The nearest-rank percentile of times sorted ascending: the smallest time that at least a
 * fraction `p` (0 to 1, e.g. 0.99) of them do not exceed; always one of the times measured,
 * never an interpolation. NaN when there are none.
 */
export function percentile (sortedMs: ArrayLike<number>, p: number): number {
  // a p of 99 meant as "99 %" would silently answer the max
  if (!(p >= 0 && p <= 1)) throw new RangeError(`a percentile is a fraction from 0 to 1, not ${p}`)
  if (sortedMs.length === 0) return NaN
  return sortedMs[Math.min(sortedMs.length - 1, Math.max(0, Math.ceil(p * sortedMs.length) - 1))]!
}

/** Count, p50, p95, p99, max and mean of times in any order; the times given are left as they are. */
export function summary (ms: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(ms).sort()
  let total = 0
  for (const x of sorted) total += x
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.length === 0 ? NaN : sorted[sorted.length - 1]!,
    mean: sorted.length === 0 ? NaN : total / sorted.length
  }
}
