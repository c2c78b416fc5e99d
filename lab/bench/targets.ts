import { DEFAULTS } from 'baton-lease';
import type { ContenderGrowthPoint } from './figures/contender-growth.js';
import type { LeaseGrowthPoint } from './figures/lease-growth.js';
import type { ColdStartFigure, ColdStartSkipped } from './figures/cold-start.js';
import type { SoakFigure } from './figures/soak.js';
import type { BenchParams } from './options.js';
import { valueOf, type BenchResult, type FigureName } from './result.js';
import { round2 } from './stats.js';
import type { CostFigure } from './figures/cost.js';

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

/** The bounds that are fixed ratios to raw, measured in the same run. */
export const TARGET_RATIOS = {
  /** Baton's uncontended acquire p50 over raw's, at most. */
  acquireP50VsRaw: 1.1,
  /** Baton's renew throughput over raw's, at least. */
  renewThroughputVsRaw: 0.95,
  /** The cron-singleton bundle's import plus first invocation over a bare UpdateItem handler's, at most. */
  coldStartVsBare: 1.3,
} as const;

/**
 * Flat, over a soak: live heap growing by less than this per minute (under
 * half a MiB over the 30-minute soak, against some 9,000 renewals: a leak of
 * even 64 bytes per renewal would show), and active resources by less than
 * one per ten minutes.
 */
export const SOAK_FLAT = { heapBytesPerMin: 16 * 1024, handlesPerMin: 0.1 } as const;

/** The growth series the targets read: Baton's points only. */
export interface GrowthForTargets {
  readonly leases: readonly LeaseGrowthPoint[];
  readonly contenders: readonly ContenderGrowthPoint[];
  readonly coldStart: ColdStartFigure | ColdStartSkipped;
  readonly soak: SoakFigure | null;
}

