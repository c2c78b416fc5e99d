import { GetCommand, PutCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoDBLeaseStore,
  LeaseClient,
  LeaseLostError,
  StaleTokenError,
  createLeaseTable,
  fencedUpdate,
  type Lease,
  type AnyDynamoDBClient,
  type LeaseClientSettings,
} from '../../lib/runtime/index.js';
import { FakeClock } from '../../lib/testing/fake-clock.js';
import { startFaultProxy } from '../../lib/testing/fault-proxy.js';
import { countRequests, testClient, testEndpoint, uniqueTableName } from '../support/dynamodb.js';
import { runLeaseHistory, stepArbitrary } from '../support/lease-model.js';

const D = 2_000;
const S = 200;
const MARGIN = 250;

const tableName = uniqueTableName('lease-core');
const client = testClient();
const requests = countRequests(client);
const doc = DynamoDBDocumentClient.from(client);
let nameSeq = 0;
const freshName = () => `core/${++nameSeq}`;

function leases(holderName: string, options: LeaseClientSettings & { readonly client?: AnyDynamoDBClient } = {}) {
  return new LeaseClient({ tableName, client, holderName, maxClockSkewMs: S, safetyMarginMs: MARGIN, ...options });
}

async function win(c: LeaseClient, name: string, durationMs = D): Promise<Lease> {
  const r = await c.tryAcquire(name, { durationMs });
  if (!r.acquired) throw new Error(`expected to acquire ${name}`);
  return r.lease;
}

beforeAll(async () => {
  await createLeaseTable(client, tableName);
});

afterAll(() => client.destroy());

describe('createLeaseTable', () => {
  it('is idempotent', async () => {
    await expect(createLeaseTable(client, tableName)).resolves.toBeUndefined();
  });
});

describe('LeaseClient.tryAcquire on DynamoDB Local', () => {
  it('lets exactly one of 64 concurrent contenders win, with 64 requests, and every loser sees the winner', async () => {
    const name = freshName();
    const contenders = Array.from({ length: 64 }, (_, i) => leases(`w${i}`));
    requests.reset();
    const results = await Promise.all(contenders.map((c) => c.tryAcquire(name, { durationMs: D })));
    expect(requests.byOperation()).toEqual({ UpdateItem: 64 });
    const winners = results.flatMap((r) => (r.acquired ? [r.lease] : []));
    expect(winners).toHaveLength(1);
    const [winner] = winners;
    expect(winner!.token).toBe(1);
    for (const r of results) {
      if (r.acquired) continue;
      expect(r.reason).toBe('held');
      expect(r.current).toMatchObject({ holder: winner!.holder, token: 1 });
    }
    await winner!.release();
  });

  it('costs exactly one request per operation: acquire won, acquire lost, renew, release', async () => {
    const name = freshName();
    const [a, b] = [leases('a'), leases('b')];
    const counted = async (run: () => Promise<unknown>) => {
      requests.reset();
      await run();
      return requests.byOperation();
    };
    let lease: Lease | undefined;
    expect(await counted(async () => (lease = await win(a, name)))).toEqual({ UpdateItem: 1 });
    expect(await counted(() => b.tryAcquire(name, { durationMs: D }))).toEqual({ UpdateItem: 1 });
    expect(await counted(() => lease!.renew())).toEqual({ UpdateItem: 1 });
    expect(await counted(() => lease!.release())).toEqual({ UpdateItem: 1 });
  });

  it('keeps tokens strictly increasing over 60 tenures mixing releases and takeovers after expiry', async () => {
    const name = freshName();
    const clock = new FakeClock(Date.now());
    const workers = [0, 1, 2].map((i) => leases(`w${i}`, { clock }));
    const tokens: number[] = [];
    for (let i = 0; i < 60; i++) {
      const lease = await win(workers[i % 3]!, name);
      tokens.push(lease.token);
      if (i % 2 === 0) await lease.release();
      else await clock.advance(D + S + 1); // abandoned: the next worker takes over after expiry
    }
    expect(tokens).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const item = await leases('reader').describe(name);
    expect(item?.token).toBe(60);
  });

  it('reports tick-done for a tick that was already released', async () => {
    const name = freshName();
    const tick = Date.parse('2026-11-26T06:00:00Z');
    const first = await leases('a').tryAcquire(name, { durationMs: D, tick });
    if (!first.acquired) throw new Error('first must win');
    await first.lease.release({ tick });
    requests.reset();
    const again = await leases('b').tryAcquire(name, { durationMs: D, tick });
    expect(again).toMatchObject({ acquired: false, reason: 'tick-done', current: { lastTick: tick } });
    expect(requests.total()).toBe(1);
  });

  it('never puts a ttl on the lease item', async () => {
    const name = freshName();
    await (await win(leases('a'), name)).release();
    const item = await doc.send(
      new GetCommand({ TableName: tableName, Key: { pk: name, sk: 'LEASE' }, ConsistentRead: true }),
    );
    expect(item.Item).toBeDefined();
    expect(item.Item).not.toHaveProperty('ttl');
  });
});

