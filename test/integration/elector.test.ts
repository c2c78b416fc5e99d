import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoDBLeaseStore,
  LeaseClient,
  LeaseHandoffError,
  createLeaseTable,
  systemClock,
  type ElectOptions,
  type Lease,
  type LeaseClientSettings,
} from '../../lib/runtime/index.js';
import { electorAttempt } from '../../lib/runtime/lease-client.js';
import { countRequests, testClient, uniqueTableName } from '../support/dynamodb.js';

// Short leases keep the suite quick on the real clock; the ratios to D are what the assertions check.
const D = 2_000;
const RENEW = 500;
const S = 200;
const MARGIN = 250;

const tableName = uniqueTableName('elector');
const client = testClient();
const requests = countRequests(client);
const store = new DynamoDBLeaseStore(client, tableName);
let nameSeq = 0;
const freshName = () => `elect/${++nameSeq}`;

function leases(holderName: string, options: LeaseClientSettings = {}) {
  return new LeaseClient({ tableName, client, holderName, maxClockSkewMs: S, safetyMarginMs: MARGIN, ...options });
}

/** A clock whose wall reading is off by `offsetMs`; monotonic time and timers are the host's. */
function skewed(offsetMs: number) {
  return { ...systemClock, now: () => systemClock.now() + offsetMs };
}

interface Tenure {
  readonly lease: Lease;
  readonly startedAt: number;
  reason?: unknown;
}

// Electors a failed assertion left running are stopped before the next test.
const running: { stop: AbortController; done: Promise<void> }[] = [];
afterEach(async () => {
  for (const e of running.splice(0)) e.stop.abort();
});

function elector(c: LeaseClient, name: string, options: Partial<ElectOptions> = {}) {
  const stop = new AbortController();
  const tenures: Tenure[] = [];
  let started!: () => void;
  const firstTenure = new Promise<void>((resolve) => (started = resolve));
  const done = c.elect(name, {
    durationMs: D,
    renewEveryMs: RENEW,
    signal: stop.signal,
    logger: false,
    onStartedLeading: (lease) =>
      new Promise<void>((resolve) => {
        const tenure: Tenure = { lease, startedAt: performance.now() };
        tenures.push(tenure);
        started();
        lease.signal.addEventListener(
          'abort',
          () => {
            tenure.reason = lease.signal.reason;
            resolve();
          },
          { once: true },
        );
      }),
    ...options,
  });
  running.push({ stop, done });
  return { stop, tenures, done, firstTenure };
}

beforeAll(async () => {
  await createLeaseTable(client, tableName);
  // The first conditional writes of a fresh DynamoDB Local take far longer than the rest; keep them out of the timings.
  for (let i = 0; i < 5; i++) {
    const r = await leases('warm-up').tryAcquire('elect/warm-up', { durationMs: D });
    if (r.acquired) await r.lease.release();
  }
});

afterAll(() => client.destroy());

