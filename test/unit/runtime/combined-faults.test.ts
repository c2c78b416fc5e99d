import { describe, expect, it } from 'vitest';
import {
  InMemoryLeaseStore,
  LeaseClient,
  LeaseError,
  LeaseValidationError,
  type Clock,
  type ElectOptions,
  type Lease,
  type LeaseEvent,
  type LeaseStore,
  type TryAcquireResult,
} from '../../../lib/runtime/index.js';
import { electorAttempt } from '../../../lib/runtime/lease-client.js';
import { FakeClock } from '../../../lib/testing/fake-clock.js';
import { FaultyStore, sdkError } from '../../support/stores.js';

// Each case is a defect found where two features meet (a lost answer and a clock step, clock-free
// mode and mixed settings, a job's own release and tick recording); it failed before its fix.

const D = 3_000;
const S = 200;
const M = 250;
const TICK = Date.parse('2026-11-26T06:00:00Z');

function clientOn(
  store: LeaseStore,
  clock: Clock,
  holderName: string,
  extra: { safetyMarginMs?: number; onEvent?: (e: LeaseEvent) => unknown } = {},
) {
  return new LeaseClient({
    store,
    clock,
    random: () => 0,
    holderName,
    maxClockSkewMs: S,
    safetyMarginMs: M,
    ...extra,
  } as never);
}

/** A clock whose wall reading can be stepped (an NTP step) while monotonic time goes on. */
function steppable(clock: FakeClock) {
  const view = { offsetMs: 0, clock: undefined as unknown as Clock };
  view.clock = {
    now: () => clock.now() + view.offsetMs,
    monotonic: () => clock.monotonic(),
    sleep: (ms, signal) => clock.sleep(ms, signal),
  };
  return view;
}

/** An elector that leads until its lease's signal aborts, recording each tenure's lease. */
function elector(leases: LeaseClient, options: Partial<ElectOptions>) {
  const stop = new AbortController();
  const tenures: Lease[] = [];
  let settled = false;
  const done = leases
    .elect('svc', {
      durationMs: D,
      signal: stop.signal,
      onStartedLeading: (lease) =>
        new Promise<void>((resolve) => {
          tenures.push(lease);
          lease.signal.addEventListener('abort', () => resolve(), { once: true });
        }),
      ...options,
    })
    .finally(() => (settled = true));
  return {
    stop,
    tenures,
    done,
    get settled() {
      return settled;
    },
    get acting() {
      return tenures.some((l) => l.held);
    },
  };
}

describe('clock-free safety', () => {
  it('a renew whose answer was lost never extends the deadline, even when the stored expiry looks new enough (wall clock stepped back)', async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    const faulty = new FaultyStore(memory);
    const holderClock = steppable(clock);
    const won = await electorAttempt(
      clientOn(faulty, holderClock.clock, 'h'),
      'svc',
      { durationMs: D },
      { priority: 0, clockFree: {} },
    );
    const lease = (won as Extract<TryAcquireResult, { acquired: true }>).lease;
    await clock.advance(1_000);
    await lease.renew();
    // A clock-free waiter sees the version this renew wrote, and starts its watch.
    const seen = (await memory.read('svc'))!;
    const seenAt = clock.monotonic();
    holderClock.offsetMs = -2_000;
    await clock.advance(1_000);
    faulty.failNext('renew', 'before', sdkError('TimeoutError'));
    await expect(lease.renew()).rejects.toBeInstanceOf(LeaseError);
    await clock.advance(seenAt + D - clock.monotonic());
    const waiter = clientOn(memory, clock, 'w');
    const taken = await electorAttempt(
      waiter,
      'svc',
      { durationMs: D },
      { priority: 0, clockFree: { observed: { token: seen.token, version: seen.version! } } },
    );
    expect(taken.acquired).toBe(true);
    expect(lease.held).toBe(false);
  });

  it('a clock-free waiter with a shorter durationMs never takes over a healthy holder with a longer one', async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    const holder = elector(clientOn(memory, clock, 'long'), { durationMs: 30_000, clockFree: true });
    await clock.advance(0);
    const waiter = elector(clientOn(memory, clock, 'short'), { durationMs: D, clockFree: true });
    let overlapMs = 0;
    for (let t = 0; t < 60_000; t += 100) {
      await clock.advance(100);
      if (holder.acting && waiter.acting) overlapMs += 100;
    }
    expect(overlapMs).toBe(0);
    expect(holder.tenures).toHaveLength(1);
    expect(waiter.tenures).toHaveLength(0);
    expect((await memory.read('svc'))?.durationMs).toBe(30_000);
    holder.stop.abort();
    waiter.stop.abort();
    await Promise.all([holder.done, waiter.done]);
  });
});

