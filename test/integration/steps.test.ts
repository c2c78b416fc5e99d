import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLeaseTable,
  DynamoDBLeaseStore,
  InMemoryLeaseStore,
  LeaseClient,
  StaleTokenError,
  stepIdempotencyKey,
  type LeaseStore,
} from '../../lib/runtime/index.js';
import { createStepJournal } from '../../lib/runtime/steps.js';
import { FakeClock, lambdaContext, scheduledEvent } from '../../lib/testing/index.js';
import { createSingletonHandler, type SingletonHandlerOptions } from '../../lambda/cron-singleton.js';
import { countRequests, testClient, uniqueTableName } from '../support/dynamodb.js';

const tableName = uniqueTableName('steps');
const client = testClient();
const requests = countRequests(client);
const store = new DynamoDBLeaseStore(client, tableName);
let seq = 0;
const freshLease = () => `steps/${++seq}`;
const TICK = Date.parse('2026-11-26T06:00:00Z');
const quiet = new Logger({ logLevel: 'SILENT' });

/** Metrics that publish nothing: these tests read the journal, not EMF. */
class QuietMetrics extends Metrics {
  override publishStoredMetrics(): this {
    this.clearMetrics();
    return this;
  }
}

/** A cron handler on the shared table; `clock` lets it see an earlier tenure as expired. */
function handler(leaseName: string, job: SingletonHandlerOptions['job'], clock?: FakeClock) {
  const h = createSingletonHandler({
    leaseName,
    tableName,
    client,
    job,
    logger: quiet,
    metrics: new QuietMetrics({ namespace: 'Baton', serviceName: 'test' }),
    ...(clock ? { clock } : {}),
  });
  return (tick = TICK) => h(scheduledEvent(tick), lambdaContext({ timeoutMs: 10_000, ...(clock ? { clock } : {}) }));
}

/** Records every call of a step's function, by step name. */
function calls() {
  const seen: string[] = [];
  return {
    seen,
    run:
      <T>(name: string, value: T) =>
      async () => {
        seen.push(name);
        return value;
      },
  };
}

beforeAll(() => createLeaseTable(client, tableName));
afterAll(() => client.destroy());

