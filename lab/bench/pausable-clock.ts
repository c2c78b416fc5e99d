import { systemClock, type Clock } from 'baton-lease';

/**
 * The system clock, except that after `pause()` no sleep ever wakes up again
 * (it only rejects when its signal aborts): what a frozen process (SIGSTOP, a
 * long GC pause, a suspended Lambda) looks like from the inside. Handing it to
 * a `LeaseClient` lets the bench stop a real `runAsLeader` loop from renewing
 * without changing a line of the runtime.
 */
export class PausableClock implements Clock {
  #paused = false;

  constructor(private readonly base: Clock = systemClock) {}

  now(): number {
    return this.base.now();
  }

  monotonic(): number {
    return this.base.monotonic();
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await this.base.sleep(ms, signal);
    if (this.#paused) await frozen(signal);
  }

  /** From now on, timers never fire. */
  pause(): void {
    this.#paused = true;
  }
}

/** Settles only when `signal` aborts, and then rejects with its reason, as a sleep does. */
function frozen(signal: AbortSignal | undefined): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal?.aborted) reject(signal.reason);
    else signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