describe('LeaseClient.elect on DynamoDB Local', () => {
  it('keeps one leader; on a graceful stop the waiter takes over within one poll with the next token', async () => {
    const name = freshName();
    const a = elector(leases('a'), name);
    await a.firstTenure;
    const b = elector(leases('b'), name);
    await new Promise((resolve) => setTimeout(resolve, 3 * D));
    expect(a.tenures).toHaveLength(1);
    expect(b.tenures).toHaveLength(0);
    const stoppedAt = performance.now();
    a.stop.abort();
    await a.done;
    await b.firstTenure;
    expect(b.tenures[0]!.startedAt - stoppedAt).toBeLessThan(RENEW + 500);
    expect(b.tenures[0]!.lease.token).toBe(2);
    expect(b.tenures[0]!.lease.takeover).toBe(false);
    b.stop.abort();
    await b.done;
    expect((await store.read(name))?.holder).toBeUndefined();
  });

  it('a waiter behind a live holder costs one UpdateItem, then one strongly consistent GetItem per poll, at most one poll per renewEveryMs', async () => {
    const name = freshName();
    const holder = await leases('h').tryAcquire(name, { durationMs: 60_000 });
    if (!holder.acquired) throw new Error('expected to acquire');
    requests.reset();
    const b = elector(leases('b'), name);
    await new Promise((resolve) => setTimeout(resolve, 10 * RENEW));
    b.stop.abort();
    await b.done;
    const counts = requests.byOperation();
    expect(Object.keys(counts).sort()).toEqual(['GetItem', 'UpdateItem']);
    // The first poll writes (the lease might be free); every later one reads, the expiry being far.
    expect(counts.UpdateItem).toBe(1);
    // Ten periods: at most eleven polls (one at the start), and jitter only brings a poll forward by up to 20%.
    expect(counts.GetItem! + 1).toBeGreaterThanOrEqual(10);
    expect(counts.GetItem! + 1).toBeLessThanOrEqual(Math.ceil((10 * RENEW) / (0.8 * RENEW)) + 1);
    await holder.lease.release();
  });

  it('wall-clock failover: takes over a silent holder after its expiry plus the skew bound', async () => {
    const name = freshName();
    const dead = await leases('dead').tryAcquire(name, { durationMs: D });
    if (!dead.acquired) throw new Error('expected to acquire');
    const silentFrom = performance.now();
    const b = elector(leases('b'), name);
    await b.firstTenure;
    const failoverMs = b.tenures[0]!.startedAt - silentFrom;
    expect(failoverMs).toBeGreaterThanOrEqual(D + S);
    expect(failoverMs).toBeLessThan(D + S + RENEW + 500);
    expect(b.tenures[0]!.lease.takeover).toBe(true);
    dead.lease.stopActing(new Error('crashed'));
    b.stop.abort();
    await b.done;
  });

  it('clock-free failover: an hour of wall-clock skew changes nothing; the takeover comes a full lease after the first sighting', async () => {
    const name = freshName();
    const dead = await electorAttempt(leases('dead'), name, { durationMs: D }, { priority: 0, clockFree: {} });
    if (!dead.acquired) throw new Error('expected to acquire');
    const silentFrom = performance.now();
    const b = elector(leases('b', { clock: skewed(3_600_000) }), name, { clockFree: true });
    await b.firstTenure;
    const failoverMs = b.tenures[0]!.startedAt - silentFrom;
    expect(failoverMs).toBeGreaterThanOrEqual(D);
    expect(failoverMs).toBeLessThan(D + RENEW + 500);
    expect(b.tenures[0]!.lease.token).toBe(2);
    dead.lease.stopActing(new Error('crashed'));
    b.stop.abort();
    await b.done;
  });

  it('clock-free: a live holder is never taken over by a waiter whose wall clock is a minute ahead', async () => {
    const name = freshName();
    const a = elector(leases('a', { clock: skewed(-60_000) }), name, { clockFree: true });
    await a.firstTenure;
    const b = elector(leases('b', { clock: skewed(60_000) }), name, { clockFree: true });
    await new Promise((resolve) => setTimeout(resolve, 3 * D));
    expect(a.tenures).toHaveLength(1);
    expect(a.tenures[0]!.lease.signal.aborted).toBe(false);
    expect(b.tenures).toHaveLength(0);
    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.done, b.done]);
  });

  it('priority handoff: the holder stops with LeaseHandoffError and the higher-priority candidate leads next', async () => {
    const name = freshName();
    const low = elector(leases('low'), name, { priority: 1 });
    await low.firstTenure;
    const askedAt = performance.now();
    const high = elector(leases('high'), name, { priority: 2 });
    await high.firstTenure;
    expect(high.tenures[0]!.startedAt - askedAt).toBeLessThan(2 * RENEW + 500);
    expect(low.tenures[0]!.reason).toBeInstanceOf(LeaseHandoffError);
    expect(high.tenures[0]!.lease.token).toBe(2);
    expect(high.tenures[0]!.lease.takeover).toBe(false);
    low.stop.abort();
    high.stop.abort();
    await Promise.all([low.done, high.done]);
  });

  it('a holder whose work ends before its renew learns of a request still keeps the lease for the requester (docs/protocol.md#priority-handoff)', async () => {
    const name = freshName();
    // Polls and renews exactly every POLL ms (no jitter), so the window between them is known.
    const POLL = 850;
    let endWork!: () => void;
    let lowLeads!: () => void;
    const lowLed = new Promise<void>((resolve) => (lowLeads = resolve));
    const low = elector(leases('low', { random: () => 0 }), name, {
      priority: 1,
      renewEveryMs: POLL,
      onStartedLeading: () =>
        new Promise<void>((resolve) => {
          endWork = resolve;
          lowLeads();
        }),
    });
    // The low-priority elector leads first; started together, the requester could win the first write itself.
    await lowLed;
    let asked!: () => void;
    const request = new Promise<void>((resolve) => (asked = resolve));
    const high = elector(
      leases('high', { random: () => 0, onEvent: (e) => e.type === 'handoff-requested' && e.applied && asked() }),
      name,
      {
        priority: 3,
        renewEveryMs: POLL,
      },
    );
    await request;
    const askedAt = performance.now();
    // The holder's work ends now, long before its next renew (the one that would report the request).
    endWork();
    while ((await store.read(name))?.holder !== undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    // A lower-priority waiter polls past the released item's expiresAt + S, before the requester polls again.
    await new Promise((resolve) => setTimeout(resolve, S + 50));
    const middle = elector(leases('middle', { random: () => 0 }), name, { priority: 2, renewEveryMs: POLL });
    await high.firstTenure;
    expect(middle.tenures).toHaveLength(0);
    expect(high.tenures[0]!.lease.token).toBe(2);
    // At its next poll, not when the reservation runs out (D after the release).
    expect(performance.now() - askedAt).toBeLessThan(D);
    for (const e of [low, high, middle]) e.stop.abort();
    await Promise.all([low.done, high.done, middle.done]);
  });

  it('ordinary failover is not slowed: with no request pending, a released lease is free at once for a lower priority and for tryAcquire', async () => {
    const name = freshName();
    const holder = await electorAttempt(leases('holder'), name, { durationMs: D }, { priority: 5 });
    if (!holder.acquired) throw new Error('expected to acquire');
    await holder.lease.release();
    const item = await store.read(name);
    expect(item?.holder).toBeUndefined();
    // Reserved a whole lease on the item, but with no request pending that binds nobody.
    expect(item!.expiresAt - item!.releasedAt!).toBe(D);
    const lower = await electorAttempt(leases('lower'), name, { durationMs: D }, { priority: 0 });
    expect(lower.acquired).toBe(true);
    if (lower.acquired) await lower.lease.release();
    const plain = await leases('plain').tryAcquire(name, { durationMs: D });
    expect(plain.acquired).toBe(true);
    if (plain.acquired) await plain.lease.release();
    const clockFree = await electorAttempt(leases('cf'), name, { durationMs: D }, { priority: 0, clockFree: {} });
    expect(clockFree.acquired).toBe(true);
    if (clockFree.acquired) await clockFree.lease.release();
  });
});

