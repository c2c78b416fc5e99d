/**
 * How the operator commands reach a lease table: the standard AWS SDK
 * environment (region, credentials, AWS_ENDPOINT_URL_DYNAMODB), overridden by
 * `--table`, `--region` and `--endpoint`. An endpoint on this machine gets the
 * fixed DynamoDB Local credentials, so `--endpoint http://127.0.0.1:PORT` just works.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LeaseClient } from '../../lib/runtime/index.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../lib/testing/local-client.js';

export const CONNECTION_OPTIONS = {
  table: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
} as const;

export const CONNECTION_USAGE = `  --table     the lease table (default: $BATON_TABLE_NAME)
  --region    AWS region (default: the SDK's, e.g. $AWS_REGION)
  --endpoint  DynamoDB endpoint, e.g. a DynamoDB Local at http://127.0.0.1:8000`;

export interface Connection {
  readonly leases: LeaseClient;
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

export function connect(values: { table?: string; region?: string; endpoint?: string }): Connection {
  const tableName = values.table ?? process.env['BATON_TABLE_NAME'] ?? '';
  const local = values.endpoint !== undefined && /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(values.endpoint);
  const client = new DynamoDBClient({
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(values.region ? { region: values.region } : local ? { region: LOCAL_REGION } : {}),
    ...(local ? { credentials: { ...LOCAL_CREDENTIALS } } : {}),
  });
  return { leases: new LeaseClient({ tableName, client, holderName: 'baton-cli' }), client, tableName };
}

/** One line per lease item field, for people. */
export function formatLease(name: string, item: Awaited<ReturnType<LeaseClient['describe']>>, now: number): string {
  if (item === undefined) return `${name}: never acquired`;
  const when = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString());
  const state =
    item.holder === undefined ? 'free' : item.expiresAt >= now ? `held, ${item.expiresAt - now} ms left` : `expired ${now - item.expiresAt} ms ago (takeover possible after the skew bound)`;
  const rows = [
    ['lease', name],
    ['state', state],
    ['holder', item.holder ?? '-'],
    ['token', String(item.token)],
    ['expiresAt', when(item.expiresAt)],
    ['acquiredAt', when(item.acquiredAt)],
    ['renewedAt', when(item.renewedAt)],
    ['releasedAt', when(item.releasedAt)],
    ['lastTick', when(item.lastTick)],
    ...Object.entries(item.metadata ?? {}).map(([k, v]) => [`metadata.${k}`, v]),
  ];
  return rows.map(([k, v]) => `${k!.padEnd(18)} ${v}`).join('\n');
}
