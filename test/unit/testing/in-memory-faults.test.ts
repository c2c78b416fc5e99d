import { describe, expect, it } from 'vitest';
import { InMemoryLeaseStore, LeaseClient, LeaseValidationError, StaleTokenError } from '../../../lib/runtime/index.js';
import { FakeClock, faultyStore, InMemoryFencedResource } from '../../../lib/testing/index.js';

describe('InMemoryFencedResource', () => {
  it("refuses a stale leader's write with the StaleTokenError fencedUpdate throws, and keeps the newer value", async () => {
    const clock = new FakeClock();
    const store = new InMemoryLeaseStore();
    const old = await new LeaseClient({ store, clock, holderName: 'old' }).acquire('job', { durationMs: 1_000 });
    await clock.advance(2_000); // the old leader pauses past its lease
    const next = await new LeaseClient({ store, clock, holderName: 'new' }).acquire('job', { durationMs: 1_000 });
    const reports = new InMemoryFencedResource<string>();
    await reports.update('nightly', next.token, () => 'from the new leader');
    const stale = reports.update('nightly', old.token, () => 'from the old leader');
    await expect(stale).rejects.toBeInstanceOf(StaleTokenError);
    await expect(stale).rejects.toMatchObject({ token: old.token, fence: next.token });
    expect(reports.get('nightly')).toBe('from the new leader');
    expect(reports.writes.map((w) => [w.token, w.refusedBy])).toEqual([
      [2, undefined],
      [1, 2],
    ]);
  });

  it('accepts the same token again and a newer one, and names a bad token', async () => {
    const counter = new InMemoryFencedResource<number>();
    await counter.update('n', 3, (n = 0) => n + 1);
    await counter.update('n', 3, (n = 0) => n + 1);
    await counter.update('n', 4, (n = 0) => n + 1);
    expect([counter.get('n'), counter.fenceOf('n')]).toEqual([3, 4]);
    await expect(counter.update('n', 0, () => 0)).rejects.toMatchObject({ field: 'token' });
    await expect(counter.update('n', 1.5, () => 0)).rejects.toBeInstanceOf(LeaseValidationError);
  });
});

describe('faultyStore', () => {
  const setup = () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    const store = faultyStore(memory, { clock, random: () => 0.25 });
    return { clock, memory, store, leases: new LeaseClient({ store, clock, random: () => 0.25, holderName: 'w' }) };
  };

  it('a lost answer: the acquire applied, and tryAcquire still knows it won, after one consistent read', async () => {
    const { memory, store, leases } = setup();
    store.forceNext('drop', 1, 'acquire');
    const r = await leases.tryAcquire('job', { durationMs: 1_000 });
    expect(r.acquired).toBe(true);
    expect(memory.requests).toMatchObject({ acquire: 1, read: 1 });
    expect(store.injected['dropped-response']).toBe(1);
  });

  it('a lost request: nothing applied, and the failure reaches the caller as a LeaseError with the cause', async () => {
    const { memory, store, leases } = setup();
    store.forceNext('reset', 2); // the acquire and the read that tries to settle it
    await expect(leases.tryAcquire('job', { durationMs: 1_000 })).rejects.toMatchObject({
      cause: { code: 'ECONNRESET' },
    });
    expect(memory.requests.acquire).toBe(0);
    expect(await memory.read('job')).toBeUndefined();
  });

  it('a partition loses every request until healed; delays pass on the injected clock', async () => {
    const { clock, store, leases } = setup();
    store.partition();
    await expect(leases.tryAcquire('job', { durationMs: 1_000 })).rejects.toThrow();
    store.heal();
    store.setFaults({ latencyMs: 500 });
    let settled = false;
    const attempt = leases.tryAcquire('job', { durationMs: 1_000 }).then((r) => (settled = r.acquired));
    await clock.advance(499);
    expect(settled).toBe(false);
    await clock.advance(1);
    await attempt;
    expect(settled).toBe(true);
  });

  it('a throttle is an error answer the protocol backs off from: acquire waits and wins', async () => {
    const { clock, store, leases } = setup();
    store.forceNext('ThrottlingException', 2, 'acquire');
    const lease = leases.acquire('job', { durationMs: 1_000, waitMs: 10_000 });
    await clock.advance(10_000);
    await expect(lease).resolves.toMatchObject({ token: 1 });
    expect(store.injected.error).toBe(2);
  });
});
