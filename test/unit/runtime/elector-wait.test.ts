import { describe, expect, it } from 'vitest';
import {
  InMemoryLeaseStore,
  LeaseClient,
  type AcquireCommand,
  type ElectOptions,
  type Lease,
  type LeaseStore,
} from '../../../lib/runtime/index.js';
import { electWithWaitingRule } from '../../../lib/runtime/elector-compare.js';
import { readWhileHeld, type WaitingRule } from '../../../lib/runtime/elector-wait.js';
import { electorAttempt } from '../../../lib/runtime/lease-client.js';
import { FakeClock } from '../../../lib/testing/fake-clock.js';

const D = 3_000;
const RENEW = 1_000;
const S = 200;
const MARGIN = 250;

/** One worker's view of the shared store: what this worker sent, and the acquire commands it sent. */
class WorkerStore implements LeaseStore {
  readonly sent = { acquire: 0, renew: 0, release: 0, read: 0, guardedWrite: 0, requestHandoff: 0 };
  readonly acquires: AcquireCommand[] = [];
  constructor(private readonly shared: InMemoryLeaseStore) {}
  acquire: LeaseStore['acquire'] = (c) => (this.sent.acquire++, this.acquires.push(c), this.shared.acquire(c));
  renew: LeaseStore['renew'] = (c) => (this.sent.renew++, this.shared.renew(c));
  release: LeaseStore['release'] = (c) => (this.sent.release++, this.shared.release(c));
  read: LeaseStore['read'] = (n) => (this.sent.read++, this.shared.read(n));
  guardedWrite: LeaseStore['guardedWrite'] = (c) => (this.sent.guardedWrite++, this.shared.guardedWrite(c));
  requestHandoff: LeaseStore['requestHandoff'] = (c) => (this.sent.requestHandoff++, this.shared.requestHandoff(c));
  writes(): number {
    return this.sent.acquire + this.sent.renew + this.sent.release + this.sent.requestHandoff + this.sent.guardedWrite;
  }
}

function setup() {
  const clock = new FakeClock();
  const memory = new InMemoryLeaseStore();
  const worker = (name: string, offsetMs = 0) => {
    const store = new WorkerStore(memory);
    const leases = new LeaseClient({
      store,
      clock: offsetMs ? clock.skewed(offsetMs) : clock,
      random: () => 0,
      holderName: name,
      maxClockSkewMs: S,
      safetyMarginMs: MARGIN,
    });
    return { store, leases };
  };
  return { clock, memory, worker };
}

function elector(leases: LeaseClient, options: Partial<ElectOptions> = {}, rule: WaitingRule = readWhileHeld) {
  const stop = new AbortController();
  const tenures: Lease[] = [];
  const done = electWithWaitingRule(
    leases,
    'svc',
    {
      durationMs: D,
      renewEveryMs: RENEW,
      signal: stop.signal,
      onStartedLeading: (lease) => {
        tenures.push(lease);
        return new Promise<void>((resolve) => lease.signal.addEventListener('abort', () => resolve(), { once: true }));
      },
      ...options,
    },
    rule,
  );
  return {
    stop,
    tenures,
    done,
    get leading() {
      return tenures.length > 0 && !tenures.at(-1)!.signal.aborted;
    },
  };
}

async function stopAll(clock: FakeClock, ...electors: { stop: AbortController; done: Promise<void> }[]) {
  for (const e of electors) e.stop.abort();
  await Promise.all(electors.map((e) => e.done));
  expect(clock.pendingTimers).toBe(0);
}

