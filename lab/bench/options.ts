import type { SoakParams } from './figures/soak.js';
import { SYSTEM_NAMES, type SystemName } from './registry.js';

/** What one bench run measures, and how much. Recorded as the report's `params`. */
export interface BenchParams {
  readonly mode: 'full' | 'quick';
  readonly systems: readonly SystemName[];
  /** The lease every system is configured for, and waits out in the failover figure. */
  readonly leaseDurationMs: number;
  /** Uncontended acquire: `warmup` untimed, then `iterations` timed, the systems taking turns. */
  readonly latency: { readonly warmup: number; readonly iterations: number };
  readonly contention: { readonly contenders: number };
  /** `trials` failovers per system; each must finish within `timeoutMs`. */
  readonly failover: { readonly trials: number; readonly timeoutMs: number };
  /** `leases` leases of `leaseDurationMs` renewed `rounds` times each by `workers` concurrent workers, after one untimed round. */
  readonly throughput: {
    readonly leases: number;
    readonly workers: number;
    readonly rounds: number;
    readonly leaseDurationMs: number;
  };
  /** Each request figure is measured `reps` times; the counts must agree. */
  readonly requests: { readonly reps: number };
  /**
   * For each count in `leases`, that many leases held at once and renewed by
   * `workers` workers until `minRenews` renewals were timed; live heap per
   * held lease at the counts in `heapAt`.
   */
  readonly leaseGrowth: {
    readonly leases: readonly number[];
    readonly workers: number;
    readonly minRenews: number;
    readonly heapAt: readonly number[];
    readonly leaseDurationMs: number;
  };
  /** For each count in `contenders`, `rounds` races of that many contenders for one lease. */
  readonly contenderGrowth: { readonly contenders: readonly number[]; readonly rounds: number };
  /** Lambda cold starts under Node 24: `trials` of each handler, after one untimed. */
  readonly coldStart: { readonly trials: number };
  /** One leader renewing for `minutes` (`--soak`), or null: not part of this run. */
  readonly soak: SoakParams | null;
}

/** `--soak` without a length: half an hour, long enough for a slow leak to show as a slope. */
export const SOAK_DEFAULTS: SoakParams = { minutes: 30, durationMs: 2_000, renewEveryMs: 200, sampleEveryMs: 10_000 };

/** Every default of a full run, in one place (docs/benchmarks.md). */
export const BENCH_DEFAULTS: Omit<BenchParams, 'mode' | 'systems' | 'soak'> = {
  leaseDurationMs: 2_000,
  latency: { warmup: 200, iterations: 2_000 },
  contention: { contenders: 64 },
  failover: { trials: 5, timeoutMs: 30_000 },
  // Long leases: a renewal round must never race a lease's own expiry.
  throughput: { leases: 1_000, workers: 8, rounds: 5, leaseDurationMs: 60_000 },
  requests: { reps: 3 },
  leaseGrowth: {
    leases: [1, 100, 1_000, 10_000],
    workers: 8,
    minRenews: 2_000,
    heapAt: [1_000, 10_000],
    leaseDurationMs: 60_000,
  },
  contenderGrowth: { contenders: [1, 2, 4, 8, 16, 64], rounds: 5 },
  coldStart: { trials: 7 },
};

/**
 * `--quick`: fewer repetitions, the same shape. Contention keeps all 64
 * contenders and throughput all 1,000 leases, so request counts and the
 * report's structure are those of a full run; the lease-growth figure stops
 * at 1,000 leases.
 */
const QUICK: Pick<
  BenchParams,
  'latency' | 'failover' | 'throughput' | 'requests' | 'leaseGrowth' | 'contenderGrowth' | 'coldStart'
> = {
  latency: { warmup: 20, iterations: 200 },
  failover: { ...BENCH_DEFAULTS.failover, trials: 1 },
  throughput: { ...BENCH_DEFAULTS.throughput, rounds: 1 },
  requests: { reps: 2 },
  // The same lease and contender counts; only the 10,000-lease point is left to full runs (it alone takes a minute).
  leaseGrowth: { ...BENCH_DEFAULTS.leaseGrowth, leases: [1, 100, 1_000], minRenews: 200, heapAt: [1_000] },
  contenderGrowth: { ...BENCH_DEFAULTS.contenderGrowth, rounds: 1 },
  coldStart: { trials: 2 },
};

/** Applies the defaults (and `--quick`) and validates the system list, naming the option at fault. */
export function resolveBenchParams(options: { quick?: boolean; systems?: string; soakMinutes?: number }): BenchParams {
  const systems = options.systems === undefined ? [...SYSTEM_NAMES] : parseSystems(options.systems);
  const soak =
    options.soakMinutes === undefined ? null : { ...SOAK_DEFAULTS, minutes: parseSoakMinutes(options.soakMinutes) };
  return options.quick
    ? { mode: 'quick', systems, ...BENCH_DEFAULTS, ...QUICK, soak }
    : { mode: 'full', systems, ...BENCH_DEFAULTS, soak };
}

function parseSoakMinutes(minutes: number): number {
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60)
    throw new RangeError(`--soak-minutes must be a number of minutes in (0, 1440], got ${minutes}`);
  return minutes;
}

function parseSystems(list: string): SystemName[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const unknown = names.filter((name) => !(SYSTEM_NAMES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new RangeError(
      `--systems must be a comma-separated subset of ${SYSTEM_NAMES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`,
    );
  }
  // Report order, whatever the order asked for.
  return SYSTEM_NAMES.filter((name) => names.includes(name));
}