describe('a stale holder on DynamoDB Local', () => {
  async function staleAndSuccessor() {
    const name = freshName();
    const clock = new FakeClock(Date.now());
    const stale = await win(leases('stale', { clock }), name);
    // The successor's wall clock is past the stale tenure's expiry + skew, while the stale
    // holder's own clock has not moved: only DynamoDB's conditions stand between them.
    const successor = await win(leases('successor', { clock: clock.skewed(D + S + 1) }), name);
    return { name, stale, successor };
  }

  it('is refused on renew and release with LeaseLostError carrying the new holder', async () => {
    const { name, stale, successor } = await staleAndSuccessor();
    await expect(stale.renew()).rejects.toMatchObject({ name: 'LeaseLostError', holder: successor.holder, token: 2 });
    await expect(stale.release({ tick: 1 })).rejects.toBeInstanceOf(LeaseLostError);
    expect(await leases('reader').describe(name)).toMatchObject({ holder: successor.holder, token: 2 });
  });

  it('is refused by fencedUpdate with StaleTokenError carrying the resource fence', async () => {
    const { name, stale, successor } = await staleAndSuccessor();
    const write = (token: number, value: string) =>
      fencedUpdate(
        client,
        {
          TableName: tableName,
          Key: { pk: name, sk: 'RESOURCE' },
          UpdateExpression: 'SET #v = :v',
          ExpressionAttributeNames: { '#v': 'value' },
          ExpressionAttributeValues: { ':v': value },
        },
        token,
      );
    await write(successor.token, 'new');
    const refused = write(stale.token, 'old');
    await expect(refused).rejects.toBeInstanceOf(StaleTokenError);
    await expect(refused).rejects.toMatchObject({ token: 1, fence: 2 });
    const item = await doc.send(
      new GetCommand({ TableName: tableName, Key: { pk: name, sk: 'RESOURCE' }, ConsistentRead: true }),
    );
    expect(item.Item).toMatchObject({ value: 'new', fence: 2 });
  });

  it('commits nothing through guardedWrite', async () => {
    const { name, stale, successor } = await staleAndSuccessor();
    const put = (who: string) => [{ Put: { TableName: tableName, Item: { pk: name, sk: `OUT#${who}` } } }];
    await expect(stale.guardedWrite(put('stale'))).rejects.toBeInstanceOf(LeaseLostError);
    await successor.guardedWrite(put('successor'));
    const read = (who: string) =>
      doc.send(new GetCommand({ TableName: tableName, Key: { pk: name, sk: `OUT#${who}` }, ConsistentRead: true }));
    expect((await read('stale')).Item).toBeUndefined();
    expect((await read('successor')).Item).toBeDefined();
  });
});

