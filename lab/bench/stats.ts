/**
 * The `p`-th percentile (0 < p <= 100) of `samples` by the nearest-rank
 * method: always one of the samples, never an interpolation between two.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('percentile of no samples');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

/** The median (50th percentile, nearest rank). */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Rounds for display and the report: timings to 0.01 ms, ratios to 0.01. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
