import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { StaleTokenError, fenceOf, withFence } from '../lib/runtime/index.js';
import type { SingletonJobContext } from './cron-singleton.js';

/** Entries expire after 30 days (the `ttl` attribute); the ledger head keeps the totals. */
const ENTRY_RETENTION_S = 30 * 24 * 3600;

/** The ledger's sort keys in the lease's own partition, which the lease grant already covers. */
export const LEDGER_HEAD = 'LEDGER';
export const ledgerEntryKey = (tick: number, token: number) => `LEDGER#${new Date(tick).toISOString()}#${String(token).padStart(12, '0')}`;

/**
 * The example job: records one ledger entry per tick. Each run is one
 * transaction: the ledger head is updated behind the fence (so a leader whose
 * tenure was taken over is refused once its successor has written) and the
 * entry item is written beside it. A tick that ran twice would show as two
 * entries with the same tick.
 */
export function appendLedgerEntry(client: DynamoDBClient, tableName: string, leaseName: string) {
  const doc = DynamoDBDocumentClient.from(client);
  return async ({ token, tick, lease, signal, logger }: SingletonJobContext): Promise<void> => {
    signal.throwIfAborted();
    const head = withFence(
      {
        TableName: tableName,
        Key: { pk: leaseName, sk: LEDGER_HEAD },
        UpdateExpression: 'ADD #runs :one SET #lastTick = :tick, #lastToken = :token, #lastHolder = :holder',
        ExpressionAttributeNames: { '#runs': 'runs', '#lastTick': 'lastTick', '#lastToken': 'lastToken', '#lastHolder': 'lastHolder' },
        ExpressionAttributeValues: { ':one': 1, ':tick': tick, ':token': token, ':holder': lease.holder },
      },
      token,
    );
    // The entry is written with UpdateItem, not PutItem, so the lease grant stays at
    // GetItem, UpdateItem and ConditionCheckItem (DESIGN.md §5).
    const entry = {
      TableName: tableName,
      Key: { pk: leaseName, sk: ledgerEntryKey(tick, token) },
      UpdateExpression: 'SET #tick = :tick, #token = :token, #holder = :holder, #ttl = :ttl',
      ExpressionAttributeNames: { '#tick': 'tick', '#token': 'token', '#holder': 'holder', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':tick': tick, ':token': token, ':holder': lease.holder, ':ttl': Math.floor(tick / 1000) + ENTRY_RETENTION_S },
    };
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: [{ Update: head }, { Update: entry }] }));
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[] }).CancellationReasons;
      const headReason = reasons?.[0];
      if (headReason?.Code === 'ConditionalCheckFailed') throw new StaleTokenError(token, fenceOf(headReason.Item), { cause: error });
      throw error;
    }
    logger.info('ledger entry written', { tick, token });
  };
}
