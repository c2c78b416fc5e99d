import type { Lease } from '../../lib/runtime/index.js';

/** A job that runs until its lease's signal aborts, then resolves with the abort reason's message. */
export function untilAborted(): { fn: (lease: Lease) => Promise<string>; started: Promise<Lease> } {
  let started!: (lease: Lease) => void;
  const startedP = new Promise<Lease>((resolve) => (started = resolve));
  return {
    started: startedP,
    fn: (lease) =>
      new Promise<string>((resolve) => {
        started(lease);
        lease.signal.addEventListener('abort', () => resolve((lease.signal.reason as Error).message), { once: true });
      }),
  };
}
