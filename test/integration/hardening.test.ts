import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LeaseClient,
  LeaseError,
  LeaseLostError,
  LeaseValidationError,
  createLeaseTable,
  fenceOf,
  fencedUpdate,
  type AnyDynamoDBClient,
  type Lease,
  type LeaseClientSettings,
  type LeaseEvent,
} from '../../lib/runtime/index.js';
import { startFaultProxy } from '../../lib/testing/fault-proxy.js';
import { ROOT } from '../support/cli.js';
import { countRequests, testClient, testEndpoint, uniqueTableName } from '../support/dynamodb.js';

const D = 2_000;
const S = 200;

const tableName = uniqueTableName('hardening');
const client = testClient();
const requests = countRequests(client);
let nameSeq = 0;
const freshName = () => `hardening/${++nameSeq}`;

function leases(holderName: string, options: LeaseClientSettings & { readonly client?: AnyDynamoDBClient } = {}) {
  return new LeaseClient({ tableName, client, holderName, maxClockSkewMs: S, ...options });
}

async function win(c: LeaseClient, name: string, options: { tick?: number } = {}): Promise<Lease> {
  const r = await c.tryAcquire(name, { durationMs: D, ...options });
  if (!r.acquired) throw new Error(`expected to acquire ${name}`);
  return r.lease;
}

beforeAll(async () => {
  await createLeaseTable(client, tableName);
});

afterAll(() => client.destroy());

describe('release after an operator’s forceRelease', () => {
  it('reports released: false and no tick when an operator freed the tenure while fn ran', async () => {
    const name = freshName();
    const r = await leases('a').runAsLeader(
      name,
      async (lease) => {
        await leases('operator').forceRelease(name, { token: lease.token });
        return 'ran';
      },
      { durationMs: D, tick: 5_000 },
    );
    expect(r).toMatchObject({ led: true, value: 'ran', released: false, releaseError: expect.any(LeaseLostError) });
    expect((await leases('reader').describe(name))?.lastTick).toBeUndefined();
  });

  it('still counts its own earlier release, whose answer was lost, as released with the tick', async () => {
    const name = freshName();
    const proxy = await startFaultProxy({ upstream: testEndpoint() });
    const lossy = testClient({
      endpoint: proxy.endpoint,
      maxAttempts: 2,
      requestHandler: { requestTimeout: 500, throwOnRequestTimeout: true },
    });
    try {
      const lease = await win(leases('a', { client: lossy }), name, { tick: 7_000 });
      proxy.dropNextResponses(1);
      await expect(lease.release({ tick: 7_000 })).resolves.toBeUndefined();
      expect(await leases('reader').describe(name)).toMatchObject({ token: 1, lastTick: 7_000 });
    } finally {
      lossy.destroy();
      await proxy.close();
    }
  });
});

describe('lastTick never goes backwards', () => {
  it('keeps a newer completed tick when a tenure releases with an older one, and frees the lease', async () => {
    const name = freshName();
    await (await win(leases('a'), name, { tick: 2_000 })).release({ tick: 2_000 });
    const late = await win(leases('b'), name);
    await expect(late.release({ tick: 1_000 })).resolves.toBeUndefined();
    const item = await leases('reader').describe(name);
    expect(item).toMatchObject({ token: 2, lastTick: 2_000 });
    expect(item?.holder).toBeUndefined();
    await expect(leases('c').tryAcquire(name, { durationMs: D, tick: 1_500 })).resolves.toMatchObject({
      acquired: false,
      reason: 'tick-done',
    });
  });

  it('records a newer tick over an older one in one request', async () => {
    const name = freshName();
    await (await win(leases('a'), name, { tick: 1_000 })).release({ tick: 1_000 });
    const lease = await win(leases('b'), name, { tick: 2_000 });
    requests.reset();
    await lease.release({ tick: 2_000 });
    expect(requests.byOperation()).toEqual({ UpdateItem: 1 });
    expect(await leases('reader').describe(name)).toMatchObject({ lastTick: 2_000 });
  });
});

