import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSingletonHandler } from '../../lambda/cron-singleton.js';
import {
  DynamoDBLeaseStore,
  InMemoryLeaseStore,
  LeaseClient,
  LeaseError,
  LeaseValidationError,
  createLeaseTable,
  fenceOf,
  fencedUpdate,
  withFence,
  type Lease,
} from '../../lib/runtime/index.js';
import {
  FakeClock,
  countRequests,
  lambdaContext,
  localDynamoDBClient,
  scheduledEvent,
  startDynamoDBLocal,
} from '../../lib/testing/index.js';
import { testClient, testEndpoint, uniqueTableName } from '../support/dynamodb.js';
import { runsOr } from '../support/fixed-seed.js';
import { describeError, isPromisedRefusal, nameArg, nearMiss, outcome, weird } from '../support/fuzz.js';

// Every exported function and method of the public entries, called with
// fc.anything() and near misses of a valid call (wrong types, NaN, Infinity,
// negative, huge, empty strings, extra and missing fields, getters and Proxy
// traps that throw). Two properties (docs/decisions/runtime.md, "Bad input"):
// - only LeaseError subclasses are thrown: never a TypeError or RangeError of
//   Baton's own. An error the caller's own code threw (a getter, a trap)
//   passes through as it was thrown;
// - a LeaseValidationError means no request was sent: every run gets a fresh
//   client on DynamoDB Local whose middleware counts what it sends.

const tableName = uniqueTableName('fuzz');
const setup = testClient();
const RUNS = 200;
let seq = 0;
const freshName = () => `fuzz/${++seq}`;

/** A fresh client on DynamoDB Local that counts what it sends; one attempt per request keeps failures fast. */
function countedClient(): { client: DynamoDBClient; sent: () => number } {
  const client = testClient({ maxAttempts: 1 });
  const counter = countRequests(client);
  return { client, sent: () => counter.total() };
}

interface CheckOptions {
  /** How long a call may stay pending before it counts as running (not failed). @default 1500 */
  readonly pendingMs?: number;
}

/** Calls that sent at least one request, per test: the fuzz must reach DynamoDB, not only the validation. */
let reached = 0;

/** Calls `call` and checks both properties against the request count `sent`. */
async function expectTyped(call: () => unknown, sent: () => number, options: CheckOptions = {}): Promise<void> {
  const before = sent();
  const result = await outcome(call, options.pendingMs);
  if (sent() > before) reached++;
  if (!result.threw) return;
  const error = result.error;
  if (!isPromisedRefusal(error)) throw new Error(`threw something other than a LeaseError: ${describeError(error)}`);
  if (error instanceof LeaseValidationError && sent() !== before)
    throw new Error(`LeaseValidationError (${error.message}) after ${sent() - before} request(s)`);
}

/** `expectTyped` on a fresh counted client, destroyed after. */
async function check(call: (client: DynamoDBClient) => unknown, options: CheckOptions = {}): Promise<void> {
  const { client, sent } = countedClient();
  try {
    await expectTyped(() => call(client), sent, options);
  } finally {
    client.destroy();
  }
}

const validMetadata = () => ({ function: 'fuzz', requestId: 'r-1' });
const clientOptions = (client: DynamoDBClient) => ({
  tableName,
  client,
  holderName: 'fuzz',
  maxClockSkewMs: 200,
  safetyMarginMs: 250,
});
const leasesOn = (client: DynamoDBClient) => new LeaseClient(clientOptions(client));

async function heldLease(client: DynamoDBClient): Promise<Lease> {
  const r = await leasesOn(client).tryAcquire(freshName(), { durationMs: 1_000 });
  if (!r.acquired) throw new Error('a fresh lease name must be free');
  return r.lease;
}

beforeAll(() => createLeaseTable(setup, tableName));
afterAll(() => setup.destroy());