describe('DynamoDBLeaseStore handoff conditions on DynamoDB Local', () => {
  it('records a request only while the holder priority is lower, once, and the holder learns it from its renew', async () => {
    const name = freshName();
    const held = await electorAttempt(leases('h'), name, { durationMs: 60_000 }, { priority: 5 });
    if (!held.acquired) throw new Error('expected to acquire');
    const ask = (priority: number, token = 1) =>
      store.requestHandoff({ name, token, requester: `p${priority}`, priority });
    expect((await ask(4)).applied).toBe(false);
    expect((await ask(5)).applied).toBe(false);
    expect((await ask(6, 2)).applied).toBe(false);
    requests.reset();
    expect((await ask(6)).applied).toBe(true);
    expect((await ask(6)).applied).toBe(false);
    await expect(held.lease.renew()).rejects.toBeInstanceOf(LeaseHandoffError);
    expect(requests.byOperation()).toEqual({ UpdateItem: 3 });
    await held.lease.release();
    const item = await store.read(name);
    expect(item).toMatchObject({ handoffPriority: 6, handoffTo: 'p6', token: 1 });
    expect(item?.holder).toBeUndefined();
    // Reserved: a lower priority cannot take it, nor a caller with none; the requester's priority can.
    expect((await electorAttempt(leases('l'), name, { durationMs: D }, { priority: 5 })).acquired).toBe(false);
    expect((await leases('n').tryAcquire(name, { durationMs: D })).acquired).toBe(false);
    const next = await electorAttempt(leases('p6'), name, { durationMs: D }, { priority: 6 });
    expect(next.acquired).toBe(true);
    expect(await store.read(name)).not.toHaveProperty('handoffPriority');
    if (next.acquired) await next.lease.release();
  });

  it('a clock-free acquire applies only at the exact observed version, and never by expiry', async () => {
    const name = freshName();
    const held = await leases('h').tryAcquire(name, { durationMs: D });
    if (!held.acquired) throw new Error('expected to acquire');
    const seen = (await store.read(name))!;
    await held.lease.renew();
    const late = leases('w', { clock: skewed(3_600_000) });
    // Far past expiry on this clock, but clock-free ignores expiry; and the version moved on with the renew.
    expect(
      (
        await electorAttempt(
          late,
          name,
          { durationMs: D },
          { clockFree: { observed: { token: seen.token, version: seen.version! } } },
        )
      ).acquired,
    ).toBe(false);
    expect((await electorAttempt(late, name, { durationMs: D }, { clockFree: {} })).acquired).toBe(false);
    const now = (await store.read(name))!;
    expect(now.version).toBe(seen.version! + 1);
    const r = await electorAttempt(
      late,
      name,
      { durationMs: D },
      { clockFree: { observed: { token: now.token, version: now.version! } } },
    );
    expect(r.acquired).toBe(true);
    held.lease.stopActing(new Error('superseded'));
    if (r.acquired) await r.lease.release();
  });
});
