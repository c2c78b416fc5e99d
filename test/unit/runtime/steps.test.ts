import { describe, expect, it } from 'vitest';
import {
  InMemoryLeaseStore,
  LeaseClient,
  LeaseValidationError,
  MAX_STEP_ITEM_BYTES,
  stepIdempotencyKey,
  type LeaderContext,
  type LeaseStore,
} from '../../../lib/runtime/index.js';
import { FakeClock } from '../../../lib/testing/fake-clock.js';

const TICK = Date.UTC(2026, 10, 26, 6);

function setup(store: LeaseStore = new InMemoryLeaseStore()) {
  const clock = new FakeClock();
  const leases = new LeaseClient({ store, clock, random: () => 0, holderName: 'unit' });
  /** One tenure of the tick running `fn`; the tick is recorded when it succeeds. */
  const tenure = <T>(
    fn: (context: LeaderContext) => Promise<T>,
    options: { tick?: number; stepRetentionMs?: number } = { tick: TICK },
  ) => leases.runAsLeader('job', (_lease, context) => fn(context), { durationMs: 10_000, ...options });
  return { clock, leases, tenure };
}

/** The error `work` rejects with. */
async function refusal(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => error,
  );
}

describe('step', () => {
  it('replays a recorded value in a later tenure without calling fn, reading the journal once per tenure', async () => {
    const memory = new InMemoryLeaseStore();
    const { tenure } = setup(memory);
    const ran: string[] = [];
    const job =
      (fail: boolean) =>
      async ({ step }: LeaderContext) => {
        const a = await step('a', async () => (ran.push('a'), { n: 1 }));
        await step('b', async () => (ran.push('b'), [a, 'b']));
        if (fail) throw new Error('crash after two steps');
        return step('c', async () => (ran.push('c'), 'c'));
      };
    await expect(tenure(job(true))).rejects.toThrow('crash after two steps');
    expect(memory.requests).toMatchObject({ readSteps: 1, recordStep: 2 });
    const second = await tenure(job(false));
    expect(second).toMatchObject({ led: true, value: 'c' });
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(memory.requests).toMatchObject({ readSteps: 2, recordStep: 3 });
  });

  it('returns the value as JSON reads it back, the same on the first run as on a replay', async () => {
    const { tenure } = setup();
    const when = new Date(TICK);
    const seen: unknown[] = [];
    const job =
      (fail: boolean) =>
      async ({ step }: LeaderContext) => {
        seen.push(await step('load', async () => ({ when, skipped: undefined, list: [1, 'x'] })));
        seen.push(await step('nothing', async () => undefined));
        if (fail) throw new Error('again');
      };
    await expect(tenure(job(true))).rejects.toThrow('again');
    await tenure(job(false));
    const json = { when: when.toISOString(), list: [1, 'x'] };
    expect(seen).toEqual([json, undefined, json, undefined]);
  });

  it('refuses a name used twice in one run, before calling fn again', async () => {
    const { tenure } = setup();
    let calls = 0;
    const error = await refusal(
      tenure(async ({ step }) => {
        await step('email', async () => ++calls);
        return step('email', async () => ++calls);
      }),
    );
    expect(error).toBeInstanceOf(LeaseValidationError);
    expect(error).toMatchObject({ field: 'step "email"' });
    expect(calls).toBe(1);
  });

  it('lets a step that threw run again in the same run, recording only the success', async () => {
    const memory = new InMemoryLeaseStore();
    const { tenure } = setup(memory);
    let tries = 0;
    const r = await tenure(async ({ step }) => {
      const flaky = () => step('flaky', async () => (++tries === 1 ? Promise.reject(new Error('once')) : 'ok'));
      await expect(flaky()).rejects.toThrow('once');
      return flaky();
    });
    expect(r).toMatchObject({ value: 'ok' });
    expect(memory.requests).toMatchObject({ readSteps: 1, recordStep: 1 });
  });

  it('after a record whose answer was lost, returns the recorded value when the same tenure runs the step again', async () => {
    const memory = new InMemoryLeaseStore();
    let lose = true;
    // The first record lands, but its answer is lost (a timeout after the write).
    const lossy: LeaseStore = Object.assign(Object.create(memory) as InMemoryLeaseStore, {
      recordStep: async (c: Parameters<NonNullable<LeaseStore['recordStep']>>[0]) => {
        const outcome = await memory.recordStep(c);
        if (lose) {
          lose = false;
          throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
        }
        return outcome;
      },
    });
    let n = 0;
    const r = await setup(lossy).tenure(async ({ step }) => {
      await expect(step('count', async () => ++n)).rejects.toThrow('socket hang up');
      return step('count', async () => ++n);
    });
    expect(n).toBe(2);
    expect(r).toMatchObject({ value: 1 });
    expect(await memory.readSteps({ name: 'job', tick: TICK })).toEqual([expect.objectContaining({ value: '1' })]);
  });

  it('refuses a value too large for an item, naming the step, before any write', async () => {
    const memory = new InMemoryLeaseStore();
    const { tenure } = setup(memory);
    const error = await refusal(tenure(async ({ step }) => step('big', async () => 'x'.repeat(MAX_STEP_ITEM_BYTES))));
    expect(error).toBeInstanceOf(LeaseValidationError);
    expect(error).toMatchObject({ field: 'step "big" value' });
    expect(memory.requests.recordStep).toBe(0);
  });

  it('accepts a value just under the limit, counting UTF-8 bytes', async () => {
    const { tenure } = setup();
    const value = 'é'.repeat(200_000); // 400,000 bytes as UTF-8, plus quotes
    await expect(tenure(async ({ step }) => step('near', async () => value))).resolves.toMatchObject({ value });
    const over = 'é'.repeat(205_000);
    await expect(setup().tenure(async ({ step }) => step('over', async () => over))).rejects.toBeInstanceOf(
      LeaseValidationError,
    );
  });

  it.each([
    ['a BigInt', () => 1n],
    ['a function', () => () => 1],
    [
      'a cycle',
      () => {
        const o: Record<string, unknown> = {};
        o['self'] = o;
        return o;
      },
    ],
  ])('refuses %s as a value, before any write', async (_what, make) => {
    const memory = new InMemoryLeaseStore();
    const { tenure } = setup(memory);
    const error = await refusal(tenure(async ({ step }) => step('v', async () => make())));
    expect(error).toMatchObject({ name: 'LeaseValidationError', field: 'step "v" value' });
    expect(memory.requests.recordStep).toBe(0);
  });

  it.each([
    ['an empty name', ''],
    ['a name with a space', 'send email'],
    ['a name with #', 'a#b'],
    ['a number', 7],
  ])('refuses %s', async (_what, name) => {
    const { tenure } = setup();
    const error = await refusal(tenure(async ({ step }) => step(name as string, async () => 1)));
    expect(error).toMatchObject({ name: 'LeaseValidationError', field: 'step name' });
  });

  it('refuses to run without a tick, and with a store that keeps no steps', async () => {
    const { tenure } = setup();
    await expect(refusal(tenure(async ({ step }) => step('a', async () => 1), {}))).resolves.toMatchObject({
      field: 'tick',
    });
    const memory = new InMemoryLeaseStore();
    const bare: LeaseStore = {
      acquire: (c) => memory.acquire(c),
      renew: (c) => memory.renew(c),
      release: (c) => memory.release(c),
      requestHandoff: (c) => memory.requestHandoff(c),
      read: (n) => memory.read(n),
      guardedWrite: (c) => memory.guardedWrite(c),
    };
    await expect(refusal(setup(bare).tenure(async ({ step }) => step('a', async () => 1)))).resolves.toMatchObject({
      field: 'store',
    });
  });

  it('checks stepRetentionMs before any request', async () => {
    const memory = new InMemoryLeaseStore();
    const { tenure } = setup(memory);
    await expect(refusal(tenure(async () => 1, { tick: TICK, stepRetentionMs: 1_000 }))).resolves.toMatchObject({
      field: 'stepRetentionMs',
    });
    expect(memory.requests.acquire).toBe(0);
  });

  it('gives the record a TTL of the retention after it was recorded, in epoch seconds', async () => {
    const memory = new InMemoryLeaseStore();
    const { tenure, clock } = setup(memory);
    await tenure(async ({ step }) => step('a', async () => 1), { tick: TICK, stepRetentionMs: 3_600_000 });
    const [record] = await memory.readSteps({ name: 'job', tick: TICK });
    expect(record).toMatchObject({
      step: 'a',
      token: 1,
      value: '1',
      recordedAt: clock.now(),
      ttl: Math.ceil((clock.now() + 3_600_000) / 1000),
    });
  });
});

