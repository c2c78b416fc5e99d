import { describe, expect, it } from 'vitest';
import {
  InMemoryLeaseStore,
  LeaseClient,
  LeaseError,
  LeaseUnavailableError,
  type LeaseClientSettings,
  type LeaseEvent,
  type LeaseStore,
} from '../../../lib/runtime/index.js';
import { FakeClock } from '../../../lib/testing/fake-clock.js';
import { electorAttempt, electorRequestHandoff } from '../../../lib/runtime/lease-client.js';
import { FaultyStore, sdkError, unreachableStore } from '../../support/stores.js';

const D = 10_000;
const S = 200;

function setup(overrides: LeaseClientSettings & { store?: LeaseStore } = {}) {
  const clock = new FakeClock();
  const memory = new InMemoryLeaseStore();
  const events: LeaseEvent[] = [];
  const client = (name: string, extra: LeaseClientSettings = {}) =>
    new LeaseClient({
      store: overrides.store ?? memory,
      clock,
      random: () => 0.5,
      holderName: name,
      maxClockSkewMs: S,
      onEvent: (e) => events.push(e),
      ...overrides,
      ...extra,
    });
  return { clock, memory, events, client };
}

describe('LeaseClient.tryAcquire', () => {
  it('grants token 1 to the first holder of a new lease', async () => {
    const { client, memory } = setup();
    const r = await client('a').tryAcquire('job', { durationMs: D });
    expect(r.acquired).toBe(true);
    if (!r.acquired) return;
    expect(r.lease.token).toBe(1);
    expect(r.takeover).toBe(false);
    expect(r.lease.holder).toMatch(/^a#[0-9a-f]{32}$/);
    expect(memory.requests).toMatchObject({ acquire: 1, read: 0 });
  });

  it('tells the loser who holds the lease, with one request and no read', async () => {
    const { client, memory } = setup();
    const win = await client('a').tryAcquire('job', { durationMs: D });
    const lose = await client('b').tryAcquire('job', { durationMs: D });
    expect(lose.acquired).toBe(false);
    if (lose.acquired || !win.acquired) return;
    expect(lose.reason).toBe('held');
    expect(lose.current?.holder).toBe(win.lease.holder);
    expect(lose.current?.token).toBe(1);
    expect(memory.requests).toMatchObject({ acquire: 2, read: 0 });
  });

  it('takes over only after expiresAt + maxClockSkewMs, with the next token', async () => {
    const { client, clock } = setup();
    await client('a').tryAcquire('job', { durationMs: D });
    await clock.advance(D + S);
    expect((await client('b').tryAcquire('job', { durationMs: D })).acquired).toBe(false);
    await clock.advance(1);
    const r = await client('b').tryAcquire('job', { durationMs: D });
    expect(r).toMatchObject({ acquired: true, takeover: true });
    if (r.acquired) expect(r.lease.token).toBe(2);
  });

  it('reports tick-done for a tick that was already released, and held for one in progress', async () => {
    const { client } = setup();
    const tick = Date.UTC(2026, 0, 1, 0, 5);
    const first = await client('a').tryAcquire('cron', { durationMs: D, tick });
    const during = await client('b').tryAcquire('cron', { durationMs: D, tick });
    expect(during).toMatchObject({ acquired: false, reason: 'held' });
    if (!first.acquired) throw new Error('first attempt must win');
    await first.lease.release({ tick });
    const after = await client('b').tryAcquire('cron', { durationMs: D, tick });
    expect(after).toMatchObject({ acquired: false, reason: 'tick-done', current: { lastTick: tick } });
    const nextTick = await client('b').tryAcquire('cron', { durationMs: D, tick: tick + 60_000 });
    expect(nextTick.acquired).toBe(true);
  });

  it('counts an attempt whose response was lost as the win it was, without a second token', async () => {
    const memory = new InMemoryLeaseStore();
    // The SDK's retry of a request that landed: the first try applies, the retry finds our own owner id.
    const retrying: LeaseStore = Object.assign(Object.create(memory) as LeaseStore, {
      acquire: async (c: Parameters<LeaseStore['acquire']>[0]) => {
        await memory.acquire(c);
        return memory.acquire(c);
      },
    });
    const { client } = setup({ store: retrying });
    const r = await client('a').tryAcquire('job', { durationMs: D });
    expect(r.acquired).toBe(true);
    if (r.acquired) expect(r.lease.token).toBe(1);
    expect((await memory.read('job'))?.token).toBe(1);
  });

  it('resolves a request of unknown outcome with exactly one consistent read', async () => {
    const memory = new InMemoryLeaseStore();
    const store = new FaultyStore(memory).failNext('acquire', 'after', sdkError('TimeoutError'));
    const { client, events } = setup({ store });
    const r = await client('a').tryAcquire('job', { durationMs: D });
    expect(r.acquired).toBe(true);
    expect(memory.requests).toMatchObject({ acquire: 1, read: 1 });
    expect(events).toContainEqual({ type: 'outcome-resolved', name: 'job', operation: 'acquire', applied: true });
  });

  it('reports a timed-out attempt that did not land as an error carrying the SDK error', async () => {
    const memory = new InMemoryLeaseStore();
    const timeout = sdkError('TimeoutError');
    const store = new FaultyStore(memory).failNext('acquire', 'before', timeout);
    const { client } = setup({ store });
    const attempt = client('a').tryAcquire('job', { durationMs: D });
    await expect(attempt).rejects.toBeInstanceOf(LeaseError);
    await expect(attempt).rejects.toMatchObject({ cause: timeout });
    expect(memory.requests).toMatchObject({ acquire: 0, read: 1 });
  });

  it('does not read after an error that proves the write did not apply', async () => {
    const memory = new InMemoryLeaseStore();
    const store = new FaultyStore(memory).failNext('acquire', 'before', sdkError('AccessDeniedException', 400));
    const { client } = setup({ store });
    await expect(client('a').tryAcquire('job', { durationMs: D })).rejects.toThrow(/AccessDeniedException/);
    expect(memory.requests.read).toBe(0);
  });

  it('emits acquired and contended events with the facts a metric needs', async () => {
    const { client, events } = setup();
    await client('a').tryAcquire('job', { durationMs: D });
    await client('b').tryAcquire('job', { durationMs: D });
    expect(events.map((e) => e.type)).toEqual(['acquired', 'contended']);
    expect(events[0]).toMatchObject({ name: 'job', token: 1, takeover: false });
  });

  it('ignores an onEvent hook that throws', async () => {
    const { client } = setup({
      onEvent: () => {
        throw new Error('broken hook');
      },
    });
    await expect(client('a').tryAcquire('job', { durationMs: D })).resolves.toMatchObject({ acquired: true });
  });
});

describe('LeaseClient.acquire', () => {
  it('gives up at once, without sleeping, when the holder expires beyond the wait budget', async () => {
    const { client, clock, memory } = setup();
    await client('a').tryAcquire('job', { durationMs: D });
    const attempt = client('b').acquire('job', { durationMs: D, waitMs: D / 2 });
    await expect(attempt).rejects.toBeInstanceOf(LeaseUnavailableError);
    await expect(attempt).rejects.toMatchObject({ reason: 'held', current: { token: 1 } });
    expect(clock.monotonic()).toBe(0);
    expect(clock.pendingTimers).toBe(1); // only the holder's own deadline timer
    expect(memory.requests.acquire).toBe(2);
  });

  it('sleeps until the observed expiry plus skew, then wins with the next token', async () => {
    const { client, clock } = setup();
    await client('a').tryAcquire('job', { durationMs: D });
    const waiting = client('b').acquire('job', { durationMs: D, waitMs: 2 * D });
    await clock.advance(D + S);
    await clock.advance(100); // the race jitter: random 0.5 of 100 ms, plus 1 ms for the strict condition
    const lease = await waiting;
    expect(lease.token).toBe(2);
    expect(clock.monotonic()).toBe(D + S + 100);
  });

  it('fails with tick-done immediately instead of waiting for a tick that completed', async () => {
    const { client, clock } = setup();
    const first = await client('a').acquire('cron', { durationMs: D, tick: 5 });
    await first.release({ tick: 5 });
    await expect(client('b').acquire('cron', { durationMs: D, tick: 5, waitMs: Infinity })).rejects.toMatchObject({
      reason: 'tick-done',
    });
    expect(clock.monotonic()).toBe(0);
  });

  it('backs off with full jitter on throttling, then succeeds', async () => {
    const memory = new InMemoryLeaseStore();
    const store = new FaultyStore(memory).failNext(
      'acquire',
      'before',
      sdkError('ProvisionedThroughputExceededException', 400),
      3,
    );
    const { client, clock, events } = setup({ store, retryBaseMs: 100, retryCapMs: 1_000 });
    const waiting = client('a').acquire('job', { durationMs: D, waitMs: 10_000 });
    await clock.advance(2_000);
    const lease = await waiting;
    expect(lease.token).toBe(1);
    const delays = events.flatMap((e) => (e.type === 'backoff' ? [e.delayMs] : []));
    // random() = 0.5 draws the middle of windows 100, 200, 400.
    expect(delays).toEqual([50, 100, 200]);
  });

  it('rethrows the infrastructure error when backoff would exceed the budget', async () => {
    const memory = new InMemoryLeaseStore();
    const throttle = sdkError('ThrottlingException', 400);
    const store = new FaultyStore(memory).failNext('acquire', 'before', throttle, 10);
    const { client } = setup({ store, retryBaseMs: 1_000 });
    await expect(client('a').acquire('job', { durationMs: D, waitMs: 100 })).rejects.toMatchObject({ cause: throttle });
  });

  it('stops waiting when its signal aborts, leaving no timer behind', async () => {
    const { client, clock } = setup();
    const held = await client('a').acquire('job', { durationMs: D });
    const controller = new AbortController();
    const waiting = client('b').acquire('job', { durationMs: D, waitMs: Infinity, signal: controller.signal });
    await clock.advance(1_000);
    controller.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
    await held.release();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('LeaseClient.describe', () => {
  it('returns the lease item, or undefined for a lease never taken', async () => {
    const { client } = setup();
    expect(await client('a').describe('job')).toBeUndefined();
    await client('a').tryAcquire('job', { durationMs: D, metadata: { function: 'f' } });
    expect(await client('a').describe('job')).toMatchObject({ name: 'job', token: 1, metadata: { function: 'f' } });
  });

  it('hands its signal to the read, and an aborted read throws a LeaseError carrying the abort', async () => {
    const memory = new InMemoryLeaseStore();
    const signals: (AbortSignal | undefined)[] = [];
    const aborting: LeaseStore = {
      ...unreachableStore(),
      read: async (name, options) => {
        signals.push(options?.signal);
        if (options?.signal?.aborted)
          throw Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
        return memory.read(name);
      },
    };
    const leases = new LeaseClient({ store: aborting, clock: new FakeClock() });
    const stop = new AbortController();
    expect(await leases.describe('job', { signal: stop.signal })).toBeUndefined();
    stop.abort();
    const error = await leases.describe('job', { signal: stop.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseError);
    expect((error as LeaseError).cause).toMatchObject({ name: 'AbortError' });
    expect(signals).toEqual([stop.signal, stop.signal]);
  });

  it.each([
    ['name', 'bad name!', {}],
    ['options', 'job', null],
    ['options.signal', 'job', { signal: 'now' }],
  ])('names %s on bad input, before any request', async (field, name, options) => {
    const leases = new LeaseClient({ store: unreachableStore(), clock: new FakeClock() });
    await expect(leases.describe(name, options as never)).rejects.toMatchObject({
      name: 'LeaseValidationError',
      field,
    });
  });
});

describe("electorRequestHandoff (the elector's request, not on the package entry)", () => {
  it("asks the tenure at token to hand over to this client's holder, one conditional write", async () => {
    const memory = new InMemoryLeaseStore();
    const clock = new FakeClock();
    const held = await electorAttempt(
      new LeaseClient({ store: memory, clock, holderName: 'low' }),
      'job',
      { durationMs: D },
      { priority: 1 },
    );
    expect(held.acquired).toBe(true);
    const outcome = await electorRequestHandoff(new LeaseClient({ store: memory, clock, holderName: 'high' }), {
      name: 'job',
      token: 1,
      priority: 2,
    });
    expect(outcome.applied).toBe(true);
    expect(await memory.read('job')).toMatchObject({ handoffTo: 'high', handoffPriority: 2 });
    expect(memory.requests.requestHandoff).toBe(1);
    if (held.acquired) held.lease.stopActing(new Error('test over'));
  });

  it.each([
    ['name', { name: 'bad name!', token: 1, priority: 2 }],
    ['token', { name: 'job', token: 0, priority: 2 }],
    ['priority', { name: 'job', token: 1, priority: 1.5 }],
  ])('names %s on bad input, before any request', async (field, request) => {
    const leases = new LeaseClient({ store: unreachableStore(), clock: new FakeClock() });
    await expect(electorRequestHandoff(leases, request)).rejects.toMatchObject({ name: 'LeaseValidationError', field });
  });

  it('wraps a store failure in a LeaseError with the cause', async () => {
    const failing = new FaultyStore(new InMemoryLeaseStore()).failNext(
      'requestHandoff',
      'before',
      sdkError('InternalServerError', 500),
    );
    const leases = new LeaseClient({ store: failing, clock: new FakeClock() });
    const error = await electorRequestHandoff(leases, { name: 'job', token: 1, priority: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseError);
    expect((error as LeaseError).cause).toMatchObject({ name: 'InternalServerError' });
  });
});
