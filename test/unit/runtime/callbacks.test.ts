import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryLeaseStore, LeaseClient, type LeaseEvent } from '../../../lib/runtime/index.js';
import { FakeClock } from '../../../lib/testing/fake-clock.js';
import { untilAborted } from '../../support/jobs.js';

const D = 3_000;
const S = 200;

function setup() {
  const clock = new FakeClock();
  const memory = new InMemoryLeaseStore();
  const events: LeaseEvent[] = [];
  const client = (name: string, offsetMs = 0) =>
    new LeaseClient({
      store: memory,
      clock: offsetMs ? clock.skewed(offsetMs) : clock,
      random: () => 0,
      holderName: name,
      maxClockSkewMs: S,
      onEvent: (e) => events.push(e),
    });
  const failures = () =>
    events.flatMap((e) => (e.type === 'callback-failed' ? [`${e.callback}: ${(e.error as Error).message}`] : []));
  return { clock, memory, client, failures };
}

/** Unhandled rejections seen while a test runs: a callback error must never become one. */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
afterEach(() => {
  unhandled.length = 0;
});

describe('runAsLeader callback errors', () => {
  it('runs fn and releases the lease when onStartedLeading throws, reporting the error through onEvent', async () => {
    const { client, memory, clock, failures } = setup();
    const r = await client('a').runAsLeader('job', async () => 'done', {
      durationMs: D,
      tick: 100,
      onStartedLeading: () => {
        throw new Error('boom');
      },
    });
    expect(r).toEqual({ led: true, token: 1, value: 'done', released: true });
    expect(await memory.read('job')).toMatchObject({ token: 1, lastTick: 100 });
    expect((await memory.read('job'))?.holder).toBeUndefined();
    expect(failures()).toEqual(['onStartedLeading: boom']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps the renew loop alive and raises no unhandled rejection when onNewLeader throws there', async () => {
    const { client, clock, failures } = setup();
    const job = untilAborted();
    const running = client('a').runAsLeader('job', job.fn, {
      durationMs: D,
      renewEveryMs: 1_000,
      onNewLeader: () => {
        throw new Error('observer broke');
      },
    });
    await job.started;
    const thief = await client('b', 10 * D).tryAcquire('job', { durationMs: 10 * D });
    if (!thief.acquired) throw new Error('b must take over');
    await clock.advance(1_000);
    const r = await running;
    expect(r).toMatchObject({
      led: true,
      released: false,
      value: expect.stringContaining(`held by ${thief.lease.holder}`),
    });
    expect(failures()).toEqual(['onNewLeader: observer broke']);
    await clock.advance(0);
    expect(unhandled).toEqual([]);
    await thief.lease.release();
  });

  it('reports finished work as finished when onNewLeader throws on the release path', async () => {
    const { client, memory, failures } = setup();
    const r = await client('a').runAsLeader(
      'job',
      async (lease) => {
        // An operator frees the tenure and another worker takes the lease while fn runs.
        await client('op').forceRelease('job', { token: lease.token });
        await client('b').tryAcquire('job', { durationMs: D });
        return 'finished';
      },
      {
        durationMs: D,
        onNewLeader: () => {
          throw new Error('observer broke');
        },
      },
    );
    expect(r).toMatchObject({ led: true, token: 1, value: 'finished', released: false });
    expect((await memory.read('job'))?.token).toBe(2);
    expect(failures()).toEqual(['onNewLeader: observer broke']);
  });

  it('returns the same result when onStoppedLeading throws', async () => {
    const { client, failures } = setup();
    const r = await client('a').runAsLeader('job', async () => 7, {
      durationMs: D,
      onStoppedLeading: () => {
        throw new Error('stop broke');
      },
    });
    expect(r).toEqual({ led: true, token: 1, value: 7, released: true });
    expect(failures()).toEqual(['onStoppedLeading: stop broke']);
  });

  it('reports a callback’s rejected promise instead of leaving it unhandled', async () => {
    const { client, clock, failures } = setup();
    const r = await client('a').runAsLeader('job', async () => 1, {
      durationMs: D,
      onStartedLeading: async () => {
        throw new Error('async boom');
      },
    });
    await clock.advance(0);
    expect(r).toMatchObject({ led: true, released: true });
    expect(failures()).toEqual(['onStartedLeading: async boom']);
    expect(unhandled).toEqual([]);
  });

  it('emits a process warning naming the callback when the client has no onEvent', async () => {
    const clock = new FakeClock();
    const leases = new LeaseClient({ store: new InMemoryLeaseStore(), clock, random: () => 0, holderName: 'a' });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const r = await leases.runAsLeader('job', async () => 1, {
        durationMs: D,
        onStoppedLeading: () => {
          throw new Error('quiet boom');
        },
      });
      expect(r).toMatchObject({ led: true, released: true });
      await clock.advance(0);
      expect(warnings.map((w) => [w.name, w.message])).toEqual([
        ['BatonCallbackWarning', expect.stringContaining('onStoppedLeading threw')],
      ]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