/** Checks Baton's figures against the targets, with bounds from the same run (`results` includes the ratios). */
export function checkTargets(
  params: BenchParams,
  results: readonly BenchResult[],
  growth: GrowthForTargets,
  cost: CostFigure | null = null,
): TargetCheck[] {
  const baton = (figure: FigureName) => valueOf(results, 'baton', figure);
  const raw = (figure: FigureName) => valueOf(results, 'raw', figure);
  const compare = (value: number | undefined, bound: number | undefined, ok: (v: number, b: number) => boolean) =>
    value === undefined || bound === undefined ? null : ok(value, bound);

  const counts = (['requests.acquireWin', 'requests.acquireLoss', 'requests.renew', 'requests.release'] as const).map(
    (f) => baton(f),
  );
  const rawP50 = raw('latency.acquire.p50Ms');
  const rawP99 = raw('latency.acquire.p99Ms');
  // Ratios were computed from the same run by ratios().
  const p50Ratio = baton('ratio.latencyP50VsRaw');
  const contentionBound = rawP99 === undefined ? undefined : round2(3 * rawP99);
  const failoverBound = params.leaseDurationMs + DEFAULTS.maxClockSkewMs + DEFAULTS.raceJitterMs;
  const rawThroughput = raw('throughput.renewsPerS');
  const throughputRatio = baton('ratio.throughputVsRaw');
  const leasePoints = growth.leases.filter((p) => p.system === 'baton');
  const contenderPoints = growth.contenders.filter((p) => p.system === 'baton');
  const allOne = (values: readonly number[]) => (values.length === 0 ? null : values.every((v) => v === 1));

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
      target: `uncontended acquire p50 within ${TARGET_RATIOS.acquireP50VsRaw}x raw`,
      value: p50Ratio ?? null,
      bound: TARGET_RATIOS.acquireP50VsRaw,
      unit: 'x raw p50',
      met: compare(p50Ratio, TARGET_RATIOS.acquireP50VsRaw, (v, b) => v <= b),
      basis: `baton p50 / raw p50 (raw p50 ${rawP50 ?? 'n/a'} ms)`,
    },
    {
      target: `all ${params.contention.contenders} contenders answered within 3x a single request's p99`,
      value: baton('contention.allAnsweredMs') ?? null,
      bound: contentionBound ?? null,
      unit: 'ms',
      met: compare(baton('contention.allAnsweredMs'), contentionBound, (v, b) => v <= b),
      basis:
        `3 x raw p99 (${rawP99 ?? 'n/a'} ms); raw's own ${params.contention.contenders} contenders ` +
        `took ${raw('contention.allAnsweredMs') ?? 'n/a'} ms`,
    },
    {
      target: 'failover within the lease + maxClockSkewMs + one retry interval',
      value: baton('failover.ms') ?? null,
      bound: failoverBound,
      unit: 'ms',
      met: compare(baton('failover.ms'), failoverBound, (v, b) => v <= b),
      basis:
        `${params.leaseDurationMs} + ${DEFAULTS.maxClockSkewMs} + ${DEFAULTS.raceJitterMs} (raceJitterMs: ` +
        `a waiter retries within it after the expiry), from the leader's last renewal`,
    },
    {
      target: `renew throughput at least ${TARGET_RATIOS.renewThroughputVsRaw}x raw UpdateItem throughput`,
      value: throughputRatio ?? null,
      bound: TARGET_RATIOS.renewThroughputVsRaw,
      unit: 'x raw',
      met: compare(throughputRatio, TARGET_RATIOS.renewThroughputVsRaw, (v, b) => v >= b),
      basis: `baton renews/s / raw renews/s (raw ${rawThroughput ?? 'n/a'} renews/s)`,
    },
    {
      target: 'requests per renew stay 1 at every number of leases held',
      value: leasePoints.length ? leasePoints.map((p) => p.requestsPerRenew).join(' / ') : null,
      bound: 1,
      unit: 'requests',
      met: allOne(leasePoints.map((p) => p.requestsPerRenew)),
      basis: `counted on the wire at ${leasePoints.map((p) => p.leases).join(' / ') || 'n/a'} leases`,
    },
    {
      target: 'requests per contender per attempt stay 1 at every number of contenders',
      value: contenderPoints.length ? contenderPoints.map((p) => p.requestsPerContender).join(' / ') : null,
      bound: 1,
      unit: 'requests',
      met: allOne([
        ...contenderPoints.map((p) => p.requestsPerContender),
        ...contenderPoints.flatMap((p) => p.winners),
      ]),
      basis:
        `counted on the wire at ${contenderPoints.map((p) => p.contenders).join(' / ') || 'n/a'} contenders ` +
        `per lease, and exactly one winner in every round`,
    },
    ...waitingTargets(params, results, cost),
    coldStartTarget(growth.coldStart),
    soakTarget(growth.soak),
  ];
}

