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
    throw new RangeError(
      `uniqueTableName: prefix must be 1-200 characters of [A-Za-z0-9_.-], got ${JSON.stringify(prefix)}`,
    );
  }
  return `${prefix}-${randomUUID()}`;
}

/** Counting requests per operation is part of the public testing kit; tests use the same one. */
export { countRequests, type RequestCounter } from '../../lib/testing/index.js';
