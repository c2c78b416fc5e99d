import { performance } from 'node:perf_hooks';
import type { Clock, RandomSource } from './clock.js';

/**
 * The real clock: the only place in `lib/runtime` that touches the host's
 * timers, time and randomness (docs/architecture.md#the-parts).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

/** The host's default pseudo-random source. Only jitter and owner-id uniqueness depend on it. */
export const systemRandom: RandomSource = () => Math.random();
