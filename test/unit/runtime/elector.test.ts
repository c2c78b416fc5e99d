import { describe, expect, it } from 'vitest';
import {
  InMemoryLeaseStore,
  LeaseClient,
  LeaseError,
  LeaseHandoffError,
  LeaseValidationError,
  type ElectOptions,
  type Lease,
} from '../../../lib/runtime/index.js';
import { electorAttempt } from '../../../lib/runtime/lease-client.js';
import { FakeClock } from '../../../lib/testing/fake-clock.js';
import { unreachableStore } from '../../support/stores.js';

const D = 3_000;
const RENEW = 1_000;
const S = 200;
const MARGIN = 250;

function setup() {
  const clock = new FakeClock();
  const memory = new InMemoryLeaseStore();
  const client = (name: string, offsetMs = 0) =>
    new LeaseClient({
      store: memory,
      clock: offsetMs ? clock.skewed(offsetMs) : clock,
      random: () => 0,
      holderName: name,
      maxClockSkewMs: S,
      safetyMarginMs: MARGIN,
    });
  return { clock, memory, client };
}

/** An elector whose tenures are recorded: each leads until its lease's signal aborts. */
function elector(leases: LeaseClient, options: Partial<ElectOptions> = {}) {
  const stop = new AbortController();
  const log: string[] = [];
  const tenures: { lease: Lease; reason?: unknown }[] = [];
  const done = leases.elect('svc', {
    durationMs: D,
    renewEveryMs: RENEW,
    signal: stop.signal,
    logger: false,
    onStartedLeading: (lease) =>
      new Promise<void>((resolve) => {
        const tenure: { lease: Lease; reason?: unknown } = { lease };
        tenures.push(tenure);
        log.push(`started ${lease.token}`);
        lease.signal.addEventListener(
          'abort',
          () => {
            tenure.reason = lease.signal.reason;
            resolve();
          },
          { once: true },
        );
      }),
    onStoppedLeading: () => log.push('stopped'),
    onNewLeader: (holder) => log.push(`leader ${holder.split('#')[0]}`),
    ...options,
  });
  return {
    stop,
    log,
    tenures,
    done,
    get leading() {
      return tenures.length > 0 && !tenures.at(-1)!.lease.signal.aborted;
    },
  };
}

