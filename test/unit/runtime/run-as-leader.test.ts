import { describe, expect, it } from 'vitest';
import {
  InMemoryLeaseStore,
  LeaseClient,
  LeaseError,
  LeaseValidationError,
  type LeaseStore,
} from '../../../lib/runtime/index.js';
import { FakeClock } from '../../../lib/testing/fake-clock.js';
import { untilAborted } from '../../support/jobs.js';

const D = 3_000;
const S = 200;

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
    });
  return { clock, memory, client };
}

describe('LeaseClient.runAsLeader', () => {
  it('runs fn with the lease, releases after, and calls each callback once in order', async () => {
    const { client, memory, clock } = setup();
    const calls: string[] = [];
    const r = await client('a').runAsLeader(
      'job',
      async (lease) => {
        calls.push(`fn ${lease.token}`);
        return 42;
      },
      {
        durationMs: D,
        onStartedLeading: (lease) => calls.push(`started ${lease.token}`),
        onStoppedLeading: () => calls.push('stopped'),
      },
    );
    expect(r).toEqual({ led: true, token: 1, value: 42, released: true });
    expect(calls).toEqual(['started 1', 'fn 1', 'stopped']);
    expect((await memory.read('job'))?.holder).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });

  it('renews every renewEveryMs while fn runs, so the lease outlives its duration', async () => {
    const { client, clock, memory } = setup();
    const job = untilAborted();
    const running = client('a').runAsLeader('job', job.fn, { durationMs: D, renewEveryMs: 1_000, deadlineMs: 10_000 });
    await job.started;
    await clock.advance(9_999);
    expect(memory.requests.renew).toBeGreaterThanOrEqual(9);
    await clock.advance(1);
    const r = await running;
    expect(r).toMatchObject({ led: true, value: expect.stringContaining('deadlineMs (10000) passed') });
    expect(clock.pendingTimers).toBe(0);
  });

  it('returns led: false with the holder, calling onNewLeader and onStoppedLeading, when another leads', async () => {
    const { client } = setup();
    const other = await client('b').tryAcquire('job', { durationMs: D });
    if (!other.acquired) throw new Error('b must lead');
    const seen: string[] = [];
    let stopped = 0;
    let ran = false;
    const r = await client('a').runAsLeader('job', async () => (ran = true), {
      durationMs: D,
      onNewLeader: (holder) => seen.push(holder),
      onStoppedLeading: () => stopped++,
    });
    expect(r).toMatchObject({ led: false, reason: 'held', current: { holder: other.lease.holder } });
    expect(ran).toBe(false);
    expect(seen).toEqual([other.lease.holder]);
    expect(stopped).toBe(1);
  });

  it('aborts the signal when a renew proves a successor exists, and reports the new leader', async () => {
    const { client, clock, memory } = setup();
    const job = untilAborted();
    const seen: string[] = [];
    const running = client('a').runAsLeader('job', job.fn, {
      durationMs: D,
      renewEveryMs: 1_000,
      onNewLeader: (h) => seen.push(h),
    });
    await job.started;
    // A worker whose clock runs far ahead takes over although A keeps renewing on time.
    const thief = await client('b', 10 * D).tryAcquire('job', { durationMs: 10 * D });
    if (!thief.acquired) throw new Error('b must take over');
    await clock.advance(1_000);
    const r = await running;
    expect(r).toMatchObject({
      led: true,
      released: false,
      value: expect.stringContaining(`held by ${thief.lease.holder}`),
    });
    expect(seen).toEqual([thief.lease.holder]);
    expect((await memory.read('job'))?.holder).toBe(thief.lease.holder);
    await thief.lease.release();
    expect(clock.pendingTimers).toBe(0);
  });

  it('aborts the signal at the local deadline when renewals keep failing', async () => {
    const { clock } = setup();
    const failing = new InMemoryLeaseStore();
    failing.renew = async () => {
      throw Object.assign(new Error('InternalServerError'), {
        name: 'InternalServerError',
        $metadata: { httpStatusCode: 500 },
      });
    };
    const leases = new LeaseClient({
      store: failing,
      clock,
      random: () => 0,
      holderName: 'a',
      maxClockSkewMs: S,
      safetyMarginMs: 250,
    });
    const job = untilAborted();
    const running = leases.runAsLeader('job', job.fn, { durationMs: D });
    await job.started;
    await clock.advance(D - 250 - 1);
    expect((await job.started).signal.aborted).toBe(false);
    await clock.advance(1);
    await expect(running).resolves.toMatchObject({ value: expect.stringContaining('local deadline') });
    expect(clock.pendingTimers).toBe(0);
  });

  it('aborts when the caller’s signal aborts, and releases', async () => {
    const { client, memory } = setup();
    const job = untilAborted();
    const controller = new AbortController();
    const running = client('a').runAsLeader('job', job.fn, { durationMs: D, signal: controller.signal });
    await job.started;
    controller.abort();
    await expect(running).resolves.toMatchObject({ value: expect.stringContaining('aborted by the caller') });
    expect((await memory.read('job'))?.holder).toBeUndefined();
  });

  it('records the tick only when fn succeeds, and rethrows fn’s error after releasing', async () => {
    const { client, memory } = setup();
    await expect(
      client('a').runAsLeader(
        'cron',
        async () => {
          throw new Error('job failed');
        },
        { durationMs: D, tick: 100 },
      ),
    ).rejects.toThrow('job failed');
    expect(await memory.read('cron')).toMatchObject({ token: 1 });
    expect((await memory.read('cron'))?.lastTick).toBeUndefined();
    expect((await memory.read('cron'))?.holder).toBeUndefined();
    await client('a').runAsLeader('cron', async () => 'ok', { durationMs: D, tick: 100 });
    expect(await memory.read('cron')).toMatchObject({ token: 2, lastTick: 100 });
    await expect(
      client('b').runAsLeader('cron', async () => 'again', { durationMs: D, tick: 100 }),
    ).resolves.toMatchObject({ led: false, reason: 'tick-done' });
  });

  it('validates renewEveryMs against durationMs before any request', async () => {
    const { client, memory } = setup();
    const attempt = client('a').runAsLeader('job', async () => 1, { durationMs: D, renewEveryMs: D / 2 });
    await expect(attempt).rejects.toBeInstanceOf(LeaseValidationError);
    await expect(attempt).rejects.toMatchObject({ field: 'renewEveryMs' });
    await expect(client('a').runAsLeader('job', async () => 1, { durationMs: D, deadlineMs: 0 })).rejects.toMatchObject(
      { field: 'deadlineMs' },
    );
    expect(memory.requests.acquire).toBe(0);
  });

  describe('requestSignal: the caller stops waiting for the store', () => {
    /** The in-memory store, except that `operation` never answers and ignores any abort. */
    function hanging(memory: InMemoryLeaseStore, operation: 'acquire' | 'release'): LeaseStore {
      const never = () => new Promise<never>(() => {});
      return {
        acquire: (c) => (operation === 'acquire' ? never() : memory.acquire(c)),
        renew: (c) => memory.renew(c),
        release: (c) => (operation === 'release' ? never() : memory.release(c)),
        read: (n) => memory.read(n),
        guardedWrite: (c) => memory.guardedWrite(c),
        requestHandoff: (c) => memory.requestHandoff(c),
      };
    }

    it('resolves with released: false once it aborts, though the release never answers and the store ignores the abort', async () => {
      const { clock, memory } = setup();
      const leases = new LeaseClient({
        store: hanging(memory, 'release'),
        clock,
        random: () => 0,
        holderName: 'a',
        maxClockSkewMs: S,
      });
      const giveUp = new AbortController();
      const stopped: string[] = [];
      const running = leases.runAsLeader('job', async () => 'done', {
        durationMs: D,
        tick: 7,
        requestSignal: giveUp.signal,
        onStoppedLeading: () => stopped.push('stopped'),
      });
      await clock.advance(10);
      giveUp.abort(new Error('out of time'));
      const r = await running;
      expect(r).toMatchObject({ led: true, value: 'done', released: false, releaseError: expect.any(LeaseError) });
      expect(stopped).toEqual(['stopped']);
      // Never released: the tenure stands, the tick is open, and it frees itself at expiry.
      expect(await memory.read('job')).toMatchObject({ holder: expect.stringMatching(/^a#/), token: 1 });
      expect((await memory.read('job'))?.lastTick).toBeUndefined();
    });

    it('rejects with a LeaseError once it aborts while the acquire never answers, without running fn', async () => {
      const { clock, memory } = setup();
      const leases = new LeaseClient({
        store: hanging(memory, 'acquire'),
        clock,
        random: () => 0,
        holderName: 'a',
        maxClockSkewMs: S,
      });
      const giveUp = new AbortController();
      let ran = false;
      const running = leases.runAsLeader('job', async () => void (ran = true), {
        durationMs: D,
        requestSignal: giveUp.signal,
      });
      giveUp.abort();
      await expect(running).rejects.toBeInstanceOf(LeaseError);
      expect(ran).toBe(false);
    });

    it('sends nothing once it has aborted: no release, no renew', async () => {
      const { clock, memory } = setup();
      const leases = new LeaseClient({ store: memory, clock, random: () => 0, holderName: 'a', maxClockSkewMs: S });
      const giveUp = new AbortController();
      const r = await leases.runAsLeader(
        'job',
        async () => {
          giveUp.abort();
          return 'done';
        },
        { durationMs: D, requestSignal: giveUp.signal },
      );
      expect(r).toMatchObject({ released: false });
      expect(memory.requests).toMatchObject({ acquire: 1, renew: 0, release: 0, read: 0 });
    });
  });
});
