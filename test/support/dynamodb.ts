import { randomUUID } from 'node:crypto';
import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { localDynamoDBClient } from '../../lib/testing/index.js';

/** The endpoint of the run's DynamoDB Local, started by test/global-setup.ts. */
export function testEndpoint(): string {
  return inject('dynamodbEndpoint');
}

/** A client for the run's DynamoDB Local. Call `destroy()` on it in `afterAll`. */
export function testClient(config?: Partial<DynamoDBClientConfig>): DynamoDBClient {
  return localDynamoDBClient(testEndpoint(), config);
}

/**
 * A table name no other test uses, so test files can share one DynamoDB
 * Local and run in parallel. DynamoDB allows `[A-Za-z0-9_.-]`, 3–255 characters.
 */
export function uniqueTableName(prefix: string): string {
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(prefix)) {
    throw new RangeError(`uniqueTableName: prefix must be 1-200 characters of [A-Za-z0-9_.-], got ${JSON.stringify(prefix)}`);
  }
  return `${prefix}-${randomUUID()}`;
}

/** Counts of the HTTP requests a client sent, from {@link countRequests}. */
export interface RequestCounter {
  /** Every request sent since the last `reset()`, retries included. */
  total(): number;
  /** Requests per operation name (`UpdateItem`, `GetItem`, ...), retries included. */
  byOperation(): Record<string, number>;
  /** Forgets what was counted so far. */
  reset(): void;
}

const COUNTER_NAME = 'batonTestRequestCounter';

/**
 * Counts the HTTP requests `client` sends, per operation, so a test can prove
 * "one request per operation". Counted per attempt: the middleware sits in
 * the finalizeRequest step after the SDK's retry middleware (which is
 * `priority: 'high'` in the same step), so every retry passes through it.
 * Adding it twice to one client throws.
 *
 * @example
 * ```ts
 * const requests = countRequests(client);
 * await leases.tryAcquire('job', { durationMs: 10_000 });
 * expect(requests.byOperation()).toEqual({ UpdateItem: 1 });
 * ```
 */
export function countRequests(client: DynamoDBClient): RequestCounter {
  let counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const operation = context.commandName?.replace(/Command$/, '') ?? 'unknown';
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: COUNTER_NAME },
  );
  return {
    total: () => [...counts.values()].reduce((sum, n) => sum + n, 0),
    byOperation: () => Object.fromEntries(counts),
    reset: () => {
      counts = new Map();
    },
  };
}