describe('owner ids', () => {
  it('are unique per process even for clients sharing a deterministic random and holder name', async () => {
    const name = freshName();
    const first = new LeaseClient({ tableName, client, random: () => 0.5 });
    const second = new LeaseClient({ tableName, client, random: () => 0.5 });
    const a = await first.tryAcquire(name, { durationMs: D });
    const b = await second.tryAcquire(name, { durationMs: D });
    expect(a.acquired).toBe(true);
    expect(b).toMatchObject({ acquired: false, reason: 'held' });
    if (a.acquired) await a.lease.release();
  });
});

describe('timers that only serve the lease', () => {
  /** Runs the script and resolves with how it ended; kills it (and fails) if it is still alive after `limitMs`. */
  function runScript(
    args: string[],
    limitMs: number,
  ): Promise<{ code: number | null; output: string; killed: boolean }> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        join(ROOT, 'node_modules', '.bin', 'tsx'),
        [join(ROOT, 'test/support/scripts/hold-lease.ts'), ...args],
        {
          env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      let killed = false;
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const limit = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, limitMs);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(limit);
        resolve({ code, output, killed });
      });
    });
  }

  it('do not keep a Node process alive: a script that won a lease and never released it exits', async () => {
    const name = freshName();
    // D - M is ten minutes away; the script must not wait for it.
    const ended = await runScript([testEndpoint(), tableName, name, '600000'], 20_000);
    expect(ended).toMatchObject({ killed: false, code: 0 });
    expect(ended.output).toContain('acquired 1');
    expect(await leases('reader').describe(name)).toMatchObject({ token: 1, holder: expect.any(String) });
  }, 30_000);
});

describe('TransactionConflictException on acquire', () => {
  async function behindProxy(
    run: (c: ReturnType<typeof testClient>, proxy: Awaited<ReturnType<typeof startFaultProxy>>) => Promise<void>,
  ) {
    const proxy = await startFaultProxy({ upstream: testEndpoint() });
    const c = testClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
    try {
      await run(c, proxy);
    } finally {
      c.destroy();
      await proxy.close();
    }
  }

  it('is a lost race for tryAcquire, with the holder read once, not a failed invocation', async () => {
    const name = freshName();
    const holder = await win(leases('holder'), name);
    await behindProxy(async (c, proxy) => {
      const counted = countRequests(c);
      proxy.forceNext('TransactionConflictException');
      const r = await leases('follower', { client: c }).tryAcquire(name, { durationMs: D, tick: 9_000 });
      expect(r).toMatchObject({ acquired: false, reason: 'held', current: { holder: holder.holder, token: 1 } });
      expect(counted.byOperation()).toEqual({ UpdateItem: 1, GetItem: 1 });
    });
    await holder.release();
  });

  it('is backed off and retried by acquire, like throttling', async () => {
    const name = freshName();
    await behindProxy(async (c, proxy) => {
      const events: LeaseEvent[] = [];
      proxy.forceNext('TransactionConflictException', 2);
      const lease = await leases('waiter', { client: c, onEvent: (e) => events.push(e) }).acquire(name, {
        durationMs: D,
        waitMs: 5_000,
      });
      expect(lease.token).toBe(1);
      expect(events.filter((e) => e.type === 'backoff')).toHaveLength(2);
      await lease.release();
    });
  });
});