describe('elect: a waiter behind a live tenure reads, and writes only when it could win', () => {
  it('wall-clock: one read per poll while the holder renews, no write; once the holder goes silent, one write at the takeover point', async () => {
    const { clock, memory, worker } = setup();
    const held = await worker('a').leases.tryAcquire('svc', { durationMs: D });
    if (!held.acquired) throw new Error('expected to acquire');
    const b = worker('b');
    const waiter = elector(b.leases);
    await clock.advance(0);
    expect(b.store.sent.acquire).toBe(1);
    for (let i = 0; i < 20; i++) {
      await clock.advance(RENEW);
      await held.lease.renew();
    }
    // One strongly consistent read per renewEveryMs (random 0: no early jitter), not one conditional write.
    expect(b.store.sent).toMatchObject({ acquire: 1, read: 20 });
    expect(b.store.writes()).toBe(1);
    // The holder goes silent right after a renewal: the waiter's sleep is cut to the takeover point, where it writes.
    const takeoverAt = (await memory.read('svc'))!.expiresAt + S + 1;
    while (!waiter.leading) await clock.advance(1);
    expect(clock.now()).toBe(takeoverAt);
    expect(b.store.sent.acquire).toBe(2);
    expect(waiter.tenures[0]!.token).toBe(2);
    held.lease.stopActing(new Error('test over'));
    await stopAll(clock, waiter);
  });

  it('clock-free: reads while watching, takes over with one write conditioned on the exact (token, version) it watched for a whole lease', async () => {
    const { clock, memory, worker } = setup();
    const dead = await electorAttempt(worker('dead').leases, 'svc', { durationMs: D }, { priority: 0, clockFree: {} });
    if (!dead.acquired) throw new Error('expected to acquire');
    // The waiter's wall clock is an hour ahead: an expiresAt-based "far" would write at once.
    const b = worker('b', 3_600_000);
    const waiter = elector(b.leases, { clockFree: true });
    await clock.advance(0);
    const firstSeen = clock.monotonic();
    const watched = (await memory.read('svc'))!;
    await clock.advance(D - 1);
    expect(waiter.leading).toBe(false);
    expect(b.store.sent.acquire).toBe(1);
    expect(b.store.sent.read).toBeGreaterThanOrEqual(2);
    while (!waiter.leading) await clock.advance(10);
    expect(clock.monotonic() - firstSeen).toBeGreaterThanOrEqual(D);
    expect(clock.monotonic() - firstSeen).toBeLessThanOrEqual(D + 10);
    expect(b.store.sent.acquire).toBe(2);
    expect(b.store.acquires[1]!.clockFree).toEqual({ observed: { token: watched.token, version: watched.version } });
    dead.lease.stopActing(new Error('test over'));
    await stopAll(clock, waiter);
  });

  it('clock-free: the watch restarts on each version a read shows, and a holder that keeps renewing is never written against', async () => {
    const { clock, worker } = setup();
    const a = elector(worker('a', -60_000).leases, { clockFree: true });
    await clock.advance(0);
    const b = worker('b', 60_000);
    const waiter = elector(b.leases, { clockFree: true });
    await clock.advance(20 * D);
    expect(b.store.sent.acquire).toBe(1);
    expect(b.store.sent.read).toBeGreaterThanOrEqual((20 * D) / RENEW - 1);
    expect(waiter.tenures).toHaveLength(0);
    expect(a.tenures).toHaveLength(1);
    await stopAll(clock, a, waiter);
  });

  it("clock-free: the watch is at least the duration the holder recorded, longer than the waiter's own", async () => {
    const { clock, worker } = setup();
    const dead = await electorAttempt(
      worker('dead').leases,
      'svc',
      { durationMs: 4 * D },
      { priority: 0, clockFree: {} },
    );
    if (!dead.acquired) throw new Error('expected to acquire');
    const b = worker('b');
    const waiter = elector(b.leases, { clockFree: true });
    await clock.advance(0);
    await clock.advance(4 * D - 1);
    expect(waiter.leading).toBe(false);
    expect(b.store.sent.acquire).toBe(1);
    while (!waiter.leading) await clock.advance(10);
    expect(b.store.sent.acquire).toBe(2);
    dead.lease.stopActing(new Error('test over'));
    await stopAll(clock, waiter);
  });

  it('a released lease: the read that finds it free is followed by the winning write at once, within one poll of the release', async () => {
    const { clock, worker } = setup();
    const a = elector(worker('a').leases);
    await clock.advance(0);
    const b = worker('b');
    const waiter = elector(b.leases);
    await clock.advance(3 * RENEW + 1);
    a.stop.abort();
    await a.done;
    const releasedAt = clock.monotonic();
    while (!waiter.leading) await clock.advance(10);
    expect(clock.monotonic() - releasedAt).toBeLessThanOrEqual(RENEW);
    expect(b.store.sent.acquire).toBe(2);
    await stopAll(clock, waiter);
  });

  it('a handoff request is still one write per tenure, and the requester otherwise reads until the lease is reserved for it', async () => {
    const { clock, memory, worker } = setup();
    const low = elector(worker('low').leases, { priority: 1 });
    await clock.advance(0);
    const h = worker('high');
    const high = elector(h.leases, { priority: 2 });
    while (!high.leading) await clock.advance(10);
    expect(h.store.sent.requestHandoff).toBe(1);
    expect(memory.requests.requestHandoff).toBe(1);
    // The first poll (a write), then the winning write on the reserved lease; everything between was reads.
    expect(h.store.sent.acquire).toBe(2);
    await stopAll(clock, low, high);
  });

  it('a lower-priority waiter reads past a lease reserved for a higher one, and writes once the reservation expired', async () => {
    const { clock, memory, worker } = setup();
    const holder = await electorAttempt(worker('holder').leases, 'svc', { durationMs: D }, { priority: 0 });
    if (!holder.acquired) throw new Error('expected to acquire');
    await memory.requestHandoff({ name: 'svc', token: 1, requester: 'gone', priority: 9 });
    // The holder learns of the request from its renew, and its release keeps the lease reserved for a whole lease.
    await expect(holder.lease.renew()).rejects.toThrow();
    await holder.lease.release();
    const reservedUntil = (await memory.read('svc'))!.expiresAt;
    const b = worker('b');
    const waiter = elector(b.leases, { priority: 1 });
    await clock.advance(D);
    expect(b.store.sent.acquire).toBe(1);
    while (!waiter.leading) await clock.advance(10);
    expect(clock.now()).toBeGreaterThan(reservedUntil + S);
    expect(b.store.sent.acquire).toBe(2);
    await stopAll(clock, waiter);
  });

  it('mutant: a clock-free waiter that judges "far" by expiresAt reads past the takeover point and never fails over (the rule above does)', async () => {
    const byExpiry: WaitingRule = (seen, view) =>
      seen === undefined || view.now > seen.expiresAt + view.maxClockSkewMs ? 'write' : 'read';
    for (const [rule, failsOver] of [
      [byExpiry, false],
      [readWhileHeld, true],
    ] as const) {
      const { clock, worker } = setup();
      const dead = await electorAttempt(
        worker('dead').leases,
        'svc',
        { durationMs: D },
        { priority: 0, clockFree: {} },
      );
      if (!dead.acquired) throw new Error('expected to acquire');
      // Past its watch, the mutant's sleeps are cut to nothing while it keeps reading: stop it after many polls.
      const stop = new AbortController();
      let polls = 0;
      const counted: WaitingRule = (seen, view) => {
        if (++polls > 1_000) stop.abort();
        return rule(seen, view);
      };
      // Its wall clock runs an hour behind: the recorded expiry looks far for an hour.
      const waiter = elector(worker('b', -3_600_000).leases, { clockFree: true, signal: stop.signal }, counted);
      await clock.advance(3 * D);
      expect(waiter.tenures.length > 0).toBe(failsOver);
      dead.lease.stopActing(new Error('test over'));
      stop.abort();
      await waiter.done;
    }
  });
});
