import type { Clock } from '../runtime/clock.js';
import { LeaseValidationError } from '../runtime/errors.js';
import { describeValue } from '../runtime/validate.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * A manual `Clock` for tests: time moves only when the test calls `advance`,
 * and sleeping timers fire in order as it passes them. `skewed(offsetMs)`
 * gives another worker's view of the same time with its wall clock off by
 * `offsetMs`, sharing timers and monotonic time.
 *
 * @example
 * ```ts
 * const clock = new FakeClock();
 * const leases = new LeaseClient({ store: new InMemoryLeaseStore(), clock, random: () => 0.5 });
 * await clock.advance(10_000);
 * ```
 */
export class FakeClock implements Clock {
  #monotonic = 0;
  #seq = 0;
  #timers: Timer[] = [];

  /** @param wallStartMs the wall-clock reading at monotonic 0. */
  constructor(private readonly wallStartMs = Date.UTC(2026, 0, 1)) {
    finiteMs('wallStartMs', wallStartMs);
  }

  now(): number {
    return this.wallStartMs + this.#monotonic;
  }

  monotonic(): number {
    return this.#monotonic;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (typeof ms !== 'number' || Number.isNaN(ms))
      return Promise.reject(
        new LeaseValidationError('ms', `must be a number of milliseconds, got ${describeValue(ms)}`),
      );
    if (signal !== undefined && !(signal instanceof AbortSignal))
      return Promise.reject(new LeaseValidationError('signal', 'must be an AbortSignal'));
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = {
        at: this.#monotonic + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#timers.push(timer);
    });
  }

  /** Sleeps not yet fired or cancelled: a test can assert that nothing was left behind. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order and letting the
   * code they wake run (including its awaited promises) before moving on.
   */
  async advance(ms: number): Promise<void> {
    if (finiteMs('ms', ms) < 0)
      throw new LeaseValidationError('ms', `must not be negative: time only moves forward, got ${ms}`);
    const target = this.#monotonic + ms;
    await settle();
    for (;;) {
      const next = this.#timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#monotonic = next.at;
      next.resolve();
      await settle();
    }
    this.#monotonic = target;
    await settle();
  }

  /** The same time seen by a worker whose wall clock is `offsetMs` ahead (or behind, if negative). */
  skewed(offsetMs: number): Clock {
    finiteMs('offsetMs', offsetMs);
    return {
      now: () => this.now() + offsetMs,
      monotonic: () => this.monotonic(),
      sleep: (ms, signal) => this.sleep(ms, signal),
    };
  }
}

function finiteMs(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new LeaseValidationError(field, `must be a finite number of milliseconds, got ${describeValue(value)}`);
  return value;
}

/** Lets every pending promise continuation run, including ones queued by I/O callbacks. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
