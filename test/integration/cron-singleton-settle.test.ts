import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSingletonHandler, type SingletonHandlerOptions } from '../../lambda/cron-singleton.js';
import { createLeaseTable, LeaseClient, LeaseError } from '../../lib/runtime/index.js';
import { startFaultProxy, type FaultProxy } from '../../lib/testing/fault-proxy.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, lambdaContext, scheduledEvent } from '../../lib/testing/index.js';
import { countRequests, testClient, testEndpoint, uniqueTableName } from '../support/dynamodb.js';

// A handler must settle before its function's timeout whatever the network
// does (docs/decisions/runtime.md, "Lambda handler"). The network here is a
// fault proxy whose forced latency spikes hold a request for a minute: the
// connection is accepted, the request is never answered, and closing the
// proxy drops it without forwarding it.

const tableName = uniqueTableName('settle');
const direct = testClient();
const TICK = Date.parse('2026-12-01T04:00:00Z');
const TIMEOUT_MS = 3_000;
const SKEW_MS = 200;
let seq = 0;
const freshLease = () => `settle/${++seq}`;

/** Powertools Metrics that publishes nothing: these tests read results, not EMF. */
class QuietMetrics extends Metrics {
  override publishStoredMetrics(): this {
    this.clearMetrics();
    return this;
  }
}

function handler(leaseName: string, client: DynamoDBClient | undefined, job: SingletonHandlerOptions['job']) {
  return createSingletonHandler({
    leaseName,
    tableName,
    ...(client ? { client } : {}),
    maxClockSkewMs: SKEW_MS,
    job,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new QuietMetrics({ namespace: 'Baton', serviceName: 'test' }),
  });
}

/** A proxy whose forced spikes (and, with `all`, every request) hang for a minute. */
function hangingProxy(all = false): Promise<FaultProxy> {
  return startFaultProxy({
    upstream: testEndpoint(),
    faults: { spikeProbability: all ? 1 : 0, spikeMinMs: 60_000, spikeMaxMs: 60_000 },
  });
}

/** The handler's outcome, or a failure naming the limit if it has not settled by then (the old code never did). */
async function settledWithin<T>(
  work: Promise<T>,
  limitMs: number,
): Promise<{ value?: T; error?: unknown; elapsedMs: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the handler had not settled after ${limitMs} ms`)), limitMs);
  });
  try {
    const value = await Promise.race([work, hung]);
    return { value, elapsedMs: performance.now() - started };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('the handler had not settled')) throw error;
    return { error, elapsedMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

beforeAll(() => createLeaseTable(direct, tableName));
afterAll(() => direct.destroy());

describe('createSingletonHandler when DynamoDB stops answering', () => {
  it('settles before the timeout with released: false when the release is never answered, and the lease frees itself at expiry', async () => {
    const leaseName = freshLease();
    const proxy = await hangingProxy();
    // The caller's own client, without any request timeout: settling must not depend on one.
    const own = testClient({ endpoint: proxy.endpoint });
    const requests = countRequests(own);
    try {
      // The job's last act: the next request (the release) hangs.
      const h = handler(leaseName, own, async () => {
        proxy.forceNext('latency-spike');
        return 'done';
      });
      const { value, error, elapsedMs } = await settledWithin(
        h(scheduledEvent(TICK), lambdaContext({ timeoutMs: TIMEOUT_MS })),
        TIMEOUT_MS + 3_000,
      );
      expect(error).toBeUndefined();
      expect(elapsedMs).toBeLessThan(TIMEOUT_MS);
      expect(value).toMatchObject({ status: 'ran', token: 1, released: false, value: 'done' });
      // The release was aborted, not retried, and no read was tried after it: one acquire, one release.
      expect(requests.byOperation()).toEqual({ UpdateItem: 2 });

      // The release never reached DynamoDB: the tenure stands, the tick is not recorded.
      const item = await new LeaseClient({ tableName, client: direct }).describe(leaseName);
      expect(item).toMatchObject({ token: 1, holder: expect.any(String) });
      expect(item?.lastTick).toBeUndefined();
      await proxy.close();
      expect(requests.total()).toBe(2);

      // Recoverable as the protocol says: once expiresAt + maxClockSkewMs has passed, the next invocation of the tick takes over.
      await sleep(item!.expiresAt + SKEW_MS + 50 - Date.now());
      const again = await handler(
        leaseName,
        direct,
        async () => 'again',
      )(scheduledEvent(TICK), lambdaContext({ timeoutMs: 10_000 }));
      expect(again).toMatchObject({ status: 'ran', token: 2, takeover: true, released: true, value: 'again' });
    } finally {
      own.destroy();
      await proxy.close();
    }
  });

  it('throws a LeaseError before the timeout when the acquire is never answered', async () => {
    const leaseName = freshLease();
    const proxy = await hangingProxy(true);
    const own = testClient({ endpoint: proxy.endpoint });
    const requests = countRequests(own);
    let ran = false;
    try {
      const h = handler(leaseName, own, async () => void (ran = true));
      const { error, elapsedMs } = await settledWithin(
        h(scheduledEvent(TICK), lambdaContext({ timeoutMs: TIMEOUT_MS })),
        TIMEOUT_MS + 3_000,
      );
      expect(error).toBeInstanceOf(LeaseError);
      expect(elapsedMs).toBeLessThan(TIMEOUT_MS);
      expect(ran).toBe(false);
      expect(requests.byOperation()).toEqual({ UpdateItem: 1 });
    } finally {
      own.destroy();
      await proxy.close();
    }
    // The acquire never reached DynamoDB either.
    expect(await new LeaseClient({ tableName, client: direct }).describe(leaseName)).toBeUndefined();
  });

  it('builds its default client with a request timeout: an unanswered request fails long before the settle deadline', async () => {
    const proxy = await hangingProxy(true);
    const saved = { ...process.env };
    // The default client reads the standard environment.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });
    try {
      const h = handler(freshLease(), undefined, async () => 'never');
      // A minute left: the handler's own cut-off is 59.5 s away, so only the client's timeout can end this early.
      const { error, elapsedMs } = await settledWithin(
        h(scheduledEvent(TICK), lambdaContext({ timeoutMs: 60_000 })),
        20_000,
      );
      expect(error).toBeInstanceOf(LeaseError);
      expect(causes(error).map((e) => e.name)).toContain('TimeoutError');
      // abortMarginMs 1000: each attempt gives up after 500 ms.
      expect(elapsedMs).toBeGreaterThanOrEqual(500);
      expect(elapsedMs).toBeLessThan(15_000);
    } finally {
      process.env = saved;
      await proxy.close();
    }
  });
});

function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let e = error; e instanceof Error && chain.length < 10; e = e.cause) chain.push(e);
  return chain;
}
