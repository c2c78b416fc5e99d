import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaseTable } from '../../lib/runtime/index.js';
import { classifyError } from '../../lib/runtime/aws-errors.js';
import { startFaultProxy, type FaultProxy, type InjectedFault } from '../../lib/testing/fault-proxy.js';
import { testClient, testEndpoint, uniqueTableName } from '../support/dynamodb.js';

const tableName = uniqueTableName('fault-proxy');
const direct = testClient();
const directDoc = DynamoDBDocumentClient.from(direct);
let seq = 0;
const freshKey = () => ({ pk: `item-${++seq}`, sk: 'X' });

beforeAll(() => createLeaseTable(direct, tableName));
afterAll(() => direct.destroy());

/** A proxy and a client behind it that makes one attempt and gives up after `timeoutMs`. */
async function behindProxy(
  run: (proxy: FaultProxy, doc: DynamoDBDocumentClient, faults: InjectedFault[]) => Promise<void>,
  timeoutMs = 400,
) {
  const faults: InjectedFault[] = [];
  const proxy = await startFaultProxy({ upstream: testEndpoint(), dropHoldMs: 1_500, onFault: (f) => faults.push(f) });
  const client = testClient({
    endpoint: proxy.endpoint,
    maxAttempts: 1,
    requestHandler: { requestTimeout: timeoutMs, throwOnRequestTimeout: true },
  });
  try {
    await run(proxy, DynamoDBDocumentClient.from(client), faults);
  } finally {
    client.destroy();
    await proxy.close();
  }
}

const readDirect = async (key: Record<string, string>) =>
  (await directDoc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

describe('startFaultProxy', () => {
  it('passes requests through untouched when no fault is on', async () => {
    await behindProxy(async (proxy, doc) => {
      const key = freshKey();
      await doc.send(new PutCommand({ TableName: tableName, Item: { ...key, n: 1 } }));
      const got = await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      expect(got.Item).toMatchObject({ n: 1 });
      expect(proxy.stats()).toMatchObject({ requests: 2, forwarded: 2, droppedResponses: 0, errorsInjected: 0 });
    });
  });

  it('forwards a request and drops its response: the write lands, the caller times out', async () => {
    await behindProxy(async (proxy, doc, faults) => {
      const key = freshKey();
      proxy.dropNextResponses(1);
      const error = await doc
        .send(new PutCommand({ TableName: tableName, Item: { ...key, n: 2 } }))
        .catch((e: unknown) => e);
      expect(classifyError(error)).toBe('ambiguous');
      expect(await readDirect(key)).toMatchObject({ n: 2 });
      expect(proxy.stats().droppedResponses).toBe(1);
      expect(faults).toEqual([{ kind: 'dropped-response', operation: 'PutItem' }]);
    });
  });

  it.each([
    ['ProvisionedThroughputExceededException', 400, 'throttled'],
    ['ThrottlingException', 400, 'throttled'],
    ['ServiceUnavailable', 503, 'ambiguous'],
  ] as const)(
    'answers %s with status %i, as DynamoDB would, without applying the write',
    async (name, status, kind) => {
      await behindProxy(async (proxy, doc) => {
        const key = freshKey();
        proxy.forceNext(name);
        const error = (await doc
          .send(new PutCommand({ TableName: tableName, Item: { ...key, n: 3 } }))
          .catch((e: unknown) => e)) as Error & {
          $metadata: { httpStatusCode?: number };
        };
        expect(error.name).toBe(name);
        expect(error.$metadata.httpStatusCode).toBe(status);
        expect(classifyError(error)).toBe(kind);
        expect(await readDirect(key)).toBeUndefined();
        expect(proxy.stats().errorsByType[name]).toBe(1);
      });
    },
  );

  it('answers InternalServerError with 500, an outcome the protocol must treat as unknown', async () => {
    await behindProxy(async (proxy, doc) => {
      proxy.forceNext('InternalServerError');
      const error = (await doc
        .send(new PutCommand({ TableName: tableName, Item: { ...freshKey(), n: 4 } }))
        .catch((e: unknown) => e)) as Error;
      expect(error.name).toBe('InternalServerError');
      expect(classifyError(error)).toBe('ambiguous');
      expect(proxy.stats().errorsInjected).toBe(1);
    });
  });

  it('resets the connection before forwarding', async () => {
    await behindProxy(async (proxy, doc) => {
      const key = freshKey();
      proxy.forceNext('reset');
      const error = await doc
        .send(new PutCommand({ TableName: tableName, Item: { ...key, n: 5 } }))
        .catch((e: unknown) => e);
      expect(classifyError(error)).toBe('ambiguous');
      expect(await readDirect(key)).toBeUndefined();
      expect(proxy.stats().connectionResets).toBe(1);
    });
  });

  it('delays requests by the latency and jitter asked for', async () => {
    await behindProxy(async (proxy, doc) => {
      proxy.setFaults({ latencyMs: 150, jitterMs: 50 });
      const started = performance.now();
      await doc.send(new GetCommand({ TableName: tableName, Key: freshKey() }));
      expect(performance.now() - started).toBeGreaterThanOrEqual(145);
      proxy.setFaults({});
      expect(proxy.faults.latencyMs).toBe(0);
    }, 2_000);
  });

  it('still forwards a request held by a latency spike after its caller gave up: the write lands late', async () => {
    await behindProxy(async (proxy, doc, faults) => {
      const key = freshKey();
      proxy.setFaults({ spikeProbability: 1, spikeMinMs: 600, spikeMaxMs: 600 });
      const error = await doc
        .send(new PutCommand({ TableName: tableName, Item: { ...key, n: 6 } }))
        .catch((e: unknown) => e);
      expect(classifyError(error)).toBe('ambiguous');
      expect(await readDirect(key)).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(await readDirect(key)).toMatchObject({ n: 6 });
      expect(faults[0]).toMatchObject({ kind: 'latency-spike', delayMs: 600 });
      expect(proxy.stats().latencySpikes).toBe(1);
    }, 200);
  });

  it('can force a latency spike on the next request alone', async () => {
    await behindProxy(async (proxy, doc, faults) => {
      proxy.setFaults({ spikeMinMs: 300, spikeMaxMs: 300 });
      proxy.forceNext('latency-spike');
      const started = performance.now();
      await doc.send(new GetCommand({ TableName: tableName, Key: freshKey() }));
      expect(performance.now() - started).toBeGreaterThanOrEqual(295);
      const again = performance.now();
      await doc.send(new GetCommand({ TableName: tableName, Key: freshKey() }));
      expect(performance.now() - again).toBeLessThan(250);
      expect(faults).toEqual([{ kind: 'latency-spike', delayMs: 300, operation: 'GetItem' }]);
    }, 2_000);
  });

  it('closes itself at the end of its lifetime', async () => {
    const proxy = await startFaultProxy({ upstream: testEndpoint(), lifetimeMs: 100 });
    await expect(proxy.closed).resolves.toBeUndefined();
  });

  it('refuses a non-loopback upstream and invalid profiles', async () => {
    await expect(startFaultProxy({ upstream: 'http://example.com:8000' })).rejects.toThrow(/loopback/);
    await behindProxy(async (proxy) => {
      expect(() => proxy.setFaults({ dropProbability: 2 })).toThrow(/dropProbability/);
      expect(() => proxy.setFaults({ resetProbability: 0.6, dropProbability: 0.6 })).toThrow(/at most 1/);
    });
  });
});