describe('elect renewal period', () => {
  it('is validated against durationMs - safetyMarginMs, and defaults to a third of it, as runAsLeader', async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    const leases = clientOn(memory, clock, 'a', { safetyMarginMs: 5_000 });
    const stop = new AbortController();
    const call = () =>
      leases.elect('svc', {
        durationMs: 6_000,
        renewEveryMs: 2_000,
        signal: stop.signal,
        onStartedLeading: () => undefined,
      });
    expect(call).toThrow(LeaseValidationError);
    expect(call).toThrow(/renewEveryMs/);
    const one = elector(leases, { durationMs: 6_000 });
    await clock.advance(60_000);
    expect(one.tenures).toHaveLength(1);
    expect(one.acting).toBe(true);
    one.stop.abort();
    await one.done;
  });
});

describe('runAsLeader with a tick, when the job releases its own lease', () => {
  it('records the tick, so released: true holds and a duplicate of the tick does not run the job again', async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    const leases = clientOn(memory, clock, 'a');
    let runs = 0;
    const job = async (lease: Lease) => {
      runs++;
      await lease.release();
    };
    const first = await leases.runAsLeader('svc', job, { durationMs: D, tick: TICK });
    expect(first).toMatchObject({ led: true, released: true });
    expect((await memory.read('svc'))?.lastTick).toBe(TICK);
    const duplicate = await leases.runAsLeader('svc', job, { durationMs: D, tick: TICK });
    expect(duplicate).toMatchObject({ led: false, reason: 'tick-done' });
    expect(runs).toBe(1);
  });

  it('reports released: false when the job released without the tick', async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    const leases = clientOn(memory, clock, 'a');
    const result = await leases.runAsLeader('svc', (lease) => lease.release({ tick: TICK - 60_000 }), {
      durationMs: D,
      tick: TICK,
    });
    expect(result).toMatchObject({ led: true, released: false, releaseError: expect.any(LeaseError) });
  });
});

describe('a release that landed, whose answer was lost, after the lease moved on', () => {
  it('reports released: true and no lost event: releasedBy proves it landed', async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    // The first try lands; the next tick's invocation takes the lease; the SDK's retry then fails.
    const store: LeaseStore = Object.assign(Object.create(memory) as LeaseStore, {
      release: async (c: Parameters<LeaseStore['release']>[0]) => {
        await memory.release(c);
        await memory.acquire({
          name: c.name,
          owner: 'next#1',
          now: clock.now(),
          durationMs: D,
          skewMs: S,
          tick: TICK + 60_000,
        });
        return memory.release(c);
      },
    });
    const events: LeaseEvent[] = [];
    const leases = clientOn(store, clock, 'a', { onEvent: (e) => events.push(e) });
    const result = await leases.runAsLeader('svc', async () => 'done', { durationMs: D, tick: TICK });
    expect(result).toMatchObject({ led: true, released: true });
    expect(events.map((e) => e.type)).not.toContain('lost');
    expect((await memory.read('svc'))?.lastTick).toBe(TICK);
  });
});

describe('onEvent', () => {
  it('a hook that returns a rejecting promise, or a thenable whose then throws, changes no outcome and leaves no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const clock = new FakeClock();
      const memory = new InMemoryLeaseStore();
      let calls = 0;
      const onEvent = () =>
        calls++ % 2 === 0
          ? Promise.reject(new Error('hook rejected'))
          : {
              then() {
                throw new Error('hook thenable threw');
              },
            };
      const result = await clientOn(memory, clock, 'a', { onEvent }).runAsLeader('svc', async () => 7, {
        durationMs: D,
        tick: TICK,
      });
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(result).toEqual({ led: true, token: 1, value: 7, released: true });
      expect(calls).toBeGreaterThanOrEqual(2);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});

describe('LeaseClient.tryAcquire', () => {
  it("takes no elector attempt: a caller cannot pass the live item's version, nor an unvalidated priority", async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    const holder = await clientOn(memory, clock, 'h').tryAcquire('svc', { durationMs: D });
    expect(holder.acquired).toBe(true);
    const live = (await memory.read('svc'))!;
    const tryAcquire = clientOn(memory, clock, 'x').tryAcquire as (...args: unknown[]) => Promise<TryAcquireResult>;
    const intruder = clientOn(memory, clock, 'x');
    const taken = await tryAcquire.call(
      intruder,
      'svc',
      { durationMs: D },
      { clockFree: { observed: { token: live.token, version: live.version ?? 0 } } },
    );
    expect(taken.acquired).toBe(false);
    await tryAcquire.call(intruder, 'other', { durationMs: D }, { priority: Number.NaN });
    expect((await memory.read('other'))?.priority).toBeUndefined();
  });

  it("the elector's own attempt refuses a priority that is not a finite number, naming it, before any request", async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    const attempt = electorAttempt(clientOn(memory, clock, 'e'), 'svc', { durationMs: D }, { priority: Number.NaN });
    await expect(attempt).rejects.toMatchObject({ name: 'LeaseValidationError', field: 'priority' });
    expect(memory.requests.acquire).toBe(0);
  });
});