describe('fencedUpdate on DynamoDB Local', () => {
  it('keeps the caller’s own condition and reports its failure as DynamoDB did', async () => {
    const key = { pk: freshName(), sk: 'RESOURCE' };
    await doc.send(new PutCommand({ TableName: tableName, Item: { ...key, state: 'closed' } }));
    const attempt = fencedUpdate(
      client,
      {
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET #n = :n',
        ConditionExpression: '#s = :open',
        ExpressionAttributeNames: { '#n': 'n', '#s': 'state' },
        ExpressionAttributeValues: { ':n': 1, ':open': 'open' },
      },
      5,
    );
    await expect(attempt).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  it('accepts repeated writes under one token and joins an existing SET clause', async () => {
    const key = { pk: freshName(), sk: 'RESOURCE' };
    const bump = () =>
      fencedUpdate(
        doc,
        {
          TableName: tableName,
          Key: key,
          UpdateExpression: 'ADD #n :one SET #at = :at',
          ExpressionAttributeNames: { '#n': 'n', '#at': 'at' },
          ExpressionAttributeValues: { ':one': 1, ':at': 7 },
        },
        3,
        { fenceAttribute: 'leaderToken' },
      );
    await bump();
    await bump();
    const item = await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    expect(item.Item).toMatchObject({ n: 2, at: 7, leaderToken: 3 });
  });
});

describe('faults between the worker and DynamoDB Local', () => {
  it('treats a lost response whose SDK retry then fails the condition as the win it was: token 1, no read', async () => {
    const name = freshName();
    const faulty = testClient();
    const counted = countRequests(faulty);
    let dropped = false;
    // Innermost step: the request has reached DynamoDB and been applied when `next` returns.
    faulty.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        if (!dropped) {
          dropped = true;
          throw Object.assign(new Error('response lost (injected)'), { name: 'TimeoutError', $metadata: {} });
        }
        return result;
      },
      { step: 'deserialize', name: 'loseFirstResponse' },
    );
    try {
      const r = await leases('a', { client: faulty }).tryAcquire(name, { durationMs: D });
      expect(r.acquired).toBe(true);
      if (r.acquired) expect(r.lease.token).toBe(1);
      expect(counted.byOperation()).toEqual({ UpdateItem: 2 });
      expect((await leases('reader').describe(name))?.token).toBe(1);
    } finally {
      faulty.destroy();
    }
  });

  it('resolves a timed-out request with one consistent read', async () => {
    const name = freshName();
    const proxy = await startFaultProxy({ upstream: testEndpoint() });
    const timing = testClient({
      endpoint: proxy.endpoint,
      maxAttempts: 1,
      requestHandler: { requestTimeout: 500, throwOnRequestTimeout: true },
    });
    const counted = countRequests(timing);
    try {
      proxy.dropNextResponses(1);
      const r = await leases('a', { client: timing }).tryAcquire(name, { durationMs: D });
      expect(r.acquired).toBe(true);
      expect(counted.byOperation()).toEqual({ UpdateItem: 1, GetItem: 1 });
      if (r.acquired) expect((await leases('reader').describe(name))?.holder).toBe(r.lease.holder);
    } finally {
      timing.destroy();
      await proxy.close();
    }
  });
});

describe('clock skew within maxClockSkewMs', () => {
  it.each([S - 1, -(S - 1)])(
    'never lets a worker whose clock is off by %i ms take over before the holder’s local deadline',
    async (offset) => {
      const name = freshName();
      const clock = new FakeClock(Date.now());
      const holder = await win(leases('holder', { clock }), name);
      const other = leases('other', { clock: clock.skewed(offset) });
      let takenAt: number | undefined;
      while (takenAt === undefined) {
        await clock.advance(10);
        if ((await other.tryAcquire(name, { durationMs: D })).acquired) takenAt = clock.monotonic();
      }
      expect(holder.signal.aborted).toBe(true);
      expect(takenAt).toBeGreaterThanOrEqual(D - MARGIN);
      // And the takeover does not wait needlessly long either: at most expiry + 2S.
      expect(takenAt).toBeLessThanOrEqual(D + 2 * S + 10);
    },
  );
});

describe('lease protocol under interleavings on DynamoDB Local', () => {
  it('never repeats a token and never lets two tenures act at once', async () => {
    const store = new DynamoDBLeaseStore(client, tableName);
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.integer({ min: -S / 2, max: S / 2 }), { minLength: 3, maxLength: 3 }),
        fc.array(stepArbitrary(3), { minLength: 5, maxLength: 30 }),
        async (s, skews, steps) => {
          await runLeaseHistory(s, store, freshName(), skews, steps);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