/** A waiter's cost against the rule before reads, on-demand; the leader's renewal; the elector's failover before and after, from the same run. */
function waitingTargets(params: BenchParams, results: readonly BenchResult[], cost: CostFigure | null): TargetCheck[] {
  const row = (system: string, item: string) => cost?.rows.find((r) => r.system === system && r.item.startsWith(item));
  const after = row('baton', 'waiter-hour (10 s')?.dollars?.onDemand;
  const before = row('baton/before', 'waiter-hour (10 s')?.dollars?.onDemand;
  const ratio = after === undefined || before === undefined ? undefined : Math.round((after / before) * 1000) / 1000;
  const renew = row('baton', 'renew')?.units;
  // One round trip: raw's acquire p99 in this run. Both waiters also draw their own 0-raceJitterMs spread at the takeover point.
  const roundTrip =
    valueOf(results, 'raw', 'latency.acquire.p99Ms') ?? valueOf(results, 'baton', 'latency.acquire.p99Ms');
  // Clock-free, each waiter's watch starts at its first poll after the holder's last renewal: a random phase of up to one poll period.
  const pollMs = Math.floor((params.leaseDurationMs - DEFAULTS.safetyMarginMs) / 3);
  const failover = (figure: FigureName, beforeFigure: FigureName, mode: string, phaseMs: number): TargetCheck => {
    const value = valueOf(results, 'baton', figure);
    const was = valueOf(results, 'baton', beforeFigure);
    const bound =
      was === undefined || roundTrip === undefined
        ? undefined
        : round2(was + roundTrip + DEFAULTS.raceJitterMs + phaseMs);
    return {
      target: `elector failover (${mode}) within one round trip of waiters that write every poll`,
      value: value ?? null,
      bound: bound ?? null,
      unit: 'ms',
      met: value === undefined || bound === undefined ? null : value <= bound,
      basis: `before ${was ?? 'n/a'} ms in the same trials + one round trip (raw p99 ${roundTrip ?? 'n/a'} ms) + raceJitterMs ${DEFAULTS.raceJitterMs} (each waiter's own random spread)${phaseMs ? ` + one poll period ${phaseMs} ms (each clock-free waiter's own phase)` : ''}`,
    };
  };
  return [
    {
      target:
        'waiter-hour behind a live leader (10 s lease, wall-clock, on-demand) at most 1/5 of waiters ' +
        'that write every poll',
      value: ratio ?? null,
      bound: 0.2,
      unit: 'x before',
      met: ratio === undefined ? null : ratio <= 0.2,
      basis:
        `$${after?.toFixed(4) ?? 'n/a'} vs $${before?.toFixed(4) ?? 'n/a'} a month; units per poll ` +
        `measured live, polls per hour from the schedule`,
    },
    {
      target: "leader's renewal stays one write unit",
      value: renew ? `${renew.write} WCU + ${renew.read} RCU` : null,
      bound: '1 WCU + 0 RCU',
      unit: 'per renew',
      met: renew ? renew.write === 1 && renew.read === 0 : null,
      basis: 'ConsumedCapacity of one renew, counted on the wire',
    },
    failover('failover.electMs', 'failover.electBeforeMs', 'wall-clock', 0),
    failover('failover.clockFreeMs', 'failover.clockFreeBeforeMs', 'clock-free', pollMs),
  ];
}

function coldStartTarget(cold: ColdStartFigure | ColdStartSkipped): TargetCheck {
  const target =
    `Lambda cold start (import + first invocation) within ${TARGET_RATIOS.coldStartVsBare}x a bare ` +
    `UpdateItem handler`;
  if ('skipped' in cold)
    return {
      target,
      value: null,
      bound: TARGET_RATIOS.coldStartVsBare,
      unit: 'x bare',
      met: null,
      basis: cold.skipped,
    };
  return {
    target,
    value: cold.ratio,
    bound: TARGET_RATIOS.coldStartVsBare,
    unit: 'x bare',
    met: cold.ratio <= TARGET_RATIOS.coldStartVsBare,
    basis:
      `median of ${cold.trials} under Node ${cold.node}: baton ${cold.baton.totalMs} ms (${cold.baton.bundleBytes} ` +
      `B bundle), bare ${cold.bare.totalMs} ms (${cold.bare.bundleBytes} B)`,
  };
}

function soakTarget(soak: SoakFigure | null): TargetCheck {
  const target = 'heap and open handles flat while one leader renews (soak)';
  const bound = `|heap| < ${SOAK_FLAT.heapBytesPerMin} B/min, |handles| < ${SOAK_FLAT.handlesPerMin}/min, 0 failures`;
  if (soak === null)
    return { target, value: null, bound, unit: '', met: null, basis: 'no soak in this run (npm run bench -- --soak)' };
  return {
    target,
    value: `${soak.heapSlopeBytesPerMin} B/min heap, ${soak.handlesSlopePerMin}/min handles, ${soak.failures} failures`,
    bound,
    unit: '',
    met:
      Math.abs(soak.heapSlopeBytesPerMin) < SOAK_FLAT.heapBytesPerMin &&
      Math.abs(soak.handlesSlopePerMin) < SOAK_FLAT.handlesPerMin &&
      soak.failures === 0,
    basis:
      `least squares over ${soak.params.minutes} min after the first tenth, ${soak.renews} renewals ` +
      `by ${soak.loop}`,
  };
}
