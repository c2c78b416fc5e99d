// test/nightly-report.test.ts: the job through its handler, against DynamoDB Local
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createLeaseTable } from 'baton-lease';
import { lambdaContext, localDynamoDBClient, localDynamoDBEnv, scheduledEvent } from 'baton-lease/testing';
// Imported before the environment is set: the handler reads it at its first invocation.
import { handler } from '../src/nightly-report.js';

const endpoint = inject('dynamodbEndpoint');
const client = localDynamoDBClient(endpoint);

beforeAll(async () => {
  // A table of its own: test files run in parallel against the one DynamoDB Local.
  const table = `leases-${randomUUID()}`;
  await createLeaseTable(client, table);
  Object.assign(process.env, localDynamoDBEnv(endpoint), {
    BATON_TABLE_NAME: table,
    BATON_LEASE_NAME: 'reports/nightly',
  });
});
afterAll(() => client.destroy());

it('runs the job once per tick, however many invocations race for it', async () => {
  const tick = scheduledEvent(Date.parse('2026-01-01T02:00:00Z'));
  const [a, b] = await Promise.all([handler(tick, lambdaContext()), handler(tick, lambdaContext())]);
  expect([a.status, b.status].sort()).toEqual(['ran', 'skipped']);
  // A late duplicate of the same tick finds it done.
  expect(await handler(tick, lambdaContext())).toMatchObject({ status: 'skipped', reason: 'tick-done' });
  // The next tick runs with the next fencing token.
  const next = await handler(scheduledEvent(Date.parse('2026-01-02T02:00:00Z')), lambdaContext());
  expect(next).toMatchObject({ status: 'ran', token: 2, value: { token: 2 } });
});
