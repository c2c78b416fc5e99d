import { describe, expect, it } from 'vitest';
import {
  InMemoryLeaseStore,
  LeaseClient,
  LeaseError,
  LeaseLostError,
  type LeaseStore,
} from '../../../lib/runtime/index.js';
import { FakeClock } from '../../../lib/testing/fake-clock.js';
import { FaultyStore, sdkError } from '../../support/stores.js';

const D = 10_000;
const S = 200;
const MARGIN = 250;

function setup(store?: LeaseStore) {
  const clock = new FakeClock();
  const memory = new InMemoryLeaseStore();
  const client = (name: string) =>
    new LeaseClient({
      store: store ?? memory,
      clock,
      random: () => 0.5,
      holderName: name,
      maxClockSkewMs: S,
      safetyMarginMs: MARGIN,
    });
  return { clock, memory, client };
}

async function held(client: LeaseClient, name = 'job') {
  const r = await client.tryAcquire(name, { durationMs: D });
  if (!r.acquired) throw new Error('expected to acquire');
  return r.lease;
}

describe('Lease.signal and remainingMs', () => {
  it('counts down to t0 + durationMs - safetyMarginMs and aborts there with a deadline LeaseLostError', async () => {
    const { client, clock } = setup();
    const lease = await held(client('a'));
    expect(lease.remainingMs()).toBe(D - MARGIN);
    await clock.advance(D - MARGIN - 1);
    expect(lease.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(lease.signal.aborted).toBe(true);
    expect(lease.signal.reason).toMatchObject({ name: 'LeaseLostError', reason: 'deadline' });
    expect(lease.remainingMs()).toBe(0);
  });
});

describe('Lease.renew', () => {
  it('extends the stored expiry and the local deadline with one request', async () => {
    const { client, clock, memory } = setup();
    const lease = await held(client('a'));
    await clock.advance(4_000);
    await lease.renew();
    expect(memory.requests.renew).toBe(1);
    expect(lease.remainingMs()).toBe(D - MARGIN);
    expect((await memory.read('job'))?.expiresAt).toBe(clock.now() + D);
    await clock.advance(D - MARGIN - 1);
    expect(lease.signal.aborted).toBe(false);
  });

  it('throws LeaseLostError carrying the new holder once another tenure began, and aborts the signal', async () => {
    const { client, clock } = setup();
    const stale = await held(client('a'));
    await clock.advance(D + S + 1);
    const successor = await held(client('b'));
    await expect(stale.renew()).rejects.toMatchObject({ name: 'LeaseLostError' });
    expect(stale.signal.aborted).toBe(true);
    expect(successor.token).toBe(2);
  });

  it('is refused by the store when a successor exists even if the local clock has not noticed', async () => {
    const { client, clock, memory } = setup();
    const stale = await held(client('a'));
    // B's wall clock runs far ahead (beyond the skew bound) and takes over while A still believes it holds.
    const b = new LeaseClient({
      store: memory,
      clock: clock.skewed(D + S + 1),
      random: () => 0.5,
      holderName: 'b',
      maxClockSkewMs: S,
    });
    const successor = await held(b);
    const renew = stale.renew();
    await expect(renew).rejects.toBeInstanceOf(LeaseLostError);
    await expect(renew).rejects.toMatchObject({
      reason: 'superseded',
      current: { holder: successor.holder, token: 2 },
    });
  });

  it('keeps leading after a transient renew failure that did not land', async () => {
    const memory = new InMemoryLeaseStore();
    const store = new FaultyStore(memory);
    const { client, clock } = setup(store);
    const lease = await held(client('a'));
    await clock.advance(1_000);
    store.failNext('renew', 'before', sdkError('InternalServerError', 500));
    await expect(lease.renew()).rejects.toBeInstanceOf(LeaseError);
    expect(lease.held).toBe(true);
    expect(memory.requests.read).toBe(1);
    await lease.renew();
    expect(lease.held).toBe(true);
  });

  it('keeps leading under the old deadline after a renew whose response was lost, landed or not (docs/decisions/lost-renew-answer.md)', async () => {
    const memory = new InMemoryLeaseStore();
    const store = new FaultyStore(memory);
    const { client, clock } = setup(store);
    const lease = await held(client('a'));
    await clock.advance(3_000);
    store.failNext('renew', 'after', sdkError('TimeoutError'));
    await expect(lease.renew()).rejects.toBeInstanceOf(LeaseError);
    expect(lease.held).toBe(true);
    expect(lease.remainingMs()).toBe(D - MARGIN - 3_000);
    await lease.renew();
    expect(lease.remainingMs()).toBe(D - MARGIN);
  });

  it('never lets a renew that lands late shorten the expiry a later renew wrote', async () => {
    const memory = new InMemoryLeaseStore();
    let releaseHeld!: () => void;
    const heldBack = new Promise<void>((resolve) => (releaseHeld = resolve));
    let first = true;
    // The first renew request is held in the network until after a later renew has landed.
    const delaying: LeaseStore = Object.assign(Object.create(memory) as LeaseStore, {
      renew: async (c: Parameters<LeaseStore['renew']>[0]) => {
        if (first) {
          first = false;
          await heldBack;
        }
        return memory.renew(c);
      },
    });
    const { client, clock } = setup(delaying);
    const lease = await held(client('a'));
    await clock.advance(1_000);
    const late = lease.renew();
    await clock.advance(2_000);
    await lease.renew();
    const expiry = (await memory.read('job'))?.expiresAt;
    expect(expiry).toBe(clock.now() + D);
    releaseHeld();
    await expect(late).resolves.toBeUndefined();
    expect((await memory.read('job'))?.expiresAt).toBe(expiry);
    expect(lease.remainingMs()).toBe(D - MARGIN);
  });

  it('does not extend the deadline when refused for asking an earlier expiry than the stored one (its wall clock stepped back)', async () => {
    const clock = new FakeClock();
    const memory = new InMemoryLeaseStore();
    let offsetMs = 0;
    const stepped = {
      now: () => clock.now() + offsetMs,
      monotonic: () => clock.monotonic(),
      sleep: (ms: number, signal?: AbortSignal) => clock.sleep(ms, signal),
    };
    const lease = await held(
      new LeaseClient({
        store: memory,
        clock: stepped,
        random: () => 0.5,
        holderName: 'a',
        maxClockSkewMs: S,
        safetyMarginMs: MARGIN,
      }),
    );
    await clock.advance(2_000);
    offsetMs = -5_000; // further back than the time since its last write: now + D is below the stored expiry
    const left = lease.remainingMs();
    const version = (await memory.read('job'))?.version;
    await lease.renew();
    // Nothing was written, so a clock-free waiter still sees the version it is timing: the holder must stop by its old deadline.
    expect((await memory.read('job'))?.version).toBe(version);
    expect(lease.remainingMs()).toBe(left);
    await clock.advance(left);
    expect(lease.signal.reason).toMatchObject({ name: 'LeaseLostError', reason: 'deadline' });
  });

  it('sends no request once the local deadline has passed', async () => {
    const { client, clock, memory } = setup();
    const lease = await held(client('a'));
    await clock.advance(D);
    await expect(lease.renew()).rejects.toMatchObject({ reason: 'deadline' });
    expect(memory.requests.renew).toBe(0);
  });
});

describe('Lease.release', () => {
  it('frees the lease with one request, keeps the token, and records the tick', async () => {
    const { client, memory } = setup();
    const lease = await held(client('a'));
    await lease.release({ tick: 42 });
    expect(memory.requests.release).toBe(1);
    const item = await memory.read('job');
    expect(item).toMatchObject({ token: 1, lastTick: 42 });
    expect(item?.holder).toBeUndefined();
    expect(lease.signal.aborted).toBe(true);
    expect(lease.held).toBe(false);
  });

  it('lets the next holder in at once, with the next token', async () => {
    const { client } = setup();
    await (await held(client('a'))).release();
    expect((await held(client('b'))).token).toBe(2);
  });

  it('is a no-op the second time', async () => {
    const { client, memory } = setup();
    const lease = await held(client('a'));
    await lease.release();
    await lease.release();
    expect(memory.requests.release).toBe(1);
  });

  it('treats its own earlier attempt, whose answer was lost, as done', async () => {
    const memory = new InMemoryLeaseStore();
    const retrying: LeaseStore = Object.assign(Object.create(memory) as LeaseStore, {
      release: async (c: Parameters<LeaseStore['release']>[0]) => {
        await memory.release(c);
        return memory.release(c);
      },
    });
    const { client } = setup(retrying);
    const lease = await held(client('a'));
    await expect(lease.release({ tick: 7 })).resolves.toBeUndefined();
    expect((await memory.read('job'))?.lastTick).toBe(7);
  });

  it('refuses to release a lease held by a successor, naming it, and writes nothing', async () => {
    const { client, clock, memory } = setup();
    const stale = await held(client('a'));
    await clock.advance(D + S + 1);
    const successor = await held(client('b'));
    await expect(stale.release({ tick: 1 })).rejects.toMatchObject({
      name: 'LeaseLostError',
      holder: successor.holder,
    });
    expect(await memory.read('job')).toMatchObject({ holder: successor.holder, token: 2 });
    expect((await memory.read('job'))?.lastTick).toBeUndefined();
  });

  it('is what `await using` does at scope exit', async () => {
    const { client, memory } = setup();
    {
      await using lease = await held(client('a'));
      expect(lease.held).toBe(true);
    }
    expect((await memory.read('job'))?.holder).toBeUndefined();
  });

  it('leaves no timer behind', async () => {
    const { client, clock } = setup();
    const lease = await held(client('a'));
    // Reading the signal is what arms the deadline timer.
    expect(lease.signal.aborted).toBe(false);
    await lease.renew();
    expect(clock.pendingTimers).toBe(1);
    await lease.release();
    expect(clock.pendingTimers).toBe(0);
    expect(lease.signal.reason).toMatchObject({ name: 'LeaseError', message: 'lease "job" released' });
  });

  it('arms no timer for a tenure nobody observes, and still ends it at the deadline', async () => {
    const { client, clock } = setup();
    const lease = await held(client('a'));
    await lease.renew();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(D - MARGIN);
    expect(lease.held).toBe(false);
    // A signal first read after the deadline is already aborted, with the deadline's reason.
    expect(lease.signal.aborted).toBe(true);
    expect(lease.signal.reason).toMatchObject({ name: 'LeaseLostError', reason: 'deadline' });
    await expect(lease.renew()).rejects.toMatchObject({ name: 'LeaseLostError' });
  });
});

describe('Lease.guardedWrite', () => {
  it('commits while the tenure is current', async () => {
    const { client, memory } = setup();
    const lease = await held(client('a'));
    await lease.guardedWrite([{ Put: { TableName: 't', Item: { pk: 'x' } } }]);
    expect(memory.committed).toHaveLength(1);
  });

  it('commits nothing once a successor exists', async () => {
    const { client, clock, memory } = setup();
    const stale = await held(client('a'));
    const b = new LeaseClient({
      store: memory,
      clock: clock.skewed(D + S + 1),
      random: () => 0.5,
      holderName: 'b',
      maxClockSkewMs: S,
    });
    await held(b);
    await expect(stale.guardedWrite([{ Put: { TableName: 't', Item: { pk: 'x' } } }])).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    expect(memory.committed).toHaveLength(0);
  });

  it('validates its items before any request', async () => {
    const { client, memory } = setup();
    const lease = await held(client('a'));
    await expect(lease.guardedWrite([])).rejects.toMatchObject({ name: 'LeaseValidationError', field: 'items' });
    await expect(lease.guardedWrite(new Array(100).fill({}))).rejects.toMatchObject({ field: 'items' });
    expect(memory.requests.guardedWrite).toBe(0);
  });
});
