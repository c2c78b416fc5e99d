import { DEFAULTS } from '../runtime/index.js';
import type { BenchParams } from './options.js';
import { valueOf, type BenchResult, type FigureName } from './result.js';
import { round2 } from './stats.js';

/** Where Baton stands against one of its targets (docs/decisions/bench-method.md#targets-and-their-bounds). `met` is null when the run lacks a figure it needs. */
export interface TargetCheck {
  readonly target: string;
  /** What was measured, in `unit`. */
  readonly value: number | string | null;
  /** The bound, computed within the run where it depends on raw. */
  readonly bound: number | string | null;
  readonly unit: string;
  readonly met: boolean | null;
  /** How the bound was computed. */
  readonly basis: string;
}

/** Checks Baton's figures against the targets, with bounds from the same run (`results` includes the ratios). */
export function checkTargets(params: BenchParams, results: readonly BenchResult[]): TargetCheck[] {
  const baton = (figure: FigureName) => valueOf(results, 'baton', figure);
  const raw = (figure: FigureName) => valueOf(results, 'raw', figure);
  const compare = (value: number | undefined, bound: number | undefined, ok: (v: number, b: number) => boolean) =>
    value === undefined || bound === undefined ? null : ok(value, bound);

  const counts = (['requests.acquireWin', 'requests.acquireLoss', 'requests.renew', 'requests.release'] as const).map((f) => baton(f));
  const rawP50 = raw('latency.acquire.p50Ms');
  const rawP99 = raw('latency.acquire.p99Ms');
  // Ratios were computed from the same run by ratios().
  const p50Ratio = baton('ratio.latencyP50VsRaw');
  const contentionBound = rawP99 === undefined ? undefined : round2(3 * rawP99);
  const failoverBound = params.leaseDurationMs + DEFAULTS.maxClockSkewMs + DEFAULTS.raceJitterMs;
  const rawThroughput = raw('throughput.renewsPerS');
  const throughputRatio = baton('ratio.throughputVsRaw');

  return [
    {
      target: 'requests per operation: acquire won / acquire lost / renew / release',
      value: counts.every((c) => c !== undefined) ? counts.join(' / ') : null,
      bound: '1 / 1 / 1 / 1',
      unit: 'requests',
      met: counts.every((c) => c !== undefined) ? counts.every((c) => c === 1) : null,
      basis: 'counted by middleware on the calling client, retries included',
    },
    {
      target: 'uncontended acquire p50 within 1.15x raw',
      value: p50Ratio ?? null,
      bound: 1.15,
      unit: 'x raw p50',
      met: compare(p50Ratio, 1.15, (v, b) => v <= b),
      basis: `baton p50 / raw p50 (raw p50 ${rawP50 ?? 'n/a'} ms)`,
    },
    {
      target: `all ${params.contention.contenders} contenders answered within 3x a single request's p99`,
      value: baton('contention.allAnsweredMs') ?? null,
      bound: contentionBound ?? null,
      unit: 'ms',
      met: compare(baton('contention.allAnsweredMs'), contentionBound, (v, b) => v <= b),
      basis: `3 x raw p99 (${rawP99 ?? 'n/a'} ms); raw's own ${params.contention.contenders} contenders took ${raw('contention.allAnsweredMs') ?? 'n/a'} ms`,
    },
    {
      target: 'failover within the lease + maxClockSkewMs + one retry interval',
      value: baton('failover.ms') ?? null,
      bound: failoverBound,
      unit: 'ms',
      met: compare(baton('failover.ms'), failoverBound, (v, b) => v <= b),
      basis: `${params.leaseDurationMs} + ${DEFAULTS.maxClockSkewMs} + ${DEFAULTS.raceJitterMs} (raceJitterMs: a waiter retries within it after the expiry), from the leader's last renewal`,
    },
    {
      target: 'renew throughput at least 0.9x raw UpdateItem throughput',
      value: throughputRatio ?? null,
      bound: 0.9,
      unit: 'x raw',
      met: compare(throughputRatio, 0.9, (v, b) => v >= b),
      basis: `baton renews/s / raw renews/s (raw ${rawThroughput ?? 'n/a'} renews/s)`,
    },
  ];
}
