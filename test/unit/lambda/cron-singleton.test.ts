import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, expectTypeOf, it, onTestFinished, vi } from 'vitest';
import { BatonEnv, InMemoryLeaseStore, LeaseClient } from '../../../lib/runtime/index.js';
import { lambdaContext, scheduledEvent } from '../../../lib/testing/index.js';
import {
  createSingletonHandler,
  type SingletonHandlerOptions,
  type SingletonResult,
} from '../../../lambda/cron-singleton.js';
import { validationErrorOf as thrown } from '../../support/errors.js';

const TICK = Date.parse('2026-11-26T06:00:00Z');
const quiet = {
  logger: new Logger({ logLevel: 'SILENT' }),
  metrics: new Metrics({ namespace: 'Baton', serviceName: 'test' }),
};
// Metrics print EMF on publish; these tests look at results, not metrics.
quiet.metrics.publishStoredMetrics = () => quiet.metrics;

function handler<T>(job: SingletonHandlerOptions<T>['job'], extra: Partial<SingletonHandlerOptions<T>> = {}) {
  const store = extra.store ?? new InMemoryLeaseStore();
  return { store, h: createSingletonHandler<T>({ leaseName: 'jobs/nightly', store, job, ...quiet, ...extra }) };
}

describe('createSingletonHandler with a store', () => {
  it('runs a job without DynamoDB and returns its value in the result, typed', async () => {
    const { h, store } = handler(async ({ token, tick }) => ({ rows: 3, token, tick }));
    const result = await h(scheduledEvent(TICK), lambdaContext());
    expectTypeOf(result).toEqualTypeOf<SingletonResult<{ rows: number; token: number; tick: number }>>();
    expect(result).toEqual({
      status: 'ran',
      tick: TICK,
      token: 1,
      takeover: false,
      released: true,
      value: { rows: 3, token: 1, tick: TICK },
    });
    expect(await new LeaseClient({ store }).describe('jobs/nightly')).toMatchObject({ lastTick: TICK, token: 1 });
  });

  it('records the tick when the job releases its own lease early, so released: true holds and a duplicate is skipped (docs/decisions/job-release.md)', async () => {
    let runs = 0;
    const { h, store } = handler(async ({ lease }) => {
      runs++;
      await lease.release();
    });
    await expect(h(scheduledEvent(TICK), lambdaContext())).resolves.toMatchObject({ status: 'ran', released: true });
    expect(await new LeaseClient({ store }).describe('jobs/nightly')).toMatchObject({ lastTick: TICK });
    await expect(h(scheduledEvent(TICK), lambdaContext())).resolves.toMatchObject({
      status: 'skipped',
      reason: 'tick-done',
    });
    expect(runs).toBe(1);
  });

  it('skips a tick that the same store shows done', async () => {
    let runs = 0;
    const { h } = handler(async () => ++runs);
    await h(scheduledEvent(TICK), lambdaContext());
    await expect(h(scheduledEvent(TICK), lambdaContext())).resolves.toMatchObject({
      status: 'skipped',
      reason: 'tick-done',
    });
    expect(runs).toBe(1);
  });
});