describe('steps on DynamoDB Local', () => {
  it('resumes a job that died after its first step at the second, replaying the first value, with one journal read', async () => {
    const leaseName = freshLease();
    const clock = new FakeClock(Date.now());
    // The first invocation records its first step, then its process dies: no release, no tick.
    const first = await new LeaseClient({ tableName, client, clock }).tryAcquire(leaseName, {
      durationMs: 5_000,
      tick: TICK,
    });
    if (!first.acquired) throw new Error('must acquire');
    const dying = createStepJournal({ store, clock, lease: first.lease, tick: TICK, retentionMs: 60_000 });
    const firstRun = calls();
    expect(await dying('query', firstRun.run('query', { rows: [1, 2, 3] }))).toEqual({ rows: [1, 2, 3] });
    first.lease.stopActing(new Error('the process died'));

    // The next invocation of the same tick comes once that tenure expired.
    const retry = calls();
    const seenRows: unknown[] = [];
    requests.reset();
    const result = await handler(
      leaseName,
      async ({ step }) => {
        const rows = await step('query', retry.run('query', { rows: ['never'] }));
        seenRows.push(rows);
        return step('email', retry.run('email', 'sent'));
      },
      new FakeClock(Date.now() + 10_000),
    )();

    expect(result).toMatchObject({ status: 'ran', takeover: true, released: true, value: 'sent' });
    expect(firstRun.seen).toEqual(['query']);
    expect(retry.seen).toEqual(['email']);
    expect(seenRows).toEqual([{ rows: [1, 2, 3] }]);
    // acquire + one step record + release; the journal itself is one Query for the tenure.
    expect(requests.byOperation()).toEqual({ UpdateItem: 3, Query: 1 });
    const journal = await store.readSteps({ name: leaseName, tick: TICK });
    expect(journal.map((r) => [r.step, r.token, r.value]).sort()).toEqual([
      ['email', 2, '"sent"'],
      ['query', 1, '{"rows":[1,2,3]}'],
    ]);
  });

  it("never lets a paused leader's late record replace its successor's, and stops the paused leader", async () => {
    const leaseName = freshLease();
    const clock = new FakeClock(Date.now());
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    let staleSignal: AbortSignal | undefined;
    // Tenure 1 runs the effect, then pauses before recording it.
    const stale = new LeaseClient({ tableName, client, clock }).runAsLeader(
      leaseName,
      (lease, { step }) => {
        staleSignal = lease.signal;
        return step('email', async () => {
          await paused;
          return 'sent by tenure 1';
        });
      },
      { durationMs: 5_000, tick: TICK },
    );
    await expect.poll(() => staleSignal).toBeDefined();

    // Tenure 2 takes over the expired lease, runs the same step and records it first.
    const successor = await handler(
      leaseName,
      async ({ step }) => step('email', async () => 'sent by tenure 2'),
      new FakeClock(Date.now() + 10_000),
    )();
    expect(successor).toMatchObject({ status: 'ran', token: 2, value: 'sent by tenure 2' });

    resume();
    const error = await stale.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StaleTokenError);
    expect(error).toMatchObject({ token: 1, fence: 2 });
    expect(staleSignal?.aborted).toBe(true);
    const journal = await store.readSteps({ name: leaseName, tick: TICK });
    expect(journal).toEqual([expect.objectContaining({ step: 'email', token: 2, value: '"sent by tenure 2"' })]);
  });

  it("lets a superseded tenure's record land where no newer tenure recorded, and a newer record replace it", async () => {
    const leaseName = freshLease();
    const clock = new FakeClock(Date.now());
    const old = await new LeaseClient({ tableName, client, clock }).tryAcquire(leaseName, {
      durationMs: 5_000,
      tick: TICK,
    });
    const next = await new LeaseClient({ tableName, client, clock: clock.skewed(10_000) }).tryAcquire(leaseName, {
      durationMs: 5_000,
      tick: TICK,
    });
    if (!old.acquired || !next.acquired) throw new Error('both must acquire');
    const late = createStepJournal({ store, clock, lease: old.lease, tick: TICK, retentionMs: 60_000 });
    const current = createStepJournal({ store, clock, lease: next.lease, tick: TICK, retentionMs: 60_000 });
    // Tenure 2 read its (empty) journal before tenure 1's late record lands: it runs the step too.
    await current('warm-up', async () => 0);
    await expect(late('email', async () => 'from 1')).resolves.toBe('from 1');
    await expect(current('email', async () => 'from 2')).resolves.toBe('from 2');
    const journal = await store.readSteps({ name: leaseName, tick: TICK });
    expect(journal.find((r) => r.step === 'email')).toMatchObject({ token: 2, value: '"from 2"' });
    await next.lease.release();
  });

  it("keeps each tick's journal to itself, even where one tick's digits begin the other's", async () => {
    const leaseName = freshLease();
    const [short, long] = [Date.parse('2026-11-26T06:00:00Z'), Date.parse('2026-11-26T06:00:00Z') * 10];
    const run = calls();
    const job =
      (value: number, fail: boolean): SingletonHandlerOptions['job'] =>
      async ({ step }) => {
        const got = await step('a', run.run(`a@${value}`, value));
        if (fail) throw new Error('keep the tick open');
        return got;
      };
    await expect(handler(leaseName, job(2, true))(long)).rejects.toThrow('keep the tick open');
    await expect(handler(leaseName, job(1, false))(short)).resolves.toMatchObject({ status: 'ran', value: 1 });
    await expect(handler(leaseName, job(99, false))(long)).resolves.toMatchObject({ status: 'ran', value: 2 });
    expect(run.seen).toEqual(['a@2', 'a@1']);
    expect((await store.readSteps({ name: leaseName, tick: short })).map((r) => r.value)).toEqual(['1']);
    expect((await store.readSteps({ name: leaseName, tick: long })).map((r) => r.value)).toEqual(['2']);
  });

  it('does not record a step that throws, and runs it again on the next invocation with the same idempotency key', async () => {
    const leaseName = freshLease();
    const keys: string[] = [];
    let attempts = 0;
    const job: SingletonHandlerOptions['job'] = async ({ step }) =>
      step('charge', async ({ idempotencyKey }) => {
        keys.push(idempotencyKey);
        if (++attempts === 1) throw new Error('payment API timed out');
        return 'charged';
      });
    await expect(handler(leaseName, job)()).rejects.toThrow('payment API timed out');
    expect(await store.readSteps({ name: leaseName, tick: TICK })).toEqual([]);
    await expect(handler(leaseName, job)()).resolves.toMatchObject({ status: 'ran', value: 'charged' });
    expect(attempts).toBe(2);
    expect(keys).toEqual([
      stepIdempotencyKey(leaseName, TICK, 'charge'),
      stepIdempotencyKey(leaseName, TICK, 'charge'),
    ]);
    expect(await store.readSteps({ name: leaseName, tick: TICK })).toEqual([
      expect.objectContaining({ step: 'charge', token: 2, value: '"charged"' }),
    ]);
  });

  it('ignores a record past its retention that TTL has not deleted yet', async () => {
    const leaseName = freshLease();
    const clock = new FakeClock(Date.now());
    const first = await new LeaseClient({ tableName, client, clock }).tryAcquire(leaseName, {
      durationMs: 5_000,
      tick: TICK,
    });
    if (!first.acquired) throw new Error('must acquire');
    await createStepJournal({ store, clock, lease: first.lease, tick: TICK, retentionMs: 60_000 })(
      'a',
      async () => 'old',
    );
    // Two minutes later the record has expired (retention one minute), though DynamoDB still holds it.
    const later = await new LeaseClient({ tableName, client, clock: clock.skewed(120_000) }).tryAcquire(leaseName, {
      durationMs: 5_000,
      tick: TICK,
    });
    if (!later.acquired) throw new Error('must acquire');
    const again = createStepJournal({
      store,
      clock: clock.skewed(120_000),
      lease: later.lease,
      tick: TICK,
      retentionMs: 60_000,
    });
    await expect(again('a', async () => 'new')).resolves.toBe('new');
    await later.lease.release();
  });

  it('gives the same outcome as InMemoryLeaseStore for every order of records by token', async () => {
    const leaseName = freshLease();
    const memory = new InMemoryLeaseStore();
    const record = (token: number, value?: string) => ({
      name: leaseName,
      tick: TICK,
      step: 's',
      token,
      holder: `h${token}`,
      recordedAt: token,
      ttl: 4_000_000_000,
      ...(value === undefined ? {} : { value }),
    });
    const outcomes = async (s: LeaseStore) => {
      const seen: unknown[] = [];
      for (const [token, value] of [
        [3, '"a"'],
        [2, '"b"'],
        [3, '"c"'],
        [5, undefined],
        [4, '"d"'],
        [6, '"e"'],
      ] as const) {
        seen.push(await s.recordStep!(record(token, value)));
      }
      seen.push(await s.readSteps!({ name: leaseName, tick: TICK }));
      return seen;
    };
    const [real, model] = [await outcomes(store), await outcomes(memory)];
    expect(real).toEqual(model);
    expect(real.at(-1)).toEqual([record(6, '"e"')].map(({ name: _n, ...r }) => r));
  });
});
