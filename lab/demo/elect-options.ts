import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DEFAULTS } from 'baton-lease';
import { integer } from './options.js';

/** Every default of the elector demo, in one place. */
export const ELECT_DEMO_DEFAULTS = {
  /** Worker processes alive at a time (each one `leases.elect(...)`). */
  workers: 3,
  /** `durationMs` of every elector. */
  leaseMs: 2_000,
  /** A leader prepares each write this long (uniformly at random) without looking at its lease: where a pause lands. At most a quarter of the lease. */
  prepareMinMs: 100,
  prepareMaxMs: 300,
  /**
   * Added to every handover bound for what the bound's formula leaves out: a
   * loaded machine's scheduling delays, process wake-ups, DynamoDB Local's
   * own latency spikes. The formula's part is stated beside each figure.
   */
  allowanceMs: 1_000,
} as const;

/** An elector demo run's settings; see {@link ELECT_DEMO_DEFAULTS}. */
export interface ElectDemoOptions {
  readonly workers: number;
  readonly leaseMs: number;
  readonly seed: number;
  readonly prepareMinMs: number;
  readonly prepareMaxMs: number;
  readonly allowanceMs: number;
  /**
   * Broken on purpose: the skew phase runs wall-clock electors instead of
   * clock-free ones, so the skew lets a waiter take over a live leader and the
   * overlap check must fail. Shows the check can fail.
   */
  readonly wallClockUnderSkew: boolean;
  /**
   * In the skew phase, also step the leader's own wall clock back (by 3 D):
   * it can no longer renew and must stop at its deadline. Reproduces a
   * weakness the demo found, since fixed (docs/decisions/elect-demo.md).
   */
  readonly skewLeaderBack: boolean;
}

export const ELECT_DEMO_USAGE = `usage: baton demo --elect [--workers n] [--lease ms] [--seed n] [--wall-clock-under-skew] [--skew-leader-back]

Runs DynamoDB Local on 127.0.0.1 and n long-lived worker processes, each
running leases.elect(...) on one lease; the leader makes fenced writes to a
resource. A nemesis then, in order: SIGKILLs the leader; SIGSTOPs the leader
past its lease and SIGCONTs it once a successor has written; stops the leader
gracefully; restarts every worker with rising priorities and clockFree (each
new one takes over by handoff); skews the clocks far beyond maxClockSkewMs;
SIGKILLs the clock-free leader. Writes elect-report.json and elect-report.html
here and exits 1 if a check fails: overlapping acting windows, a stale write
accepted, a handover slower than its bound. About a minute.

  --workers  worker processes alive at a time, 2-8 (default ${ELECT_DEMO_DEFAULTS.workers})
  --lease    the lease duration in ms, 1000-10000 (default ${ELECT_DEMO_DEFAULTS.leaseMs})
  --seed     seeds the workers' write timing and where the pause lands (default: random, printed)
  --wall-clock-under-skew
             broken on purpose: the restarted workers are not clock-free, so
             the skew phase must show an overlap and the run must fail
  --skew-leader-back
             also step the clock-free leader's own clock back in the skew
             phase: it cannot renew and must stop at its deadline
             (a weakness this demo found, since fixed: docs/decisions/elect-demo.md)`;

/** Parses `baton demo --elect` arguments. Throws a `RangeError` naming the bad option. */
export function parseElectDemoArgs(argv: readonly string[]): ElectDemoOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      elect: { type: 'boolean' },
      workers: { type: 'string' },
      lease: { type: 'string' },
      seed: { type: 'string' },
      'wall-clock-under-skew': { type: 'boolean' },
      'skew-leader-back': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  return resolveElectDemoOptions({
    ...(values.workers === undefined ? {} : { workers: Number(values.workers) }),
    ...(values.lease === undefined ? {} : { leaseMs: Number(values.lease) }),
    ...(values.seed === undefined ? {} : { seed: Number(values.seed) }),
    wallClockUnderSkew: values['wall-clock-under-skew'] ?? false,
    skewLeaderBack: values['skew-leader-back'] ?? false,
  });
}

/** Applies {@link ELECT_DEMO_DEFAULTS} and validates. */
export function resolveElectDemoOptions(options: Partial<ElectDemoOptions> = {}): ElectDemoOptions {
  const leaseMs = options.leaseMs ?? ELECT_DEMO_DEFAULTS.leaseMs;
  // A short lease shortens the preparation with it, unless it was given.
  const prepareMaxMs = options.prepareMaxMs ?? Math.min(ELECT_DEMO_DEFAULTS.prepareMaxMs, Math.floor(leaseMs / 4));
  const prepareMinMs = options.prepareMinMs ?? Math.min(ELECT_DEMO_DEFAULTS.prepareMinMs, prepareMaxMs);
  const o = {
    ...ELECT_DEMO_DEFAULTS,
    seed: randomInt(0, 2 ** 31),
    wallClockUnderSkew: false,
    skewLeaderBack: false,
    ...options,
    prepareMinMs,
    prepareMaxMs,
  };
  integer('--workers', o.workers, 2, 8);
  integer('--lease', o.leaseMs, 1_000, 10_000);
  integer('--seed', o.seed, 0, 2 ** 32 - 1);
  integer('prepareMinMs', o.prepareMinMs, 10, o.prepareMaxMs);
  // A write must fit well inside one renewal period, or a leader could not write at all before its deadline.
  integer('prepareMaxMs', o.prepareMaxMs, o.prepareMinMs, Math.floor(o.leaseMs / 4));
  integer('allowanceMs', o.allowanceMs, 0, 60_000);
  return o;
}

/** The protocol's constants every worker uses, derived from the options: the bounds are computed from these. */
export function electTiming(o: Pick<ElectDemoOptions, 'leaseMs'>): {
  durationMs: number;
  renewEveryMs: number;
  maxClockSkewMs: number;
  safetyMarginMs: number;
  raceJitterMs: number;
} {
  return {
    durationMs: o.leaseMs,
    renewEveryMs: Math.floor(o.leaseMs / 3),
    maxClockSkewMs: DEFAULTS.maxClockSkewMs,
    safetyMarginMs: DEFAULTS.safetyMarginMs,
    raceJitterMs: DEFAULTS.raceJitterMs,
  };
}
