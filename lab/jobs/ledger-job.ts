import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { StaleTokenError, fenceOf, withFence } from 'baton-lease';
import type { SingletonJobContext } from 'baton-lease/lambda';

/** Entries expire after 30 days (the `ttl` attribute); the ledger head keeps the totals. */
const ENTRY_RETENTION_S = 30 * 24 * 3600;

/** The ledger's sort keys in the lease's own partition, which the lease grant already covers. */
export const LEDGER_HEAD = 'LEDGER';
export const ledgerEntryKey = (tick: number) => `LEDGER#${new Date(tick).toISOString()}`;

/** What one run of the ledger job did. */
export interface LedgerJobResult {
  /** False when this tick's entry already existed: an earlier run wrote it but died before releasing the lease. */
  readonly recorded: boolean;
}

/**
 * The example job: records one ledger entry per tick. Each run is one
 * transaction: the ledger head is updated behind the fence (so a leader whose
 * tenure was taken over is refused once its successor has written) and the
 * tick's entry is created beside it, only if it does not exist yet. The
 * lease's tick dedupe (`lastTick`) is recorded at release; a leader that dies
 * after its write but before its release leaves the tick unrecorded there, and
 * a late retry of that tick would run again. The entry's own condition makes
 * that retry a no-op: the pattern every job with side effects should follow.
 */
export function appendLedgerEntry(client: DynamoDBClient, tableName: string, leaseName: string) {
  const doc = DynamoDBDocumentClient.from(client);
  return async ({ token, tick, lease, signal, logger }: SingletonJobContext): Promise<LedgerJobResult> => {
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
    // GetItem, UpdateItem and ConditionCheckItem (docs/operations.md#permissions).
    const entry = {
      TableName: tableName,
      Key: { pk: leaseName, sk: ledgerEntryKey(tick) },
      UpdateExpression: 'SET #tick = :tick, #token = :token, #holder = :holder, #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(#sk)',
      ExpressionAttributeNames: { '#tick': 'tick', '#token': 'token', '#holder': 'holder', '#ttl': 'ttl', '#sk': 'sk' },
      ExpressionAttributeValues: { ':tick': tick, ':token': token, ':holder': lease.holder, ':ttl': Math.floor(tick / 1000) + ENTRY_RETENTION_S },
    };
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: [{ Update: head }, { Update: entry }] }));
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[] }).CancellationReasons;
      const headReason = reasons?.[0];
      if (headReason?.Code === 'ConditionalCheckFailed') throw new StaleTokenError(token, fenceOf(headReason.Item), { cause: error });
      if (reasons?.[1]?.Code === 'ConditionalCheckFailed') {
        logger.info('tick already recorded by an earlier run; nothing to do', { tick, token });
        return { recorded: false };
      }
      throw error;
    }
    logger.info('ledger entry written', { tick, token });
    return { recorded: true };
  };
}
