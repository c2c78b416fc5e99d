/**
 * Where intervals of different owners meet: the interval arithmetic behind
 * "two leaders acting at once" in the election lab (lab/sim/overlaps.ts), the
 * elector demo (lab/demo/elect-checks.ts) and the fault campaign
 * (lab/chaos/checker.ts). Each of them builds its intervals from its own
 * evidence; only the arithmetic lives here. Pure: no I/O, no clock.
 *
 * Intervals are half-open, `[start, end)`: one that ends at the very moment
 * another begins does not overlap it, since a handover at one instant is not
 * two leaders. An interval with `end <= start` holds no moment.
 */

/** A stretch of time: it holds `start`, not `end`. */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

/**
 * Every pair of intervals of different owners in which the later one begins
 * while the earlier one still runs (`a.start <= b.start < a.end`), as
 * `[earlier, later]`, in order of the earlier one's start, then the later
 * one's. Intervals that start together keep the order they were given in.
 *
 * For intervals that hold a moment, that is exactly "the two share a moment".
 * An empty or inverted interval counts too when it begins inside another: its
 * owner began acting (the start is evidence) while the other acted. Callers
 * that must exclude those do so on the pairs (lab/chaos/checker.ts does).
 */
export function overlappingPairs<T extends Interval>(
  intervals: readonly T[],
  ownerOf: (interval: T) => unknown,
): [T, T][] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const pairs: [T, T][] = [];
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j]!;
      // Sorted by start: every interval after b begins no earlier, so none of them meets a either.
      if (b.start >= a.end) break;
      if (ownerOf(a) !== ownerOf(b)) pairs.push([a, b]);
    }
  }
  return pairs;
}

/**
 * The stretches of time in which intervals of at least two different owners
 * run at once, in order, merged where they touch. Empty and inverted
 * intervals hold no moment and add nothing.
 */
export function sharedSpans<T extends Interval>(
  intervals: readonly T[],
  ownerOf: (interval: T) => unknown,
): Interval[] {
  const held = intervals.filter((i) => i.start < i.end);
  const times = [...new Set(held.flatMap((i) => [i.start, i.end]))].sort((a, b) => a - b);
  const spans: Interval[] = [];
  // Between two consecutive endpoints nothing starts or ends, so who runs is the same throughout.
  for (let k = 0; k + 1 < times.length; k++) {
    const start = times[k]!;
    const end = times[k + 1]!;
    const owners = new Set(held.filter((i) => i.start <= start && end <= i.end).map(ownerOf));
    if (owners.size < 2) continue;
    const last = spans.at(-1);
    if (last?.end === start) spans[spans.length - 1] = { start: last.start, end };
    else spans.push({ start, end });
  }
  return spans;
}

/** The summed length of the spans (which `sharedSpans` returns disjoint). */
export function totalLength(spans: readonly Interval[]): number {
  return spans.reduce((sum, s) => sum + (s.end - s.start), 0);
}
