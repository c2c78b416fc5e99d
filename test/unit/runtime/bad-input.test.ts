import { describe, expect, it } from 'vitest';
import { createSingletonHandler } from '../../../lambda/cron-singleton.js';
import {
  DynamoDBLeaseStore,
  InMemoryLeaseStore,
  LeaseClient,
  LeaseValidationError,
  fencedUpdate,
} from '../../../lib/runtime/index.js';
import { FakeClock } from '../../../lib/testing/fake-clock.js';
import {
  JavaRuntimeError,
  countRequests,
  lambdaContext,
  localDynamoDBClient,
  scheduledEvent,
  startDynamoDBLocal,
} from '../../../lib/testing/index.js';
import { LeaseError } from '../../../lib/runtime/index.js';

describe('bad input gives a LeaseValidationError naming the field, before any request', () => {
  it('lease.release(null) and fencedUpdate(..., null)', async () => {
    const leases = new LeaseClient({ store: new InMemoryLeaseStore(), clock: new FakeClock(), holderName: 'a' });
    const r = await leases.tryAcquire('job', { durationMs: 3_000 });
    if (!r.acquired) throw new Error('must acquire');
    await expect(r.lease.release(null as never)).rejects.toMatchObject({
      name: 'LeaseValidationError',
      field: 'options',
    });
    const client = localDynamoDBClient('http://127.0.0.1:9');
    const requests = countRequests(client);
    await expect(
      fencedUpdate(client, { TableName: 't', Key: { id: 1 }, UpdateExpression: 'SET a = :a' }, 1, null as never),
    ).rejects.toMatchObject({ field: 'options' });
    expect(requests.total()).toBe(0);
    client.destroy();
  });

  it('guardedWrite([null]) and an item that targets the lease item itself', async () => {
    const client = localDynamoDBClient('http://127.0.0.1:9');
    const requests = countRequests(client);
    const store = new DynamoDBLeaseStore(client, 'leases');
    const tenure = { name: 'job', owner: 'a#1', token: 1 };
    await expect(store.guardedWrite({ ...tenure, items: [null] })).rejects.toMatchObject({
      name: 'LeaseValidationError',
      field: 'items[0]',
    });
    await expect(
      store.guardedWrite({
        ...tenure,
        items: [{ Update: { TableName: 'leases', Key: { pk: 'job', sk: 'LEASE' }, UpdateExpression: 'SET x = :x' } }],
      }),
    ).rejects.toMatchObject({ name: 'LeaseValidationError', field: 'items[0]' });
    expect(requests.total()).toBe(0);
    client.destroy();
  });

  it('createSingletonHandler margins that are not non-negative integers', () => {
    const base = {
      job: async () => undefined,
      leaseName: 'job',
      tableName: 'leases',
      client: localDynamoDBClient('http://127.0.0.1:9'),
    };
    expect(() => createSingletonHandler({ ...base, durationMarginMs: '500' as never })).toThrow(LeaseValidationError);
    expect(() => createSingletonHandler({ ...base, durationMarginMs: '500' as never })).toThrow(/durationMarginMs/);
    expect(() => createSingletonHandler({ ...base, abortMarginMs: -5_000 })).toThrow(/abortMarginMs/);
  });

  // Counterexamples the public-API fuzz (test/integration/public-api-fuzz.test.ts) found: each threw a TypeError before.
  describe('values that cannot be printed or are not what they claim', () => {
    const unprintable = { toString: 1, valueOf: 1 };
    const leases = () => new LeaseClient({ store: new InMemoryLeaseStore(), clock: new FakeClock(), holderName: 'a' });

    it('a number option whose toString is not a function, or with no prototype', async () => {
      await expect(leases().forceRelease('job', { token: unprintable as never })).rejects.toMatchObject({
        name: 'LeaseValidationError',
        field: 'token',
      });
      expect(() =>
        leases().elect('job', {
          durationMs: Object.create(null) as never,
          signal: AbortSignal.abort(),
          onStartedLeading: async () => {},
        }),
      ).toThrow(expect.objectContaining({ field: 'durationMs' }));
    });

    it('a lease name whose toString is not a function, in runAsLeader', async () => {
      await expect(
        leases().runAsLeader(unprintable as never, async () => 'done', { durationMs: 1_000 }),
      ).rejects.toMatchObject({ name: 'LeaseValidationError', field: 'name' });
    });

    it('a handler context without getRemainingTimeInMillis, or whose time is not a number; an event time that is not a string', async () => {
      const handler = createSingletonHandler({
        job: async () => 'done',
        leaseName: 'job',
        tableName: 'leases',
        client: localDynamoDBClient('http://127.0.0.1:9'),
      });
      const event = scheduledEvent(Date.UTC(2026, 0, 1));
      await expect(handler(event, {} as never)).rejects.toMatchObject({
        name: 'LeaseValidationError',
        field: 'context',
      });
      await expect(handler(event, { getRemainingTimeInMillis: () => NaN } as never)).rejects.toMatchObject({
        field: 'context',
      });
      await expect(handler({ ...event, time: Symbol('t') } as never, lambdaContext())).rejects.toMatchObject({
        field: 'event.time',
      });
    });

    it('a Powertools logger or metrics missing a method the handler calls', () => {
      const base = {
        job: async () => undefined,
        leaseName: 'job',
        tableName: 'leases',
        client: localDynamoDBClient('http://127.0.0.1:9'),
      };
      expect(() => createSingletonHandler({ ...base, logger: { info: () => {} } as never })).toThrow(
        /logger must be a Powertools Logger \(it has no addContext\(\)\)/,
      );
      expect(() => createSingletonHandler({ ...base, metrics: { addMetric: () => {} } as never })).toThrow(
        /metrics must be a Powertools Metrics/,
      );
    });

    it('new DynamoDBLeaseStore with no client or a bad table name', () => {
      expect(() => new DynamoDBLeaseStore(undefined as never, 'leases')).toThrow(
        expect.objectContaining({ field: 'client' }),
      );
      expect(() => new DynamoDBLeaseStore(localDynamoDBClient('http://127.0.0.1:9'), '' as never)).toThrow(
        expect.objectContaining({ field: 'tableName' }),
      );
    });

    it('the testing kit: scheduledEvent, lambdaContext, FakeClock, countRequests, startDynamoDBLocal', async () => {
      expect(() => scheduledEvent(unprintable as never)).toThrow(
        expect.objectContaining({ name: 'LeaseValidationError', field: 'time' }),
      );
      expect(() => lambdaContext({ timeoutMs: NaN })).toThrow(expect.objectContaining({ field: 'timeoutMs' }));
      expect(() => new FakeClock(NaN)).toThrow(expect.objectContaining({ field: 'wallStartMs' }));
      await expect(new FakeClock().advance(-1)).rejects.toMatchObject({ field: 'ms' });
      expect(() => countRequests(5 as never)).toThrow(expect.objectContaining({ field: 'client' }));
      await expect(startDynamoDBLocal(null as never)).rejects.toMatchObject({
        name: 'LeaseValidationError',
        field: 'options',
      });
      await expect(startDynamoDBLocal({ startTimeoutMs: -1 })).rejects.toMatchObject({ field: 'startTimeoutMs' });
      await expect(startDynamoDBLocal({ java: '/nonexistent/java' })).rejects.toBeInstanceOf(JavaRuntimeError);
      expect(new JavaRuntimeError('java', 'not-found')).toBeInstanceOf(LeaseError);
    });
  });
});