describe('suspected issues', () => {
  it('elect keeps the tenure while a non-native thenable from onStartedLeading is pending', async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    const stop = new AbortController();
    let started = 0;
    const done = clientOn(memory, clock, 'a').elect('svc', {
      durationMs: D,
      signal: stop.signal,
      onStartedLeading: () => {
        started++;
        // Another library's promise: a thenable that settles 5 s later.
        return {
          then: (resolve: (v: unknown) => void, reject: (e: unknown) => void) =>
            void clock.sleep(5_000).then(() => resolve(undefined), reject),
        } as unknown as Promise<void>;
      },
    });
    await clock.advance(4_000);
    expect(memory.requests.release).toBe(0);
    expect(started).toBe(1);
    await clock.advance(2_000);
    expect(memory.requests.release).toBe(1);
    stop.abort();
    await clock.advance(5_000);
    await done;
  });

  it('elect settles after stop while an acquire, a renew or the release hangs on a store that honours the abort signal', async () => {
    for (const operation of ['acquire', 'renew', 'release'] as const) {
      const clock = new FakeClock();
      const memory = new InMemoryLeaseStore();
      const hanging: LeaseStore = Object.assign(Object.create(memory) as LeaseStore, {
        [operation]: (_c: unknown, options?: { signal?: AbortSignal }) =>
          new Promise((_, reject) =>
            options?.signal?.addEventListener('abort', () => reject(options.signal!.reason), { once: true }),
          ),
      });
      const one = elector(clientOn(hanging, clock, 'a'), { renewEveryMs: 500 });
      await clock.advance(1_000);
      one.stop.abort();
      // The release is sent after stop, and given up only once the lease has expired anyway.
      await clock.advance(operation === 'release' ? D : 0);
      expect({ operation, settled: one.settled }).toEqual({ operation, settled: true });
      expect(clock.pendingTimers).toBe(0);
    }
  });

  it('an elector whose winning answers arrive after the local deadline waits a poll period before trying again', async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    const sent: number[] = [];
    const released: number[] = [];
    const late: LeaseStore = Object.assign(Object.create(memory) as LeaseStore, {
      acquire: async (c: Parameters<LeaseStore['acquire']>[0]) => {
        sent.push(clock.monotonic());
        const outcome = await memory.acquire(c);
        await clock.sleep(D);
        return outcome;
      },
      release: async (c: Parameters<LeaseStore['release']>[0]) => {
        released.push(clock.monotonic());
        return memory.release(c);
      },
    });
    const one = elector(clientOn(late, clock, 'a'), { renewEveryMs: 1_000 });
    await clock.advance(3 * D);
    expect(one.tenures).toHaveLength(0);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent[1]! - released[0]!).toBeGreaterThanOrEqual(800);
    one.stop.abort();
    await clock.advance(D);
    await one.done;
  });

  it("a dead holder's waiters ask for a handoff at most once per priority, so their requests delay a clock-free takeover by a bounded amount", async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    await electorAttempt(clientOn(memory, clock, 'dead'), 'svc', { durationMs: D }, { priority: 0, clockFree: {} });
    let applied = 0;
    // Requests to the dead holder's tenure only: a live successor of lower priority is asked to hand over, as it should be.
    const onEvent = (e: LeaseEvent) => void (e.type === 'handoff-requested' && e.applied && e.token === 1 && applied++);
    const waiters = [1, 2, 3, 4, 5].map((priority) =>
      elector(clientOn(memory, clock, `p${priority}`, { onEvent }), { priority, clockFree: true, renewEveryMs: 500 }),
    );
    let ledAt: number | undefined;
    for (let t = 0; t < 10 * D && ledAt === undefined; t += 50) {
      await clock.advance(50);
      if (waiters.some((w) => w.acting)) ledAt = clock.monotonic();
    }
    // Each applied request is a write that restarts every watch, but only a strictly higher priority's applies.
    expect(applied).toBeGreaterThanOrEqual(1);
    expect(applied).toBeLessThanOrEqual(5);
    expect(ledAt).toBeLessThanOrEqual(D + 5 * 500 + D);
    for (const w of waiters) w.stop.abort();
    await clock.advance(D);
    await Promise.all(waiters.map((w) => w.done));
  });

  it('forceRelease settles a lost answer with one read: a release that landed resolves', async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    const faulty = new FaultyStore(memory);
    await clientOn(memory, clock, 'h').tryAcquire('svc', { durationMs: D });
    faulty.failNext('release', 'after', sdkError('TimeoutError'));
    await expect(clientOn(faulty, clock, 'ops').forceRelease('svc', { token: 1 })).resolves.toBeUndefined();
    expect((await memory.read('svc'))?.holder).toBeUndefined();
    faulty.failNext('release', 'before', sdkError('TimeoutError'));
    await clientOn(memory, clock, 'h2').tryAcquire('svc', { durationMs: D });
    await expect(clientOn(faulty, clock, 'ops').forceRelease('svc', { token: 2 })).rejects.toBeInstanceOf(LeaseError);
    expect((await memory.read('svc'))?.holder).toMatch(/^h2#/);
  });
});