describe('createSingletonHandler options', () => {
  const job = async () => undefined;
  const store = new InMemoryLeaseStore();

  it('names each bad option before any request', () => {
    expect(thrown(() => createSingletonHandler(undefined as never)).field).toBe('options');
    expect(thrown(() => createSingletonHandler({ job: 'nightly' as never, store })).field).toBe('job');
    expect(thrown(() => createSingletonHandler({ job, store, leaseName: 'has space' })).field).toBe('leaseName');
    expect(thrown(() => createSingletonHandler({ job, store, leaseName: 'x', durationMarginMs: -1 })).field).toBe(
      'durationMarginMs',
    );
    expect(thrown(() => createSingletonHandler({ job, store, leaseName: 'x', abortMarginMs: 0 })).field).toBe(
      'abortMarginMs',
    );
    expect(thrown(() => createSingletonHandler({ job, store, leaseName: 'x', abortMarginMs: 1.5 })).field).toBe(
      'abortMarginMs',
    );
    expect(thrown(() => createSingletonHandler({ job, store, leaseName: 'x', logger: {} as never })).field).toBe(
      'logger',
    );
    expect(thrown(() => createSingletonHandler({ job, store, leaseName: 'x', metrics: {} as never })).field).toBe(
      'metrics',
    );
    expect(thrown(() => createSingletonHandler({ job, store, leaseName: 'x', maxClockSkewMs: -5 })).field).toBe(
      'maxClockSkewMs',
    );
  });

  it('refuses a store together with a table or a client', () => {
    expect(thrown(() => createSingletonHandler({ job, store, leaseName: 'x', tableName: 'leases' })).field).toBe(
      'tableName',
    );
    expect(thrown(() => createSingletonHandler({ job, store, leaseName: 'x', client: {} as never })).field).toBe(
      'client',
    );
  });

  it('asks for the lease and the table at the first invocation when neither option nor environment names them', async () => {
    const saved = { lease: process.env[BatonEnv.leaseName], table: process.env[BatonEnv.tableName] };
    delete process.env[BatonEnv.leaseName];
    delete process.env[BatonEnv.tableName];
    try {
      const byEnv = createSingletonHandler({ job, store, ...quiet });
      await expect(byEnv(scheduledEvent(TICK), lambdaContext())).rejects.toThrow(
        /leaseName must be given, or BATON_LEASE_NAME set/,
      );
      const byTable = createSingletonHandler({ job, leaseName: 'x', ...quiet });
      await expect(byTable(scheduledEvent(TICK), lambdaContext())).rejects.toThrow(
        /tableName must be given, or BATON_TABLE_NAME set/,
      );
    } finally {
      if (saved.lease !== undefined) process.env[BatonEnv.leaseName] = saved.lease;
      if (saved.table !== undefined) process.env[BatonEnv.tableName] = saved.table;
    }
  });
});

describe('createSingletonHandler at its first invocation', () => {
  it('reads the environment then, not at import: a test sets it after creating the handler', async () => {
    const saved = process.env[BatonEnv.leaseName];
    delete process.env[BatonEnv.leaseName];
    try {
      const store = new InMemoryLeaseStore();
      const h = createSingletonHandler({ job: async ({ token }) => token, store, ...quiet });
      process.env[BatonEnv.leaseName] = 'jobs/set-later';
      await expect(h(scheduledEvent(TICK), lambdaContext())).resolves.toMatchObject({ status: 'ran', value: 1 });
      expect(await new LeaseClient({ store }).describe('jobs/set-later')).toMatchObject({ lastTick: TICK });
    } finally {
      if (saved === undefined) delete process.env[BatonEnv.leaseName];
      else process.env[BatonEnv.leaseName] = saved;
    }
  });

  it('gives each invocation its own logger: concurrent invocations keep their own request id and tick (epoch ms)', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = new Logger({ serviceName: 'test', logLevel: 'INFO' });
    // Powertools (outside Lambda) writes each line to stdout or stderr as JSON.
    const capture = (chunk: unknown) => (
      String(chunk)
        .trim()
        .split('\n')
        .forEach((line) => line.startsWith('{') && lines.push(JSON.parse(line) as Record<string, unknown>)),
      true
    );
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation(capture),
      vi.spyOn(process.stderr, 'write').mockImplementation(capture),
    ];
    onTestFinished(() => spies.forEach((spy) => spy.mockRestore()));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const stores = [new InMemoryLeaseStore(), new InMemoryLeaseStore()];
    const handlers = stores.map((store) =>
      createSingletonHandler({
        leaseName: 'jobs/concurrent',
        store,
        logger,
        metrics: quiet.metrics,
        job: async ({ logger: log }) => {
          await gate;
          log.info('job line');
        },
      }),
    );
    const contexts = [lambdaContext(), lambdaContext()];
    const running = handlers.map((h, i) => h(scheduledEvent(TICK + i * 60_000), contexts[i]!));
    release();
    await Promise.all(running);
    const jobLines = lines.filter((line) => line['message'] === 'job line');
    expect(jobLines).toHaveLength(2);
    for (const [i, context] of contexts.entries()) {
      const own = lines.filter((line) => line['function_request_id'] === context.awsRequestId);
      expect(own.length).toBeGreaterThanOrEqual(3);
      expect(own.every((line) => line['tick'] === TICK + i * 60_000)).toBe(true);
    }
  });
});
