// A consumer compiled without `strict` (test/package/smoke.ts): the README's patterns must type-check here too.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LeaseClient } from 'baton-lease';

const leases = new LeaseClient({ tableName: 'baton-leases', client: new DynamoDBClient({}) });

export async function once(): Promise<string> {
  const r = await leases.tryAcquire('nightly-report', { durationMs: 60_000 });
  if (!r.acquired) return `held by ${r.current?.holder} (${r.reason})`;
  try {
    return `token ${r.lease.token}${r.takeover ? ', a takeover' : ''}`;
  } finally {
    await r.lease.release();
  }
}
