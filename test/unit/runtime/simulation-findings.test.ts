import { describe, expect, it } from 'vitest';
import { InMemoryLeaseStore, LeaseClient, LeaseLostError, type LeaseEvent } from '../../../lib/runtime/index.js';
import { FakeClock } from '../../../lib/testing/fake-clock.js';

// Defects the deterministic simulation (lab/dst, docs/dst.md) found in the runtime; each failed before its fix.

describe('found by the deterministic simulation', () => {
  it('a renew refused because our own release landed first reports no loss (simulation seed 13)', async () => {
    const store = new InMemoryLeaseStore();
    const events: LeaseEvent[] = [];
    const leases = new LeaseClient({
      store,
      clock: new FakeClock(),
      random: () => 0,
      holderName: 'a',
      onEvent: (e) => void events.push(e),
    });
    const lease = await leases.acquire('job', { durationMs: 3_000 });
    // The user's release lands first; a renew sent meanwhile (the renew loop's) arrives after it.
    const releasing = lease.release();
    const renewing = lease.renew();
    await releasing;
    const renewError = await renewing.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(renewError).not.toBeInstanceOf(LeaseLostError);
    expect(events.filter((e) => e.type === 'lost')).toEqual([]);
    expect(events.filter((e) => e.type === 'released')).toHaveLength(1);
  });
});
