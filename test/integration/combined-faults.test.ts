import { DeleteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  LeaseClient,
  LeaseLostError,
  StaleTokenError,
  createLeaseTable,
  fencedUpdate,
  type TryAcquireResult,
} from '../../lib/runtime/index.js';
import { NO_ITEM } from '../../bin/commands/connection.js';
import { run as status } from '../../bin/commands/status.js';
import { testClient, testEndpoint, uniqueTableName } from '../support/dynamodb.js';

// The store-level side of test/unit/runtime/combined-faults.test.ts, on the real DynamoDB Local.

const D = 60_000;
const tableName = uniqueTableName('combined');
const client = testClient();
const leases = (holderName: string) => new LeaseClient({ tableName, client, holderName });
const key = (name: string) => ({ pk: { S: name }, sk: { S: 'LEASE' } });

async function win(c: LeaseClient, name: string) {
  const r = await c.tryAcquire(name, { durationMs: D });
  if (!r.acquired) throw new Error(`expected to acquire ${name}`);
  return r.lease;
}

beforeAll(() => createLeaseTable(client, tableName));
afterEach(() => vi.restoreAllMocks());
afterAll(() => client.destroy());

describe('the lease item records each tenure’s durationMs', () => {
  it('on acquire and on renew, for clock-free waiters with another durationMs', async () => {
    const a = await leases('a').tryAcquire('combined/duration', { durationMs: 45_000 });
    if (!a.acquired) throw new Error('must acquire');
    expect((await leases('ops').describe('combined/duration'))?.durationMs).toBe(45_000);
    const item = await client.send(
      new GetItemCommand({ TableName: tableName, Key: key('combined/duration'), ConsistentRead: true }),
    );
    expect(item.Item?.['durationMs']).toEqual({ N: '45000' });
    await a.lease.renew();
    expect((await leases('ops').describe('combined/duration'))?.durationMs).toBe(45_000);
    await a.lease.release();
  });
});

describe('the public tryAcquire', () => {
  it('ignores an elector attempt passed as a third argument: no priority reaches DynamoDB, no held lease is taken', async () => {
    const tryAcquire = leases('x').tryAcquire as (...args: unknown[]) => Promise<TryAcquireResult>;
    const nan = await tryAcquire.call(leases('x'), 'combined/nan', { durationMs: D }, { priority: Number.NaN });
    expect(nan.acquired).toBe(true);
    expect((await leases('ops').describe('combined/nan'))?.priority).toBeUndefined();
    const live = (await leases('ops').describe('combined/nan'))!;
    const taken = await tryAcquire.call(
      leases('y'),
      'combined/nan',
      { durationMs: D },
      { clockFree: { observed: { token: live.token, version: live.version } } },
    );
    expect(taken.acquired).toBe(false);
  });
});

describe('a lease item deleted by hand (docs/decisions/deleted-lease-item.md)', () => {
  it('restarts tokens at 1 below the fence; the old holder loses at its next renew; baton status says the item may have been deleted', async () => {
    const name = 'combined/deleted';
    for (let i = 0; i < 2; i++) await (await win(leases(`h${i}`), name)).release();
    const old = await win(leases('old'), name);
    expect(old.token).toBe(3);
    const resource = {
      TableName: tableName,
      Key: { pk: name, sk: 'RESOURCE' },
      UpdateExpression: 'SET #v = :v',
      ExpressionAttributeNames: { '#v': 'v' },
    };
    await fencedUpdate(client, { ...resource, ExpressionAttributeValues: { ':v': 'old' } }, old.token);
    await client.send(new DeleteItemCommand({ TableName: tableName, Key: key(name) }));

    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    expect(await status([name, '--table', tableName, '--endpoint', testEndpoint()])).toBe(0);
    expect(lines).toEqual([`${name}: ${NO_ITEM}`]);
    expect(lines[0]).toMatch(/item was deleted/);

    // The hazard the decision prevents (no DeleteItem in the grant) rather than survives: tokens restart low.
    const next = await win(leases('next'), name);
    expect(next.token).toBe(1);
    await expect(
      fencedUpdate(client, { ...resource, ExpressionAttributeValues: { ':v': 'next' } }, next.token),
    ).rejects.toBeInstanceOf(StaleTokenError);
    await expect(old.renew()).rejects.toBeInstanceOf(LeaseLostError);
    expect(old.signal.aborted).toBe(true);
  });
});