describe('the caller’s own clients', () => {
  it('are left exactly as they were: a wrapNumbers document client on the same plain client keeps wrapping', async () => {
    const plain = testClient();
    try {
      const mine = DynamoDBDocumentClient.from(plain, { unmarshallOptions: { wrapNumbers: true } });
      const translateConfig = () => (plain.config as { translateConfig?: unknown }).translateConfig;
      const before = translateConfig();
      const name = freshName();
      const lease = await win(leases('a', { client: plain }), name);
      await lease.guardedWrite([{ Put: { TableName: tableName, Item: { pk: name, sk: 'RESOURCE', n: 1 } } }]);
      await fencedUpdate(
        plain,
        {
          TableName: tableName,
          Key: { pk: name, sk: 'RESOURCE' },
          UpdateExpression: 'SET #n = :n',
          ExpressionAttributeNames: { '#n': 'n' },
          ExpressionAttributeValues: { ':n': 2 },
        },
        lease.token,
      );
      await lease.release();
      expect(translateConfig()).toBe(before);
      const out = await mine.send(new GetCommand({ TableName: tableName, Key: { pk: name, sk: 'RESOURCE' } }));
      // wrapNumbers: a NumberValue holding the digits, not a plain number.
      expect(out.Item?.n).toMatchObject({ value: '2' });
    } finally {
      plain.destroy();
    }
  });
});

describe('fencedUpdate expressions', () => {
  const resource = (name: string) => ({ TableName: tableName, Key: { pk: name, sk: 'RESOURCE' } });

  it('joins the fence to an expression whose placeholders are named set', async () => {
    const name = freshName();
    await fencedUpdate(
      client,
      {
        ...resource(name),
        UpdateExpression: 'ADD #tags :set',
        ExpressionAttributeNames: { '#tags': 'tags' },
        ExpressionAttributeValues: { ':set': new Set(['a']) },
      },
      3,
    );
    await fencedUpdate(
      client,
      {
        ...resource(name),
        UpdateExpression: 'SET #set = :set ADD #tags :tags',
        ExpressionAttributeNames: { '#set': 'set', '#tags': 'tags' },
        ExpressionAttributeValues: { ':set': 1, ':tags': new Set(['b']) },
      },
      3,
    );
    const out = await DynamoDBDocumentClient.from(testClient()).send(
      new GetCommand({ ...resource(name), ConsistentRead: true }),
    );
    expect(out.Item).toMatchObject({ fence: 3, set: 1, tags: new Set(['a', 'b']) });
  });

  it('refuses a caller placeholder that collides with its own, before any request', async () => {
    const name = freshName();
    requests.reset();
    const colliding = [
      [
        {
          ...resource(name),
          UpdateExpression: 'SET #batonFence = :v',
          ExpressionAttributeNames: { '#batonFence': 'x' },
          ExpressionAttributeValues: { ':v': 1 },
        },
        'input.ExpressionAttributeNames',
      ],
      [
        {
          ...resource(name),
          UpdateExpression: 'SET #x = :batonToken',
          ExpressionAttributeNames: { '#x': 'x' },
          ExpressionAttributeValues: { ':batonToken': 1 },
        },
        'input.ExpressionAttributeValues',
      ],
    ] as const;
    for (const [input, field] of colliding) {
      await expect(fencedUpdate(client, input, 1)).rejects.toMatchObject({ name: 'LeaseValidationError', field });
    }
    expect(requests.total()).toBe(0);
  });

  it('gives a typed error, not a raw ConditionalCheckFailedException, when the fence attribute is not a number', async () => {
    const name = freshName();
    await DynamoDBDocumentClient.from(client).send(
      new PutCommand({ TableName: tableName, Item: { pk: name, sk: 'RESOURCE', fence: 'seven' } }),
    );
    const attempt = fencedUpdate(
      client,
      {
        ...resource(name),
        UpdateExpression: 'SET #n = :n',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':n': 1 },
      },
      1,
    );
    await expect(attempt).rejects.toBeInstanceOf(LeaseError);
    await expect(attempt).rejects.toThrow(/fence.*not a number/);
  });

  it('fenceOf reads a marshalled or an unmarshalled item', () => {
    expect(fenceOf({ fence: { N: '5' } })).toBe(5);
    expect(fenceOf({ fence: 5 })).toBe(5);
    expect(fenceOf({ other: 1 })).toBe(0);
    expect(() => fenceOf({ fence: 'x' })).toThrow(LeaseError);
    expect(() => fenceOf(null as never)).toThrow(LeaseValidationError);
  });
});
