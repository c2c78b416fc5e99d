import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { LeaseAttribute, LeaseTableSchema } from './contract.js';
import type { LeaseRecord } from './lease-record.js';
import type {
  AcquireCommand,
  GuardedWriteCommand,
  LeaseStore,
  ReleaseCommand,
  RenewCommand,
  TenureRef,
  WriteOutcome,
} from './lease-store.js';

/** The sort key of the lease item; other sort keys in a lease's partition are auxiliary items. */
export const LEASE_SORT_KEY = LeaseTableSchema.leaseSortKey;

/** Either client shape the public API accepts. */
export type AnyDynamoDBClient = DynamoDBClient | DynamoDBDocumentClient;

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** Wraps a plain client in a document client once; a document client is used as given. */
export function toDocumentClient(client: AnyDynamoDBClient): DynamoDBDocumentClient {
  if (client instanceof DynamoDBDocumentClient) return client;
  return DynamoDBDocumentClient.from(client);
}

// Attribute names always go through ExpressionAttributeNames: several of ours
// (token, ttl) are DynamoDB reserved words.
// Placeholders are `#` plus the attribute's contract key.
const NAMES = Object.fromEntries(Object.entries(LeaseAttribute).map(([key, attribute]) => [`#${key}`, attribute]));

const PLACEHOLDER = /#[A-Za-z]+/g;
// A handful of distinct expressions exist; work out each one's names once, off the hot path.
const namesCache = new Map<string, Record<string, string>>();

function namesUsedBy(...expressions: string[]): Record<string, string> {
  const text = expressions.join(' ');
  let names = namesCache.get(text);
  if (names === undefined) {
    const used = new Set(text.match(PLACEHOLDER));
    names = Object.freeze(Object.fromEntries(Object.entries(NAMES).filter(([placeholder]) => used.has(placeholder))));
    namesCache.set(text, names);
  }
  return names;
}

/** The lease is free: nobody holds it, or the holder's expiry lies beyond the skew bound. */
const IS_FREE = '(attribute_not_exists(#holder) OR #expiresAt < :staleBefore)';
/** Tick dedupe: no tick at or after this one has completed. */
const TICK_NOT_DONE = '(attribute_not_exists(#lastTick) OR #lastTick < :tick)';
/** Recording a tick never moves lastTick backwards: an older tick must not reopen a newer completed one. */
const TICK_NOT_OLDER = '(attribute_not_exists(#lastTick) OR #lastTick <= :tick)';
/** The caller's own tenure is still the current one. */
const IS_MINE = '#holder = :owner AND #token = :token';
/**
 * Renew never moves the expiry backwards: a renew request delayed in the
 * network (or the SDK's first try of one) that lands after a later renew
 * must not shorten the tenure the holder already relies on.
 */
const NOT_SHORTER = '#expiresAt <= :expiresAt';

/**
 * The DynamoDB adapter of the `LeaseStore` port: every operation is exactly one
 * request, and every conditional write asks for `ALL_OLD` on condition failure
 * so the caller learns the current state without a read.
 */
