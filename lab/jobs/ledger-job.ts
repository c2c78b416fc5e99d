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

/** The entry step's value: what the tick's entry will hold, computed once per tick. */
export interface LedgerEntryPlan {
  readonly tick: number;
  /** Epoch seconds when the entry expires. */
  readonly ttl: number;
}

/** The names of the ledger job's durable steps (docs/protocol.md#steps), in order. */
export const LEDGER_STEPS = { entry: 'entry', write: 'write' } as const;

/**
 * The example job: records one ledger entry per tick, in two durable steps
 * (docs/protocol.md#steps). `entry` computes what the tick's entry holds;
 * `write` performs one transaction: the ledger head is updated behind the
 * fence (so a leader whose tenure was taken over is refused once its
 * successor has written) and the tick's entry is created beside it, only if
 * it does not exist yet. A leader that dies after a recorded step resumes at
 * the next step on the next invocation of the same tick, with the recorded
 * value replayed. A leader that dies between its write and the write step's
 * record leaves the write to run again; the entry's own condition makes that
 * retry a no-op: the pattern every step with side effects should follow.
 */
export function appendLedgerEntry(client: DynamoDBClient, tableName: string, leaseName: string) {
  const doc = DynamoDBDocumentClient.from(client);
  const write = async (
    { token, lease, logger }: SingletonJobContext,
    plan: LedgerEntryPlan,
  ): Promise<LedgerJobResult> => {
    const { tick } = plan;
    const head = withFence(
      {
        TableName: tableName,
        Key: { pk: leaseName, sk: LEDGER_HEAD },
        UpdateExpression: 'ADD #runs :one SET #lastTick = :tick, #lastToken = :token, #lastHolder = :holder',
        ExpressionAttributeNames: {
          '#runs': 'runs',
          '#lastTick': 'lastTick',
          '#lastToken': 'lastToken',
          '#lastHolder': 'lastHolder',
        },
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
      ExpressionAttributeValues: { ':tick': tick, ':token': token, ':holder': lease.holder, ':ttl': plan.ttl },
    };
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: [{ Update: head }, { Update: entry }] }));
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[] })
        .CancellationReasons;
      const headReason = reasons?.[0];
      if (headReason?.Code === 'ConditionalCheckFailed')
        throw new StaleTokenError(token, fenceOf(headReason.Item), { cause: error });
      if (reasons?.[1]?.Code === 'ConditionalCheckFailed') {
        logger.info('tick already recorded by an earlier run; nothing to do', { tick, token });
        return { recorded: false };
      }
      throw error;
    }
    logger.info('ledger entry written', { tick, token });
    return { recorded: true };
  };
  return async (ctx: SingletonJobContext): Promise<LedgerJobResult> => {
    ctx.signal.throwIfAborted();
    const plan = await ctx.step(LEDGER_STEPS.entry, async () => ({
      tick: ctx.tick,
      ttl: Math.floor(ctx.tick / 1000) + ENTRY_RETENTION_S,
    }));
    // No signal check here: the fence, not the local clock, decides whether this write lands.
    return ctx.step(LEDGER_STEPS.write, () => write(ctx, plan));
  };
}