describe('the public API under arbitrary input: only LeaseErrors, and none after a request for bad input', () => {
  /**
   * Runs the property; with `minReached`, at least that many calls must have sent a request
   * (in proportion, when `npm run fuzz` sets another run count).
   */
  const property = async (
    arbitraries: fc.Arbitrary<unknown>[],
    run: (...args: unknown[]) => Promise<void>,
    numRuns = RUNS,
    minReached = 0,
  ) => {
    reached = 0;
    const runs = runsOr(numRuns);
    await fc.assert(fc.asyncProperty(...(arbitraries as [fc.Arbitrary<unknown>]), run), { numRuns: runs });
    expect(reached).toBeGreaterThanOrEqual(Math.floor((minReached * Math.min(runs, numRuns)) / numRuns));
  };

  it('new LeaseClient(options)', async () => {
    await property(
      [
        fc
          .constant(0)
          .chain(() =>
            nearMiss(() => ({ ...clientOptions(setup), clock: new FakeClock(), random: () => 0.5, onEvent: () => {} })),
          ),
      ],
      async (options) => check(() => new LeaseClient(options as never)),
    );
  });

  it('leases.tryAcquire(name, options)', async () => {
    await property(
      [nameArg(freshName), nearMiss(() => ({ durationMs: 1_000, metadata: validMetadata(), tick: 1_000 }))],
      async (name, options) => check((client) => leasesOn(client).tryAcquire(name as never, options as never)),
      RUNS,
      20,
    );
  });

  it('leases.acquire(name, options)', async () => {
    await property(
      [
        nameArg(freshName),
        nearMiss(() => ({
          durationMs: 1_000,
          waitMs: 0,
          signal: new AbortController().signal,
          requestSignal: new AbortController().signal,
          metadata: validMetadata(),
          tick: 1,
        })),
      ],
      async (name, options) => check((client) => leasesOn(client).acquire(name as never, options as never)),
      RUNS,
      20,
    );
  });

  it('leases.runAsLeader(name, fn, options)', async () => {
    const fn = fc.oneof(
      fc.constant(async () => 'done'),
      weird,
    );
    const options = nearMiss(() => ({
      durationMs: 1_000,
      renewEveryMs: 200,
      deadlineMs: 500,
      waitMs: 0,
      signal: new AbortController().signal,
      requestSignal: new AbortController().signal,
      metadata: validMetadata(),
      tick: 1,
      onStartedLeading: () => {},
      onStoppedLeading: () => {},
      onNewLeader: () => {},
    }));
    await property(
      [nameArg(freshName), fn, options],
      async (name, f, o) => check((client) => leasesOn(client).runAsLeader(name as never, f as never, o as never)),
      RUNS,
      10,
    );
  });

  it('leases.elect(name, options)', async () => {
    // A valid elector contends for 50 ms, then its signal stops it and it releases.
    const options = nearMiss(() => ({
      durationMs: 1_000,
      renewEveryMs: 200,
      priority: 1,
      signal: AbortSignal.timeout(50),
      metadata: validMetadata(),
      onStartedLeading: async () => {},
    }));
    await property(
      [nameArg(freshName), options],
      async (name, o) => check((client) => leasesOn(client).elect(name as never, o as never)),
      RUNS,
      20,
    );
  });

  it('leases.forceRelease(name, options) and leases.describe(name)', async () => {
    await property(
      [nameArg(freshName), nearMiss(() => ({ token: 1 }))],
      async (name, options) => {
        await check((client) => leasesOn(client).forceRelease(name as never, options as never));
        await check((client) => leasesOn(client).describe(name as never));
      },
      RUNS,
      40,
    );
  });

  it('lease.renew, lease.release, lease.guardedWrite, lease.remainingMs and disposal', async () => {
    const item = () => ({ Put: { TableName: tableName, Item: { pk: `fuzz-item/${++seq}`, sk: 'X' } } });
    const items = fc.oneof(
      nearMiss(() => [item()]),
      fc.array(nearMiss(item), { maxLength: 3 }),
      fc
        .constant(0)
        .map(() => [
          { Update: { TableName: tableName, Key: { pk: 'x', sk: 'LEASE' }, UpdateExpression: 'SET a = :a' } },
        ]),
    );
    const requestOptions = nearMiss(() => ({ tick: 5, signal: new AbortController().signal }));
    await property(
      [requestOptions, requestOptions, items],
      async (renew, release, writes) => {
        const { client, sent } = countedClient();
        try {
          const lease = await heldLease(client);
          await expectTyped(() => lease.renew(renew as never), sent);
          await expectTyped(() => lease.guardedWrite(writes as never), sent);
          await expectTyped(() => lease.remainingMs(), sent);
          await expectTyped(() => lease.release(release as never), sent);
          await expectTyped(() => lease[Symbol.asyncDispose](), sent);
        } finally {
          client.destroy();
        }
      },
      100,
      100,
    );
  });

  it('fencedUpdate(client, input, token, options), withFence(input, token, options), fenceOf(item, attribute)', async () => {
    const input = nearMiss(() => ({
      TableName: tableName,
      Key: { pk: `fuzz-fenced/${++seq}`, sk: 'X' },
      UpdateExpression: 'SET #v = :v',
      ExpressionAttributeNames: { '#v': 'v' },
      ExpressionAttributeValues: { ':v': 1 },
    }));
    const token = nearMiss(() => 3);
    const options = nearMiss(() => ({ fenceAttribute: 'fence' }));
    const item = fc.oneof(
      nearMiss(() => ({ fence: 2 })),
      nearMiss(() => ({ fence: { N: '2' } })),
    );
    await property(
      [input, token, options, item, fc.boolean(), weird],
      async (i, t, o, it, plainClient, otherClient) => {
        await check((client) =>
          fencedUpdate((plainClient ? client : otherClient) as never, i as never, t as never, o as never),
        );
        await check(() => withFence(i as never, t as never, o as never));
        await check(() =>
          fenceOf(it as never, (o as { fenceAttribute?: unknown } | undefined)?.fenceAttribute as never),
        );
      },
      RUNS,
      8,
    );
  });

  it('createLeaseTable(client, tableName, options) and new DynamoDBLeaseStore(client, tableName)', async () => {
    await property(
      [nameArg(() => tableName), nearMiss(() => ({ maxWaitS: 5 })), fc.boolean(), weird],
      async (name, options, realClient, other) => {
        await check((client) =>
          createLeaseTable((realClient ? client : other) as never, name as never, options as never),
        );
        await check((client) => new DynamoDBLeaseStore((realClient ? client : other) as never, name as never));
        await check(() => new InMemoryLeaseStore());
      },
      RUNS,
      5,
    );
  });

  it('createSingletonHandler(options), then the handler(event, context)', async () => {
    const quiet = () => {
      const metrics = new Metrics({ namespace: 'Baton', serviceName: 'fuzz' });
      metrics.publishStoredMetrics = () => metrics;
      return metrics;
    };
    const options = (client: DynamoDBClient) =>
      nearMiss(() => ({
        job: async () => 'done',
        leaseName: freshName(),
        tableName,
        client,
        holderName: 'fuzz',
        durationMarginMs: 100,
        abortMarginMs: 200,
        logger: new Logger({ logLevel: 'SILENT' }),
        metrics: quiet(),
        maxClockSkewMs: 200,
        safetyMarginMs: 250,
      }));
    const event = nearMiss(() => scheduledEvent(Date.UTC(2026, 0, 1, 0, ++seq)));
    const context = nearMiss(() => lambdaContext({ timeoutMs: 3_000 }));
    const { client: shared, sent } = countedClient();
    // A near miss without logger or metrics gets Powertools' defaults, which print: keep the run's output readable.
    const saved = { ...process.env };
    Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
    try {
      await property(
        [options(shared), event, context],
        async (o, e, c) => {
          let handler: ((event: never, context: never) => unknown) | undefined;
          await expectTyped(() => {
            handler = createSingletonHandler(o as never) as never;
          }, sent);
          if (handler !== undefined) await expectTyped(() => handler!(e as never, c as never), sent);
        },
        RUNS,
        25,
      );
    } finally {
      process.env = saved;
      shared.destroy();
    }
  });

  it('baton-lease/testing: localDynamoDBClient, FakeClock, lambdaContext, scheduledEvent, countRequests, startDynamoDBLocal', async () => {
    const savedJavaHome = process.env['JAVA_HOME'];
    // No Java can start: a valid call fails fast with a JavaRuntimeError (a LeaseError) instead of launching one per run.
    process.env['JAVA_HOME'] = '/nonexistent-java-home';
    try {
      await property(
        // The SDK reads some config values lazily, in promises of its own: a Proxy there is its to handle, so config varies as a whole only.
        [
          nameArg(() => testEndpoint()),
          fc.oneof(fc.constant({ maxAttempts: 1 }), weird),
          weird,
          weird,
          nearMiss(() => ({ timeoutMs: 1_000, functionName: 'f', region: 'us-east-1', clock: new FakeClock() })),
          nearMiss(() => Date.UTC(2026, 0, 1)),
          nearMiss(() => ({ java: '/nonexistent/java', startTimeoutMs: 2_000, sharedDb: true, log: () => {} })),
        ],
        async (endpoint, config, a, b, contextOptions, time, javaOptions) => {
          await check(() => localDynamoDBClient(endpoint as never, config as never).destroy());
          await check(() => {
            const clock = new FakeClock(a as never);
            clock.now();
            clock.monotonic();
            void clock.sleep(b as never, AbortSignal.abort()).catch(() => undefined);
            void clock.skewed(a as never).now();
            return clock.advance(b as never);
          });
          await check(() => lambdaContext(contextOptions as never).getRemainingTimeInMillis());
          await check(() => scheduledEvent(time as never, a as never));
          await check(() => countRequests(a as never));
          await check(() => startDynamoDBLocal(javaOptions as never).then((db) => db.stop()));
        },
        100,
      );
    } finally {
      if (savedJavaHome === undefined) delete process.env['JAVA_HOME'];
      else process.env['JAVA_HOME'] = savedJavaHome;
    }
  });
});

describe('counterexamples the fuzz found, kept as fixed cases', () => {
  it('startDynamoDBLocal({ java: <a 400-character path> }) rejects with a LeaseError, not spawn ENAMETOOLONG', async () => {
    for (const java of [`/${'j'.repeat(400)}`, 'j'.repeat(400)]) {
      const error = await startDynamoDBLocal({ java, startTimeoutMs: 2_000 }).then(
        (db) => db.stop().then(() => undefined),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(LeaseError);
      expect(error).toMatchObject({ name: 'JavaRuntimeError', problem: 'unusable', java });
    }
  });

  it('startDynamoDBLocal({ java: <a path with NUL> }) is a LeaseValidationError naming java', async () => {
    await expect(startDynamoDBLocal({ java: 'ja\0va' })).rejects.toMatchObject({
      name: 'LeaseValidationError',
      field: 'java',
    });
  });
});