describe('stepIdempotencyKey', () => {
  it('is the same for the same lease, tick and step, and differs when any of them does', () => {
    const key = stepIdempotencyKey('job', TICK, 'email');
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stepIdempotencyKey('job', TICK, 'email')).toBe(key);
    expect(
      new Set([
        key,
        stepIdempotencyKey('job2', TICK, 'email'),
        stepIdempotencyKey('job', TICK + 1, 'email'),
        stepIdempotencyKey('job', TICK, 'emails'),
      ]).size,
    ).toBe(4);
  });
});

describe('InMemoryLeaseStore.recordStep', () => {
  const record = (token: number, value: string) => ({
    name: 'job',
    tick: TICK,
    step: 's',
    token,
    holder: `h${token}`,
    recordedAt: 0,
    ttl: 1,
    value,
  });

  it('applies over an older token only, and returns the record that refused it', async () => {
    const memory = new InMemoryLeaseStore();
    expect(await memory.recordStep(record(2, 'two'))).toEqual({ applied: true });
    expect(await memory.recordStep(record(1, 'one'))).toEqual({
      applied: false,
      current: expect.objectContaining({ token: 2, value: 'two' }),
    });
    expect(await memory.recordStep(record(2, 'again'))).toMatchObject({ applied: false, current: { token: 2 } });
    expect(await memory.recordStep(record(3, 'three'))).toEqual({ applied: true });
    expect(await memory.readSteps({ name: 'job', tick: TICK })).toEqual([
      expect.objectContaining({ token: 3, value: 'three' }),
    ]);
  });
});