describe('LeaseClient.elect', () => {
  it('leads once per tenure, renews while leading, and on stop releases, calls onStoppedLeading once and leaves no timer', async () => {
    const { client, memory, clock } = setup();
    const a = elector(client('a'));
    await clock.advance(0);
    expect(a.log).toEqual(['started 1']);
    await clock.advance(10 * D);
    expect(a.leading).toBe(true);
    expect(memory.requests.renew).toBeGreaterThanOrEqual(29);
    a.stop.abort();
    await a.done;
    expect(a.log).toEqual(['started 1', 'stopped']);
    expect((await memory.read('svc'))?.holder).toBeUndefined();
    expect(a.tenures[0]!.reason).toBeInstanceOf(LeaseError);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a waiter polls at most every renewEveryMs, one read per poll behind a live holder, and takes a released lease within one poll', async () => {
    const { client, memory, clock } = setup();
    const a = elector(client('a'));
    await clock.advance(0);
    const b = elector(client('b'));
    await clock.advance(0);
    const before = { ...memory.requests };
    await clock.advance(6 * RENEW);
    // One poll per renewEveryMs while the holder renews: exactly one strongly consistent read each, no write.
    expect(memory.requests.read - before.read).toBe(6);
    expect(memory.requests.acquire - before.acquire).toBe(0);
    expect(b.log).toEqual(['leader a']);
    a.stop.abort();
    await a.done;
    const releasedAt = clock.monotonic();
    while (!b.leading) await clock.advance(10);
    expect(clock.monotonic() - releasedAt).toBeLessThanOrEqual(RENEW);
    expect(b.tenures[0]!.lease.token).toBe(2);
    b.stop.abort();
    await b.done;
    expect(clock.pendingTimers).toBe(0);
  });

  it('takes over a holder that went silent once its wall-clock expiry plus the skew bound passed, not before', async () => {
    const { client, memory, clock } = setup();
    // A holder that crashed: it acquired and then never renewed.
    const dead = await client('dead').tryAcquire('svc', { durationMs: D });
    expect(dead.acquired).toBe(true);
    const expiresAt = (await memory.read('svc'))!.expiresAt;
    const b = elector(client('b'));
    await clock.advance(D + S);
    expect(b.leading).toBe(false);
    await clock.advance(RENEW);
    expect(b.leading).toBe(true);
    expect(clock.now()).toBeGreaterThan(expiresAt + S);
    expect(b.tenures[0]!.lease.takeover).toBe(true);
    b.stop.abort();
    await b.done;
    if (dead.acquired) dead.lease.stopActing(new Error('test over'));
  });

  it('clock-free: takes over only after watching the same version for a whole lease on its own clock, whatever the wall clocks say', async () => {
    const { client, memory, clock } = setup();
    const dead = await electorAttempt(client('dead'), 'svc', { durationMs: D }, { priority: 0, clockFree: {} });
    expect(dead.acquired).toBe(true);
    // The waiter's wall clock runs an hour ahead: the wall-clock rule would take over at once.
    const b = elector(client('b', 3_600_000), { clockFree: true });
    await clock.advance(0);
    const firstSeen = clock.monotonic();
    await clock.advance(D - 1);
    expect(b.leading).toBe(false);
    while (!b.leading) await clock.advance(10);
    expect(clock.monotonic() - firstSeen).toBeGreaterThanOrEqual(D);
    expect(clock.monotonic() - firstSeen).toBeLessThanOrEqual(D + RENEW);
    expect((await memory.read('svc'))?.token).toBe(2);
    b.stop.abort();
    await b.done;
    if (dead.acquired) dead.lease.stopActing(new Error('test over'));
  });

  it('clock-free: a holder that keeps renewing is never taken over, even by a waiter whose wall clock is far ahead', async () => {
    const { client, clock } = setup();
    const a = elector(client('a', -60_000), { clockFree: true });
    await clock.advance(0);
    const b = elector(client('b', 60_000), { clockFree: true });
    await clock.advance(20 * D);
    expect(a.tenures).toHaveLength(1);
    expect(a.leading).toBe(true);
    expect(b.tenures).toHaveLength(0);
    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.done, b.done]);
  });

  it('priority handoff: a higher-priority candidate asks once, the holder stops with LeaseHandoffError and releases, the candidate leads', async () => {
    const { client, memory, clock } = setup();
    const low = elector(client('low'), { priority: 1 });
    await clock.advance(0);
    const asked = clock.monotonic();
    const high = elector(client('high'), { priority: 2 });
    const third = elector(client('third'), { priority: 1 });
    while (!high.leading) await clock.advance(10);
    // At most: the holder's next renew, then one poll of the requester.
    expect(clock.monotonic() - asked).toBeLessThanOrEqual(2 * RENEW);
    expect(low.tenures[0]!.reason).toBeInstanceOf(LeaseHandoffError);
    expect((low.tenures[0]!.reason as LeaseHandoffError).priority).toBe(2);
    expect(low.log).toEqual(['started 1', 'stopped']);
    expect(memory.requests.requestHandoff).toBe(1);
    expect(third.tenures).toHaveLength(0);
    expect((await memory.read('svc'))?.handoffPriority).toBeUndefined();
    await clock.advance(5 * D);
    // The handed-over holder keeps contending but never asks back: lower never asks.
    expect(memory.requests.requestHandoff).toBe(1);
    expect(high.tenures).toHaveLength(1);
    for (const e of [low, high, third]) e.stop.abort();
    await Promise.all([low.done, high.done, third.done]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('equal priorities never hand off', async () => {
    const { client, memory, clock } = setup();
    const a = elector(client('a'), { priority: 5 });
    await clock.advance(0);
    const b = elector(client('b'), { priority: 5 });
    await clock.advance(10 * D);
    expect(memory.requests.requestHandoff).toBe(0);
    expect(a.tenures).toHaveLength(1);
    expect(a.leading).toBe(true);
    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.done, b.done]);
  });

  it('a reserved lease goes to the requester: a lower-priority waiter cannot slip in between release and takeover', async () => {
    const { client, memory } = setup();
    const holder = await electorAttempt(client('holder'), 'svc', { durationMs: D }, { priority: 0 });
    if (!holder.acquired) throw new Error('expected to acquire');
    await memory.requestHandoff({ name: 'svc', token: 1, requester: 'high', priority: 3 });
    await expect(holder.lease.renew()).rejects.toBeInstanceOf(LeaseHandoffError);
    expect(holder.lease.signal.reason).toBeInstanceOf(LeaseHandoffError);
    await holder.lease.release();
    const lower = await electorAttempt(client('lower'), 'svc', { durationMs: D }, { priority: 2 });
    expect(lower.acquired).toBe(false);
    const requester = await electorAttempt(client('high'), 'svc', { durationMs: D }, { priority: 3 });
    expect(requester.acquired).toBe(true);
    if (requester.acquired) await requester.lease.release();
  });

  describe('a release before the renew that would have told of a handoff request (docs/protocol.md#priority-handoff)', () => {
    /** An elector whose leader work ends when the test says so, or when its lease's signal aborts. */
    function finiteElector(leases: LeaseClient, priority: number) {
      let endWork: () => void = () => undefined;
      const e = elector(leases, {
        priority,
        onStartedLeading: (lease) =>
          new Promise<void>((resolve) => {
            e.tenures.push({ lease });
            endWork = resolve;
            lease.signal.addEventListener('abort', () => resolve(), { once: true });
          }),
      });
      return Object.assign(e, { endWork: () => endWork() });
    }

    it('keeps the lease reserved for the requester: a lower-priority waiter polling past expiresAt + S does not win it', async () => {
      const { client, memory, clock } = setup();
      const low = finiteElector(client('low'), 1);
      await clock.advance(0);
      // The requester's first poll is a write that fails; it asks at once, then polls again one period later.
      const high = elector(client('high'), { priority: 3 });
      await clock.advance(0);
      expect((await memory.read('svc'))?.handoffPriority).toBe(3);
      // The holder's work ends before its next renew (due at RENEW) could tell it of the request.
      await clock.advance(100);
      low.endWork();
      await clock.advance(0);
      const released = await memory.read('svc');
      expect(released?.holder).toBeUndefined();
      expect(released?.handoffPriority).toBe(3);
      // A lower-priority waiter polls past the old window (expiresAt + S) but before the requester's next poll.
      await clock.advance(S + 1);
      const middle = elector(client('middle'), { priority: 2 });
      await clock.advance(0);
      expect(middle.tenures).toHaveLength(0);
      // The requester's next poll, one period after it asked: it finds the lease kept for it.
      await clock.advance(RENEW - clock.monotonic());
      expect(high.leading).toBe(true);
      expect(high.tenures[0]!.lease.token).toBe(2);
      await clock.advance(2 * D);
      expect(middle.tenures).toHaveLength(0);
      expect(low.tenures).toHaveLength(1);
      for (const e of [low, high, middle]) e.stop.abort();
      await Promise.all([low.done, high.done, middle.done]);
      expect(clock.pendingTimers).toBe(0);
    });

    it('costs ordinary failover nothing: with no request pending, a released lease is free at once for any priority and for tryAcquire', async () => {
      const { client, memory, clock } = setup();
      const holder = finiteElector(client('holder'), 2);
      await clock.advance(0);
      holder.endWork();
      await clock.advance(0);
      const released = await memory.read('svc');
      expect(released?.holder).toBeUndefined();
      // The release reserves a whole lease, but only a pending request makes that reservation bind anyone.
      expect(released?.expiresAt).toBe(clock.now() + D);
      const lambda = await client('lambda').tryAcquire('svc', { durationMs: D });
      expect(lambda.acquired).toBe(true);
      if (lambda.acquired) await lambda.lease.release();
      const lower = await electorAttempt(client('lower'), 'svc', { durationMs: D }, { priority: 0 });
      expect(lower.acquired).toBe(true);
      if (lower.acquired) await lower.lease.release();
      const clockFree = await electorAttempt(client('cf'), 'svc', { durationMs: D }, { priority: 0, clockFree: {} });
      expect(clockFree.acquired).toBe(true);
      if (clockFree.acquired) await clockFree.lease.release();
      holder.stop.abort();
      await holder.done;
    });

    it.each([false, true])(
      'costs ordinary failover nothing: a waiting lower-priority elector (clockFree: %s) takes a released lease within one poll',
      async (clockFree) => {
        const { client, clock } = setup();
        const holder = finiteElector(client('holder'), 2);
        await clock.advance(0);
        const waiter = elector(client('waiter'), { priority: 0, clockFree });
        await clock.advance(RENEW / 2);
        holder.endWork();
        const releasedAt = clock.monotonic();
        while (!waiter.leading) await clock.advance(10);
        expect(clock.monotonic() - releasedAt).toBeLessThanOrEqual(RENEW);
        holder.stop.abort();
        waiter.stop.abort();
        await Promise.all([holder.done, waiter.done]);
      },
    );
  });

  it('when onStartedLeading rejects: reported as callback-failed, released, onStoppedLeading called, contends again one poll later', async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    const events: string[] = [];
    const leases = new LeaseClient({
      store: memory,
      clock,
      random: () => 0,
      holderName: 'a',
      onEvent: (e) => events.push(e.type === 'callback-failed' ? `${e.callback} failed` : e.type),
    });
    const boom = new Error('leader work failed');
    const a = elector(leases, { onStartedLeading: async () => Promise.reject(boom) });
    await clock.advance(0);
    expect(events).toEqual(['acquired', 'onStartedLeading failed', 'released']);
    expect(a.log).toEqual(['stopped']);
    expect((await memory.read('svc'))?.holder).toBeUndefined();
    await clock.advance(RENEW - 1);
    expect(memory.requests.acquire).toBe(1);
    await clock.advance(1);
    expect(memory.requests.acquire).toBe(2);
    a.stop.abort();
    await a.done;
    expect(clock.pendingTimers).toBe(0);
  });

  it('stops a waiter at once, with no request and no timer left', async () => {
    const { client, memory, clock } = setup();
    const a = elector(client('a'));
    await clock.advance(0);
    const b = elector(client('b'));
    await clock.advance(100);
    const sent = memory.requests.acquire;
    b.stop.abort();
    await b.done;
    expect(memory.requests.acquire).toBe(sent);
    a.stop.abort();
    await a.done;
    expect(clock.pendingTimers).toBe(0);
  });

  describe('validation, before any request', () => {
    const leases = new LeaseClient({ store: unreachableStore(), clock: new FakeClock() });
    const signal = new AbortController().signal;
    const base: ElectOptions = { durationMs: D, signal, onStartedLeading: async () => undefined };
    it.each([
      ['name', 'bad name!', {}],
      ['durationMs', 'svc', { durationMs: 100 }],
      ['renewEveryMs', 'svc', { renewEveryMs: D / 2 }],
      ['renewEveryMs', 'svc', { renewEveryMs: 0 }],
      ['priority', 'svc', { priority: 1.5 }],
      ['priority', 'svc', { priority: Number.NaN }],
      ['clockFree', 'svc', { clockFree: 'yes' }],
      ['signal', 'svc', { signal: undefined }],
      ['onStartedLeading', 'svc', { onStartedLeading: undefined }],
      ['onNewLeader', 'svc', { onNewLeader: 'x' }],
      ['metadata.bad key', 'svc', { metadata: { 'bad key': 'v' } }],
    ])('names %s', (field, name, patch) => {
      const call = () => leases.elect(name, { ...base, ...(patch as object) } as ElectOptions);
      expect(call).toThrow(LeaseValidationError);
      try {
        call();
      } catch (error) {
        expect((error as LeaseValidationError).field).toBe(field);
      }
    });
  });
});