export class DynamoDBLeaseStore implements LeaseStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: AnyDynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = toDocumentClient(client);
  }

  acquire(c: AcquireCommand): Promise<WriteOutcome> {
    const set = [
      '#holder = :owner',
      '#expiresAt = :expiresAt',
      '#acquiredAt = :now',
      '#renewedAt = :now',
      ...(c.metadata ? ['#metadata = :metadata'] : []),
    ];
    // A takeover without metadata must not inherit the previous holder's.
    const update = `SET ${set.join(', ')} ${c.metadata ? '' : 'REMOVE #metadata '}ADD #token :one`;
    const condition = c.tick === undefined ? IS_FREE : `${IS_FREE} AND ${TICK_NOT_DONE}`;
    // The previous token and holder, and nothing more, are what a win needs: UPDATED_OLD.
    return this.update(c.name, update, condition, 'UPDATED_OLD', {
      ':owner': c.owner,
      ':expiresAt': c.now + c.durationMs,
      ':now': c.now,
      ':staleBefore': c.now - c.skewMs,
      ':one': 1,
      ...(c.metadata ? { ':metadata': c.metadata } : {}),
      ...(c.tick === undefined ? {} : { ':tick': c.tick }),
    });
  }

  renew(c: RenewCommand): Promise<WriteOutcome> {
    // A success needs no item back; a failure still returns the item (ALL_OLD on condition failure).
    return this.update(c.name, 'SET #expiresAt = :expiresAt, #renewedAt = :now', `${IS_MINE} AND ${NOT_SHORTER}`, 'NONE', {
      ...mine(c),
      ':expiresAt': c.now + c.durationMs,
      ':now': c.now,
    });
  }

  release(c: ReleaseCommand): Promise<WriteOutcome> {
    const set = ['#expiresAt = :now', '#releasedAt = :now', '#releasedBy = :releasedBy', ...(c.tick === undefined ? [] : ['#lastTick = :tick'])];
    const condition = c.tick === undefined ? IS_MINE : `${IS_MINE} AND ${TICK_NOT_OLDER}`;
    return this.update(c.name, `REMOVE #holder, #metadata SET ${set.join(', ')}`, condition, 'NONE', {
      ...mine(c),
      ':now': c.now,
      ':releasedBy': c.releasedBy ?? c.owner,
      ...(c.tick === undefined ? {} : { ':tick': c.tick }),
    });
  }

  async read(name: string): Promise<LeaseRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(name), ConsistentRead: true }));
    return out.Item ? toRecord(name, out.Item) : undefined;
  }

  async guardedWrite(c: GuardedWriteCommand): Promise<WriteOutcome> {
    const check: TransactItems[number] = {
      ConditionCheck: {
        TableName: this.tableName,
        Key: key(c.name),
        ConditionExpression: IS_MINE,
        ExpressionAttributeNames: namesUsedBy(IS_MINE),
        ExpressionAttributeValues: mine(c),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
    const items = [...(c.items as TransactItems), check];
    try {
      // The SDK fills ClientRequestToken, so its own retries of this call are idempotent.
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return { applied: true, before: undefined };
    } catch (error) {
      const reasons = (error as { name?: string; CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[] })
        .CancellationReasons;
      const ours = reasons?.[items.length - 1];
      if ((error as Error).name === 'TransactionCanceledException' && ours?.Code === 'ConditionalCheckFailed') {
        return { applied: false, current: ours.Item ? toRecord(c.name, unmarshall(ours.Item as never)) : undefined };
      }
      throw error;
    }
  }

  private async update(
    name: string,
    update: string,
    condition: string,
    returnValues: 'UPDATED_OLD' | 'NONE',
    values: Record<string, unknown>,
  ): Promise<WriteOutcome> {
    const input: UpdateCommandInput = {
      TableName: this.tableName,
      Key: key(name),
      UpdateExpression: update,
      ConditionExpression: condition,
      ExpressionAttributeNames: namesUsedBy(update, condition),
      ExpressionAttributeValues: values,
      ReturnValues: returnValues,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
    try {
      const out = await this.doc.send(new UpdateCommand(input));
      return { applied: true, before: out.Attributes ? toRecord(name, out.Attributes) : undefined };
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      // The document client does not unmarshall the item carried by an error.
      const item = (error as { Item?: Record<string, unknown> }).Item;
      return { applied: false, current: item ? toRecord(name, unmarshall(item as never)) : undefined };
    }
  }
}

function key(name: string): Record<string, string> {
  return { [LeaseTableSchema.partitionKey]: name, [LeaseTableSchema.sortKey]: LEASE_SORT_KEY };
}

function mine(t: TenureRef): Record<string, unknown> {
  return { ':owner': t.owner, ':token': t.token };
}

function num(value: unknown): number | undefined {
  return value === undefined ? undefined : Number(value);
}

/** Decodes a lease item; absent attributes stay absent. */
export function toRecord(name: string, item: Record<string, unknown>): LeaseRecord {
  const record: { -readonly [K in keyof LeaseRecord]: LeaseRecord[K] } = {
    name,
    token: num(item.token) ?? 0,
    expiresAt: num(item.expiresAt) ?? 0,
  };
  if (typeof item.holder === 'string') record.holder = item.holder;
  if (item.acquiredAt !== undefined) record.acquiredAt = num(item.acquiredAt);
  if (item.renewedAt !== undefined) record.renewedAt = num(item.renewedAt);
  if (item.releasedAt !== undefined) record.releasedAt = num(item.releasedAt);
  if (typeof item.releasedBy === 'string') record.releasedBy = item.releasedBy;
  if (item.lastTick !== undefined) record.lastTick = num(item.lastTick);
  if (item.metadata !== undefined && typeof item.metadata === 'object') record.metadata = item.metadata as Record<string, string>;
  return record;
}
