import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatonEnv, BatonMetric, createLeaseTable, LeaseClient, StaleTokenError, type StepFunction } from 'baton-lease';
import { FakeClock, lambdaContext, scheduledEvent } from 'baton-lease/testing';
import { createSingletonHandler, type SingletonHandlerOptions, type SingletonJobContext } from 'baton-lease/lambda';
import { appendLedgerEntry, LEDGER_HEAD } from '../../jobs/ledger-job.js';
import { countRequests, testClient, uniqueTableName } from '../../../test/support/dynamodb.js';

const tableName = uniqueTableName('cron');
const client = testClient();
const requests = countRequests(client);
const doc = DynamoDBDocumentClient.from(client);
let seq = 0;
const freshLease = () => `cron/${++seq}`;
const TICK = Date.parse('2026-11-26T06:00:00Z');

/** Powertools Metrics that keeps what each invocation would publish as EMF, instead of printing it. */
class CapturedMetrics extends Metrics {
  readonly published: Record<string, number[]>[] = [];
  override publishStoredMetrics(): this {
    const emf = this.serializeMetrics() as unknown as Record<string, unknown>;
    const names = (
      emf._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }
    ).CloudWatchMetrics[0]!.Metrics.map((m) => m.Name);
    this.published.push(Object.fromEntries(names.map((n) => [n, [emf[n]].flat() as number[]])));
    this.clearMetrics();
    return this;
  }
  count(name: string): number {
    return this.published.reduce((sum, p) => sum + (p[name]?.length ?? 0), 0);
  }
}

function handler(leaseName: string, job: SingletonHandlerOptions['job'], extra: Partial<SingletonHandlerOptions> = {}) {
  const metrics = new CapturedMetrics({ namespace: 'Baton', serviceName: 'test' });
  const h = createSingletonHandler({
    leaseName,
    tableName,
    client,
    job,
    metrics,
    logger: new Logger({ logLevel: 'SILENT' }),
    ...extra,
  });
  return { h, metrics };
}

beforeAll(() => createLeaseTable(client, tableName));
afterAll(() => client.destroy());

