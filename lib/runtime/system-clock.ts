import { performance } from 'node:perf_hooks';
import type { Clock, RandomSource } from './clock.js';

/** setTimeout's largest delay; a longer one overflows and fires at once. Longer sleeps are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The real clock: the only place in `lib/runtime` that touches the host's
 * timers, time and randomness (docs/architecture.md#the-parts).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep(ms, signal, options) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let timer: ReturnType<typeof setTimeout>;
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const wait = (left: number) => {
        timer = setTimeout(
          () => {
            if (left > MAX_TIMEOUT_MS) return wait(left - MAX_TIMEOUT_MS);
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          Math.min(left, MAX_TIMEOUT_MS),
        );
        if (options?.keepAlive === false) timer.unref();
      };
      wait(Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

/** The host's default pseudo-random source. Only jitter and owner-id uniqueness depend on it. */
export const systemRandom: RandomSource = () => Math.random();
