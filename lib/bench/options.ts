import { SYSTEM_NAMES, type SystemName } from './lock-system.js';

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
  readonly throughput: { readonly leases: number; readonly workers: number; readonly rounds: number; readonly leaseDurationMs: number };
  /** Each request figure is measured `reps` times; the counts must agree. */
  readonly requests: { readonly reps: number };
}

/** Every default of a full run, in one place: the figures of the issue. */
export const BENCH_DEFAULTS: Omit<BenchParams, 'mode' | 'systems'> = {
  leaseDurationMs: 2_000,
  latency: { warmup: 200, iterations: 2_000 },
  contention: { contenders: 64 },
  failover: { trials: 5, timeoutMs: 30_000 },
  // Long leases: a renewal round must never race a lease's own expiry.
  throughput: { leases: 1_000, workers: 8, rounds: 5, leaseDurationMs: 60_000 },
  requests: { reps: 3 },
};

/**
 * `--quick`: fewer repetitions, the same shape. Contention keeps all 64
 * contenders and throughput all 1,000 leases, so request counts and the
 * report's structure are those of a full run.
 */
const QUICK: Pick<BenchParams, 'latency' | 'failover' | 'throughput' | 'requests'> = {
  latency: { warmup: 20, iterations: 200 },
  failover: { ...BENCH_DEFAULTS.failover, trials: 1 },
  throughput: { ...BENCH_DEFAULTS.throughput, rounds: 1 },
  requests: { reps: 2 },
};

/** Applies the defaults (and `--quick`) and validates the system list, naming the option at fault. */
export function resolveBenchParams(options: { quick?: boolean; systems?: string }): BenchParams {
  const systems = options.systems === undefined ? [...SYSTEM_NAMES] : parseSystems(options.systems);
  return options.quick ? { mode: 'quick', systems, ...BENCH_DEFAULTS, ...QUICK } : { mode: 'full', systems, ...BENCH_DEFAULTS };
}

function parseSystems(list: string): SystemName[] {
  const names = list.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const unknown = names.filter((name) => !(SYSTEM_NAMES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new RangeError(`--systems must be a comma-separated subset of ${SYSTEM_NAMES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
  }
  // Report order, whatever the order asked for.
  return SYSTEM_NAMES.filter((name) => names.includes(name));
}