describe('createSingletonHandler', () => {
  it('runs the job once, releases with lastTick, and publishes LeaseAcquired and LeaderRun with LeaseName', async () => {
    const leaseName = freshLease();
    const ran: SingletonJobContext[] = [];
    const { h, metrics } = handler(leaseName, async (ctx) => void ran.push(ctx));
    const result = await h(scheduledEvent(TICK), lambdaContext({ timeoutMs: 10_000 }));
    expect(result).toMatchObject({ status: 'ran', tick: TICK, token: 1, takeover: false, released: true });
    expect(ran).toHaveLength(1);
    expect(ran[0]).toMatchObject({ tick: TICK, token: 1 });
    expect(await new LeaseClient({ tableName, client }).describe(leaseName)).toMatchObject({
      lastTick: TICK,
      token: 1,
    });
    expect(metrics.count(BatonMetric.LeaseAcquired)).toBe(1);
    expect(metrics.count(BatonMetric.LeaderRun)).toBe(1);
    expect(metrics.count(BatonMetric.AcquireLatency)).toBe(1);
  });

  it('makes a follower return after exactly one request, naming the holder', async () => {
    const leaseName = freshLease();
    const holder = await new LeaseClient({ tableName, client, holderName: 'other' }).tryAcquire(leaseName, {
      durationMs: 30_000,
    });
    if (!holder.acquired) throw new Error('setup must hold the lease');
    let ran = false;
    const { h, metrics } = handler(leaseName, async () => void (ran = true));
    requests.reset();
    const started = performance.now();
    const result = await h(scheduledEvent(TICK), lambdaContext({ timeoutMs: 10_000 }));
    const elapsedMs = performance.now() - started;
    expect(requests.byOperation()).toEqual({ UpdateItem: 1 });
    expect(result).toMatchObject({ status: 'skipped', reason: 'held', holder: holder.lease.holder, token: 1 });
    expect(ran).toBe(false);
    expect(metrics.count(BatonMetric.LeaseContended)).toBe(1);
    expect(elapsedMs).toBeLessThan(5_000); // no sleeping: returns on the one answer
    await holder.lease.release();
  });

  it('skips a duplicate delivery of a completed tick with one request', async () => {
    const leaseName = freshLease();
    let runs = 0;
    const { h, metrics } = handler(leaseName, async () => void runs++);
    const event = scheduledEvent(TICK);
    await h(event, lambdaContext());
    requests.reset();
    const again = await h({ ...event, id: 'redelivered' }, lambdaContext());
    expect(again).toMatchObject({ status: 'skipped', reason: 'tick-done' });
    expect(requests.total()).toBe(1);
    expect(runs).toBe(1);
    expect(metrics.count(BatonMetric.TickDuplicateSkipped)).toBe(1);
    // The next tick runs.
    await expect(h(scheduledEvent(TICK + 60_000), lambdaContext())).resolves.toMatchObject({ status: 'ran', token: 2 });
  });

  it('rethrows a job error, releases without lastTick, and lets a retry of the tick run', async () => {
    const leaseName = freshLease();
    let attempt = 0;
    const { h, metrics } = handler(leaseName, async () => {
      if (++attempt === 1) throw new Error('downstream unavailable');
    });
    await expect(h(scheduledEvent(TICK), lambdaContext())).rejects.toThrow('downstream unavailable');
    const item = await new LeaseClient({ tableName, client }).describe(leaseName);
    expect(item?.lastTick).toBeUndefined();
    expect(item?.holder).toBeUndefined();
    expect(metrics.count(BatonMetric.JobFailed)).toBe(1);
    await expect(h(scheduledEvent(TICK), lambdaContext())).resolves.toMatchObject({ status: 'ran', token: 2 });
  });

  it('aborts the signal of a job that outlives its time before the function would time out', async () => {
    const leaseName = freshLease();
    const context = lambdaContext({ timeoutMs: 2_000 });
    let remainingAtAbort = -1;
    const { h } = handler(
      leaseName,
      (ctx) =>
        new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            remainingAtAbort = context.getRemainingTimeInMillis();
            resolve();
          });
        }),
      { abortMarginMs: 500 },
    );
    const result = await h(scheduledEvent(TICK), context);
    expect(result).toMatchObject({ status: 'ran', released: true });
    expect(remainingAtAbort).toBeGreaterThan(300);
    expect(remainingAtAbort).toBeLessThanOrEqual(600);
  });

  it('rejects a paused leader’s late ledger write with the fence, and counts it', async () => {
    const leaseName = freshLease();
    const clock = new FakeClock(Date.now());
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    let reachedPause!: () => void;
    const atPause = new Promise<void>((r) => (reachedPause = r));
    const ledger = appendLedgerEntry(client, tableName, leaseName);
    // The old leader freezes mid-job (a GC pause, a frozen sandbox) and its clock with it.
    const old = handler(
      leaseName,
      async (ctx) => {
        reachedPause();
        await paused;
        await ledger(ctx);
      },
      { clock },
    );
    const oldRun = old.h(scheduledEvent(TICK), lambdaContext({ timeoutMs: 5_000, clock }));
    await atPause;
    // Meanwhile a new invocation, whose clock is past the old lease's expiry, takes over and writes.
    const next = handler(leaseName, ledger, { clock: clock.skewed(60_000) });
    const nextResult = await next.h(scheduledEvent(TICK + 60_000), lambdaContext({ timeoutMs: 5_000 }));
    expect(nextResult).toMatchObject({ status: 'ran', token: 2, takeover: true });
    expect(next.metrics.count(BatonMetric.LeaseTakeover)).toBe(1);
    resume();
    await expect(oldRun).rejects.toBeInstanceOf(StaleTokenError);
    expect(old.metrics.count(BatonMetric.StaleWriteRejected)).toBe(1);
    const head = await doc.send(
      new GetCommand({ TableName: tableName, Key: { pk: leaseName, sk: LEDGER_HEAD }, ConsistentRead: true }),
    );
    expect(head.Item).toMatchObject({ runs: 1, lastToken: 2, fence: 2 });
    const entries = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': leaseName, ':p': 'LEDGER#' },
        ConsistentRead: true,
      }),
    );
    expect(entries.Items?.map((e) => e.token)).toEqual([2]);
  });

  it('makes the ledger job a no-op for a tick an earlier run recorded before dying unreleased', async () => {
    const leaseName = freshLease();
    const clock = new FakeClock(Date.now());
    const ledger = appendLedgerEntry(client, tableName, leaseName);
    // The first run writes its entry, then its invocation dies before releasing (no lastTick).
    const first = await new LeaseClient({ tableName, client, clock }).tryAcquire(leaseName, {
      durationMs: 5_000,
      tick: TICK,
    });
    if (!first.acquired) throw new Error('must acquire');
    const quiet = new Logger({ logLevel: 'SILENT' });
    // Steps that always run: the window where a write landed but its step record did not, so the write runs again.
    const ctx = (lease: typeof first.lease) => {
      const step: StepFunction = (name, fn) => fn({ idempotencyKey: name, token: lease.token, signal: lease.signal });
      return {
        lease,
        token: lease.token,
        signal: lease.signal,
        tick: TICK,
        logger: quiet,
        metrics: new CapturedMetrics(),
        step,
      };
    };
    await expect(ledger(ctx(first.lease))).resolves.toEqual({ recorded: true });
    // A late retry of the same tick acquires after expiry and runs the job again.
    const retry = await new LeaseClient({ tableName, client, clock: clock.skewed(10_000) }).tryAcquire(leaseName, {
      durationMs: 5_000,
      tick: TICK,
    });
    if (!retry.acquired) throw new Error('the retry must acquire: the tick was never released as done');
    await expect(ledger(ctx(retry.lease))).resolves.toEqual({ recorded: false });
    const entries = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': leaseName, ':p': 'LEDGER#' },
        ConsistentRead: true,
      }),
    );
    expect(entries.Items?.map((e) => e.token)).toEqual([1]);
    await retry.lease.release();
  });

  it('names the missing configuration: an option given in code at once, the environment at the first invocation', async () => {
    expect(() => createSingletonHandler({ job: async () => undefined, leaseName: 'x', tableName: '' })).toThrow(
      /tableName/,
    );
    const saved = process.env[BatonEnv.leaseName];
    delete process.env[BatonEnv.leaseName];
    try {
      const h = createSingletonHandler({ job: async () => undefined, tableName });
      await expect(h(scheduledEvent(TICK), lambdaContext())).rejects.toThrow(
        /leaseName must be given, or BATON_LEASE_NAME set/,
      );
    } finally {
      if (saved !== undefined) process.env[BatonEnv.leaseName] = saved;
    }
  });

  it('rejects an event without a valid time before any request', async () => {
    const { h } = handler(freshLease(), async () => undefined);
    requests.reset();
    await expect(h({ ...scheduledEvent(TICK), time: 'not a time' }, lambdaContext())).rejects.toMatchObject({
      field: 'event.time',
    });
    expect(requests.total()).toBe(0);
  });
});
