import type { SystemName } from './registry.js';

/** The figures the bench reports (docs/benchmarks.md), each with its unit. */
export const FIGURES = {
  'requests.acquireWin': 'requests',
  'requests.acquireLoss': 'requests',
  'requests.renew': 'requests',
  'requests.release': 'requests',
  'latency.acquire.p50Ms': 'ms',
  'latency.acquire.p99Ms': 'ms',
  'contention.winners': 'contenders',
  'contention.requests': 'requests',
  'contention.allAnsweredMs': 'ms',
  'failover.ms': 'ms',
  // Long-lived leadership (elect), Baton only: lab/bench/figures/elector.ts.
  'failover.electMs': 'ms',
  'failover.electBeforeMs': 'ms',
  'failover.clockFreeMs': 'ms',
  'failover.clockFreeBeforeMs': 'ms',
  'handoff.ms': 'ms',
  'gracefulStop.ms': 'ms',
  'throughput.renewsPerS': 'renews/s',
  // Computed within the run from the figures above.
  'ratio.latencyP50VsRaw': 'x',
  'ratio.latencyP99VsRaw': 'x',
  'ratio.contentionVsRawP99': 'x',
  'ratio.throughputVsRaw': 'x',
} as const;
export type FigureName = keyof typeof FIGURES;

/** One figure of one system. `value: null` means the system cannot produce it, and `note` says why. */
export interface BenchResult {
  readonly system: SystemName;
  readonly figure: FigureName;
  readonly value: number | null;
  readonly unit: string;
  readonly note?: string;
}

/** A result with the figure's unit filled in. */
export function result(system: SystemName, figure: FigureName, value: number | null, note?: string): BenchResult {
  return { system, figure, value, unit: FIGURES[figure], ...(note === undefined ? {} : { note }) };
}

/** The value of one figure of one system in `results`, or `undefined` when absent or null. */
export function valueOf(results: readonly BenchResult[], system: SystemName, figure: FigureName): number | undefined {
  return results.find((r) => r.system === system && r.figure === figure)?.value ?? undefined;
}
