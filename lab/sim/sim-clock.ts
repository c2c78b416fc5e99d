import type { Clock } from 'baton-lease';
import type { NodeContext } from './election-node.js';

/**
 * The runtime's `Clock` on simulated time, for one node incarnation: `now()`
 * and `monotonic()` are the node's own (offset and drifting) clocks, and
 * `sleep` is a node timer, so it stops while the node is paused and dies with
 * it. Nothing here touches a real timer.
 */
export class SimClock implements Clock {
  constructor(private readonly ctx: NodeContext) {}

  now(): number {
    return this.ctx.now();
  }

  monotonic(): number {
    return this.ctx.monotonic();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        timer.cancel();
        reject(signal?.reason);
      };
      const timer = this.ctx.setTimer(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
