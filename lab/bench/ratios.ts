import type { SystemName } from './registry.js';
import { result, valueOf, type BenchResult, type FigureName } from './result.js';
import { round2 } from './stats.js';

/** Each ratio: which figure of the system over which figure of `raw`. */
export const RATIOS: readonly { figure: FigureName; of: FigureName; over: FigureName }[] = [
  { figure: 'ratio.latencyP50VsRaw', of: 'latency.acquire.p50Ms', over: 'latency.acquire.p50Ms' },
  { figure: 'ratio.latencyP99VsRaw', of: 'latency.acquire.p99Ms', over: 'latency.acquire.p99Ms' },
  // "A single request's p99": the bare UpdateItem's, measured in the same run.
  { figure: 'ratio.contentionVsRawP99', of: 'contention.allAnsweredMs', over: 'latency.acquire.p99Ms' },
  { figure: 'ratio.throughputVsRaw', of: 'throughput.renewsPerS', over: 'throughput.renewsPerS' },
];

/** The ratios of each system's figures to raw's, all from this run's `results`. */
export function ratios(systems: readonly SystemName[], results: readonly BenchResult[]): BenchResult[] {
  return systems.flatMap((system) =>
    RATIOS.map(({ figure, of, over }) => {
      const numerator = valueOf(results, system, of);
      const denominator = valueOf(results, 'raw', over);
      if (numerator === undefined) return result(system, figure, null, `no ${of} to compare`);
      if (denominator === undefined || denominator === 0)
        return result(system, figure, null, `raw has no ${over} in this run`);
      return result(system, figure, round2(numerator / denominator));
    }),
  );
}
