import type { Clock } from 'baton-lease';
import { systemClock } from 'baton-lease';

/**
 * The host's clock with a wall-clock offset that can change while it runs: how
 * a chaos worker models a machine whose NTP discipline drifted or stepped.
 * Only `now()` moves; `monotonic()` and `sleep()` stay the host's, exactly as a
 * wrong wall clock leaves a machine's monotonic clock alone (assumption 3 of
 * docs/protocol.md still holds; assumption 2 is the one under test).
 */
export class SkewedClock implements Clock {
  #offsetMs: number;

  constructor(
    offsetMs = 0,
    private readonly base: Clock = systemClock,
  ) {
    this.#offsetMs = offsetMs;
  }

  /** Current offset of `now()` from the base clock, in ms (positive: ahead). */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  setOffset(offsetMs: number): void {
    if (!Number.isFinite(offsetMs)) throw new RangeError(`offsetMs must be a finite number, got ${offsetMs}`);
    this.#offsetMs = offsetMs;
  }

  now(): number {
    return this.base.now() + this.#offsetMs;
  }

  monotonic(): number {
    return this.base.monotonic();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms, signal);
  }
}
