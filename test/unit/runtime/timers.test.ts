import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  InMemoryLeaseStore,
  LeaseClient,
  LeaseValidationError,
  systemClock,
  type LeaseStore,
} from '../../../lib/runtime/index.js';
import { FakeClock } from '../../../lib/testing/fake-clock.js';
import { untilAborted } from '../../support/jobs.js';

describe('runAsLeader deadlineMs', () => {
  it('counts from the call, so a slow acquire does not push the abort later', async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    const slow: LeaseStore = Object.assign(Object.create(memory) as LeaseStore, {
      acquire: async (c: Parameters<LeaseStore['acquire']>[0]) => {
        await clock.sleep(400);
        return memory.acquire(c);
      },
    });
    const leases = new LeaseClient({ store: slow, clock, random: () => 0, holderName: 'a' });
    const job = untilAborted();
    const running = leases.runAsLeader('job', job.fn, { durationMs: 3_000, deadlineMs: 1_000 });
    await clock.advance(400);
    const lease = await job.started;
    await clock.advance(599);
    expect(lease.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(lease.signal.aborted).toBe(true);
    await expect(running).resolves.toMatchObject({ value: expect.stringContaining('deadlineMs (1000) passed') });
    expect(clock.pendingTimers).toBe(0);
  });

  it('hands fn an aborted signal when the deadline passed while acquiring', async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    const slow: LeaseStore = Object.assign(Object.create(memory) as LeaseStore, {
      acquire: async (c: Parameters<LeaseStore['acquire']>[0]) => {
        await clock.sleep(1_500);
        return memory.acquire(c);
      },
    });
    const leases = new LeaseClient({ store: slow, clock, random: () => 0, holderName: 'a' });
    let abortedAtStart: boolean | undefined;
    const running = leases.runAsLeader('job', async (lease) => (abortedAtStart = lease.signal.aborted), {
      durationMs: 3_000,
      deadlineMs: 1_000,
    });
    await clock.advance(1_500);
    await expect(running).resolves.toMatchObject({ led: true, released: true });
    expect(abortedAtStart).toBe(true);
  });
});

describe('timers beyond setTimeout’s 2^31 - 1 ms', () => {
  it('systemClock.sleep waits instead of firing at once', async () => {
    const stop = new AbortController();
    let fired = false;
    const sleeping = systemClock.sleep(2 ** 31 + 10, stop.signal).then(
      () => (fired = true),
      () => undefined,
    );
    await delay(50);
    expect(fired).toBe(false);
    stop.abort();
    await sleeping;
  });

  it('a deadlineMs above 2^31 - 1 does not abort the work at once', async () => {
    const leases = new LeaseClient({ store: new InMemoryLeaseStore(), holderName: 'a' });
    const stop = new AbortController();
    const job = untilAborted();
    const running = leases.runAsLeader('job', job.fn, {
      durationMs: 60_000,
      deadlineMs: 2 ** 31 + 10,
      signal: stop.signal,
    });
    const lease = await job.started;
    await delay(50);
    expect(lease.signal.aborted).toBe(false);
    stop.abort();
    await expect(running).resolves.toMatchObject({ value: expect.stringContaining('aborted by the caller') });
  });
});

describe('renewEveryMs and the local deadline', () => {
  it('renews before the holder’s local deadline by default, even with a large safetyMarginMs', async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    const leases = new LeaseClient({ store: memory, clock, random: () => 0, holderName: 'a', safetyMarginMs: 5_000 });
    const job = untilAborted();
    const stop = new AbortController();
    const running = leases.runAsLeader('job', job.fn, { durationMs: 6_000, signal: stop.signal });
    const lease = await job.started;
    for (let t = 0; t < 10_000; t += 100) await clock.advance(100);
    expect(lease.signal.aborted).toBe(false);
    expect(memory.requests.renew).toBeGreaterThan(0);
    stop.abort();
    await running;
  });

  it('refuses a renewEveryMs that leaves no room for two renewals before the local deadline', async () => {
    const memory = new InMemoryLeaseStore();
    const leases = new LeaseClient({ store: memory, holderName: 'a', safetyMarginMs: 5_000 });
    const attempt = leases.runAsLeader('job', async () => 1, { durationMs: 6_000, renewEveryMs: 2_000 });
    await expect(attempt).rejects.toBeInstanceOf(LeaseValidationError);
    await expect(attempt).rejects.toMatchObject({
      field: 'renewEveryMs',
      message: expect.stringContaining('safetyMarginMs'),
    });
    expect(memory.requests.acquire).toBe(0);
  });
});
