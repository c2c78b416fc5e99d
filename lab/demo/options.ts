import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';

/** Every default of the demo, in one place. */
export const DEMO_DEFAULTS = {
  /** How long ticks are sent, in seconds. */
  durationS: 30,
  /** Worker processes alive at any time (a killed one is replaced). */
  workers: 4,
  /** The schedule's period, in whole seconds (EventBridge event times have second resolution). */
  tickS: 1,
  /** Share of deliveries that are delivered a second time, to a random worker, shortly after. */
  duplicateRate: 0.1,
  /**
   * The function timeout of each invocation's Lambda context. The handler
   * derives the lease from it (remaining time + 1 s), so a short timeout
   * keeps leases, and so takeovers, short enough to watch.
   */
  functionTimeoutMs: 3_000,
  /** The job works this long (uniformly at random, in ms) before its ledger write: the window a pause lands in. */
  workMinMs: 100,
  workMaxMs: 500,
} as const;

/** A demo run's settings; see {@link DEMO_DEFAULTS}. */
export interface DemoOptions {
  readonly durationS: number;
  readonly workers: number;
  readonly tickS: number;
  readonly seed: number;
  readonly duplicateRate: number;
  readonly functionTimeoutMs: number;
  readonly workMinMs: number;
  readonly workMaxMs: number;
}

export const DEMO_USAGE = `usage: baton demo [--duration s] [--workers n] [--seed n] [--tick s]

Runs DynamoDB Local on 127.0.0.1 and n worker processes that each invoke the
real cron-singleton Lambda handler (lab/jobs/example-job.ts's job, a fenced
ledger) on every tick, with duplicate deliveries. A nemesis SIGKILLs or
SIGSTOPs the leader at random. Writes demo-report.json and demo-report.html
here, and exits 1 if a check fails: a tick run twice, a stale write accepted,
the ledger's fence going backwards.

  --duration  seconds of ticks (default ${DEMO_DEFAULTS.durationS})
  --workers   worker processes, 2-16 (default ${DEMO_DEFAULTS.workers})
  --seed      seeds the nemesis, the duplicates and the job durations (default: random, printed)
  --tick      seconds between ticks (default ${DEMO_DEFAULTS.tickS})`;

/** Parses `baton demo` arguments. Throws a `RangeError` naming the bad option. */
export function parseDemoArgs(argv: readonly string[]): DemoOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string' },
      workers: { type: 'string' },
      seed: { type: 'string' },
      tick: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  return resolveDemoOptions({
    ...(values.duration === undefined ? {} : { durationS: Number(values.duration) }),
    ...(values.workers === undefined ? {} : { workers: Number(values.workers) }),
    ...(values.seed === undefined ? {} : { seed: Number(values.seed) }),
    ...(values.tick === undefined ? {} : { tickS: Number(values.tick) }),
  });
}

/** Applies {@link DEMO_DEFAULTS} and validates. */
export function resolveDemoOptions(options: Partial<DemoOptions> = {}): DemoOptions {
  const o = { ...DEMO_DEFAULTS, seed: randomInt(0, 2 ** 31), ...options };
  integer('--duration', o.durationS, 1, 3_600);
  integer('--workers', o.workers, 2, 16);
  integer('--seed', o.seed, 0, 2 ** 32 - 1);
  integer('--tick', o.tickS, 1, 60);
  if (!(o.duplicateRate >= 0 && o.duplicateRate <= 1))
    throw new RangeError(`duplicateRate must be within [0, 1], got ${o.duplicateRate}`);
  integer('functionTimeoutMs', o.functionTimeoutMs, 2_000, 900_000);
  integer('workMinMs', o.workMinMs, 0, o.workMaxMs);
  integer('workMaxMs', o.workMaxMs, o.workMinMs, o.functionTimeoutMs);
  return o;
}

/** Throws a `RangeError` naming `name` unless `value` is an integer within [min, max]. */
export function integer(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}
