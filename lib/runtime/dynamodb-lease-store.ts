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
import type { LeaseRecord } from './lease-record.js';
import type {
  AcquireCommand,
  GuardedWriteCommand,
  HandoffCommand,
  LeaseStore,
  ReleaseCommand,
  RenewCommand,
  TenureRef,
  WriteOutcome,
} from './lease-store.js';

/** The sort key of the lease item; other sort keys in a lease's partition are auxiliary items. */
export const LEASE_SORT_KEY = 'LEASE';

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
const NAMES = {
  '#holder': 'holder',
  '#token': 'token',
  '#expiresAt': 'expiresAt',
  '#acquiredAt': 'acquiredAt',
  '#renewedAt': 'renewedAt',
  '#releasedAt': 'releasedAt',
  '#metadata': 'metadata',
  '#lastTick': 'lastTick',
  '#version': 'version',
  '#priority': 'priority',
  '#handoffTo': 'handoffTo',
  '#handoffPriority': 'handoffPriority',
} as const;

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

/** Nobody holds the lease, and no handoff keeps it for a candidate of higher priority than the caller's. */
const VACANT = '(attribute_not_exists(#holder) AND attribute_not_exists(#handoffPriority))';
const VACANT_FOR_PRIORITY = '(attribute_not_exists(#holder) AND (attribute_not_exists(#handoffPriority) OR #handoffPriority <= :priority))';
/** The wall-clock rule: the holder's expiry lies beyond the skew bound (docs/protocol.md#the-holders-deadline). */
const EXPIRED = '#expiresAt < :staleBefore';
/** The clock-free rule: still the very version the caller watched for a whole lease (docs/protocol.md#clock-free-takeover). */
const AT_VERSION = '#token = :seenToken AND #version = :seenVersion';
/** Items written before versions existed are at version 0. */
const AT_VERSION_ZERO = '#token = :seenToken AND attribute_not_exists(#version)';
/** No candidate asked this tenure to hand over; a renew that fails on this clause tells the holder. */
const NO_HANDOFF = 'attribute_not_exists(#handoffPriority)';
/** The holder recorded a lower priority than the candidate's, and no request at least as high is pending. */
const MAY_ASK = 'attribute_exists(#holder) AND #token = :token AND #priority < :priority AND (attribute_not_exists(#handoffPriority) OR #handoffPriority < :priority)';
/** Tick dedupe: no tick at or after this one has completed. */
const TICK_NOT_DONE = '(attribute_not_exists(#lastTick) OR #lastTick < :tick)';
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
      ...(c.priority === undefined ? [] : ['#priority = :priority']),
    ];
    // A new tenure inherits neither the previous holder's metadata and priority nor the handoff request it answered.
    const remove = [...(c.metadata ? [] : ['#metadata']), ...(c.priority === undefined ? ['#priority'] : []), '#handoffTo', '#handoffPriority'];
    const update = `SET ${set.join(', ')} REMOVE ${remove.join(', ')} ADD #token :one, #version :one`;
    const vacant = c.priority === undefined ? VACANT : VACANT_FOR_PRIORITY;
    const observed = c.clockFree?.observed;
    const takeable = c.clockFree === undefined ? EXPIRED : observed === undefined ? undefined : observed.version === 0 ? AT_VERSION_ZERO : AT_VERSION;
    const free = takeable === undefined ? vacant : `(${vacant} OR (${takeable}))`;
    const condition = c.tick === undefined ? free : `${free} AND ${TICK_NOT_DONE}`;
    // The previous token and holder, and nothing more, are what a win needs: UPDATED_OLD.
    return this.update(c.name, update, condition, 'UPDATED_OLD', {
      ':owner': c.owner,
      ':expiresAt': c.now + c.durationMs,
      ':now': c.now,
      ':one': 1,
      ...(c.clockFree === undefined ? { ':staleBefore': c.now - c.skewMs } : {}),
      ...(observed === undefined ? {} : { ':seenToken': observed.token, ...(observed.version === 0 ? {} : { ':seenVersion': observed.version }) }),
      ...(c.metadata ? { ':metadata': c.metadata } : {}),
      ...(c.priority === undefined ? {} : { ':priority': c.priority }),
      ...(c.tick === undefined ? {} : { ':tick': c.tick }),
    });
  }

  renew(c: RenewCommand): Promise<WriteOutcome> {
    // A success needs no item back; a failure still returns the item (ALL_OLD on condition failure).
    return this.update(c.name, 'SET #expiresAt = :expiresAt, #renewedAt = :now ADD #version :one', `${IS_MINE} AND ${NOT_SHORTER} AND ${NO_HANDOFF}`, 'NONE', {
      ...mine(c),
      ':expiresAt': c.now + c.durationMs,
      ':now': c.now,
      ':one': 1,
    });
  }

  release(c: ReleaseCommand): Promise<WriteOutcome> {
    const set = ['#expiresAt = :expiresAt', '#releasedAt = :now', ...(c.tick === undefined ? [] : ['#lastTick = :tick'])];
    return this.update(c.name, `REMOVE #holder, #metadata SET ${set.join(', ')} ADD #version :one`, IS_MINE, 'NONE', {
      ...mine(c),
      ':now': c.now,
      ':expiresAt': c.now + (c.reserveMs ?? 0),
      ':one': 1,
      ...(c.tick === undefined ? {} : { ':tick': c.tick }),
    });
  }

  requestHandoff(c: HandoffCommand): Promise<WriteOutcome> {
    return this.update(c.name, 'SET #handoffTo = :requester, #handoffPriority = :priority ADD #version :one', MAY_ASK, 'NONE', {
      ':token': c.token,
      ':requester': c.requester,
      ':priority': c.priority,
      ':one': 1,
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

function key(name: string): { pk: string; sk: string } {
  return { pk: name, sk: LEASE_SORT_KEY };
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
  if (item.lastTick !== undefined) record.lastTick = num(item.lastTick);
  if (item.metadata !== undefined && typeof item.metadata === 'object') record.metadata = item.metadata as Record<string, string>;
  if (item.version !== undefined) record.version = num(item.version);
  if (item.priority !== undefined) record.priority = num(item.priority);
  if (typeof item.handoffTo === 'string') record.handoffTo = item.handoffTo;
  if (item.handoffPriority !== undefined) record.handoffPriority = num(item.handoffPriority);
  return record;
}
