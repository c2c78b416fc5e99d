import { describe, expect, it } from 'vitest';
import { createSingletonHandler } from '../../../lambda/cron-singleton.js';
import { DynamoDBLeaseStore, InMemoryLeaseStore, LeaseClient, LeaseValidationError, fencedUpdate } from '../../../lib/runtime/index.js';
import { FakeClock } from '../../../lib/testing/fake-clock.js';
import { countRequests, localDynamoDBClient } from '../../../lib/testing/index.js';

describe('bad input gives a LeaseValidationError naming the field, before any request', () => {
  it('lease.release(null) and fencedUpdate(..., null)', async () => {
    const leases = new LeaseClient({ store: new InMemoryLeaseStore(), clock: new FakeClock(), holderName: 'a' });
    const r = await leases.tryAcquire('job', { durationMs: 3_000 });
    if (!r.acquired) throw new Error('must acquire');
    await expect(r.lease.release(null as never)).rejects.toMatchObject({ name: 'LeaseValidationError', field: 'options' });
    const client = localDynamoDBClient('http://127.0.0.1:9');
    const requests = countRequests(client);
    await expect(fencedUpdate(client, { TableName: 't', Key: { id: 1 }, UpdateExpression: 'SET a = :a' }, 1, null as never)).rejects.toMatchObject({ field: 'options' });
    expect(requests.total()).toBe(0);
    client.destroy();
  });

  it('guardedWrite([null]) and an item that targets the lease item itself', async () => {
    const client = localDynamoDBClient('http://127.0.0.1:9');
    const requests = countRequests(client);
    const store = new DynamoDBLeaseStore(client, 'leases');
    const tenure = { name: 'job', owner: 'a#1', token: 1 };
    await expect(store.guardedWrite({ ...tenure, items: [null] })).rejects.toMatchObject({ name: 'LeaseValidationError', field: 'items[0]' });
    await expect(
      store.guardedWrite({ ...tenure, items: [{ Update: { TableName: 'leases', Key: { pk: 'job', sk: 'LEASE' }, UpdateExpression: 'SET x = :x' } }] }),
    ).rejects.toMatchObject({ name: 'LeaseValidationError', field: 'items[0]' });
    expect(requests.total()).toBe(0);
    client.destroy();
  });

  it('createSingletonHandler margins that are not non-negative integers', () => {
    const base = { job: async () => undefined, leaseName: 'job', tableName: 'leases', client: localDynamoDBClient('http://127.0.0.1:9') };
    expect(() => createSingletonHandler({ ...base, durationMarginMs: '500' as never })).toThrow(LeaseValidationError);
    expect(() => createSingletonHandler({ ...base, durationMarginMs: '500' as never })).toThrow(/durationMarginMs/);
    expect(() => createSingletonHandler({ ...base, abortMarginMs: -5_000 })).toThrow(/abortMarginMs/);
  });
});
