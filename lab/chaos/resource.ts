import {
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { fencedUpdate, LeaseTableSchema, StaleTokenError } from 'baton-lease';
import type { WriteOutcomeKind } from './history.js';
import type { ResourceWriteOptions } from './variant.js';

/**
 * The fenced resource the chaos job writes: a few items in their own table,
 * each a register with a fence and an append-only log of the writes it
 * accepted, in acceptance order. DynamoDB serialises writes to one item, so an
 * item's log *is* the order in which that item accepted writes: the ground
 * truth the checker compares the history against.
 *
 * A tick is written to one item (`tick / tickMs` modulo the item count), so
 * each item's `lastTick` condition dedupes the ticks it owns, and logs stay
 * far below DynamoDB's 400 KB item limit (an entry is ~35 bytes; an hour of
 * 4 writes/s over 3 items is ~170 KB per item).
 */
export const RESOURCE_SORT_KEY = 'STATE';

/** One accepted write, as the resource recorded it. */
export interface ResourceEntry {
  readonly token: number;
  readonly tick: number;
  /** The attempt's id, from the history (`<worker>.<inc>.<n>`). */
  readonly wid: string;
}

/** One resource item as the final consistent scan found it. */
export interface ResourceState {
  readonly id: string;
  readonly fence?: number;
  readonly lastTick?: number;
  /** Accepted writes in acceptance order. */
  readonly log: readonly ResourceEntry[];
}

/** The side effect of one tick, under one token. */
export interface SideEffect {
  readonly wid: string;
  readonly token: number;
  readonly tick: number;
  readonly resource: string;
}

/** The id of the resource item that owns `tick`. */
export function resourceFor(tick: number, tickMs: number, count: number): string {
  const slot = Math.floor(tick / tickMs);
  return `resource-${((slot % count) + count) % count}`;
}

export function encodeEntry(entry: ResourceEntry): string {
  return `${entry.token}:${entry.tick}:${entry.wid}`;
}

export function decodeEntry(text: string): ResourceEntry {
  const [token, tick, ...wid] = text.split(':');
  return { token: Number(token), tick: Number(tick), wid: wid.join(':') };
}

/**
 * Performs one side effect and says how it ended. A refusal is read from the
 * item the failed write returns (`ALL_OLD`): if its log already holds this
 * attempt's id, an earlier try of the same request (an SDK retry after a lost
 * response) landed, and the write counts as accepted. Both conditions only
 * ever tighten (the fence and `lastTick` only grow), so a refusal is final: a
 * delayed earlier try cannot land afterwards.
 */
export async function writeSideEffect(
  doc: DynamoDBDocumentClient,
  tableName: string,
  effect: SideEffect,
  options: ResourceWriteOptions,
): Promise<{ outcome: WriteOutcomeKind; fence?: number; error?: string }> {
  const entry = encodeEntry(effect);
  const input: UpdateCommandInput = {
    TableName: tableName,
    Key: { [LeaseTableSchema.partitionKey]: effect.resource, [LeaseTableSchema.sortKey]: RESOURCE_SORT_KEY },
    UpdateExpression:
      'SET #log = list_append(if_not_exists(#log, :empty), :entry), #lastTick = :tick, #lastWid = ' +
      ':wid ADD #writes :one',
    ExpressionAttributeNames: { '#log': 'log', '#lastTick': 'lastTick', '#lastWid': 'lastWid', '#writes': 'writes' },
    ExpressionAttributeValues: { ':empty': [], ':entry': [entry], ':tick': effect.tick, ':wid': effect.wid, ':one': 1 },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    ...(options.tickDedupe ? { ConditionExpression: 'attribute_not_exists(#lastTick) OR #lastTick < :tick' } : {}),
  };
  try {
    if (options.fence) await fencedUpdate(doc, input, effect.token);
    else await doc.send(new UpdateCommand(input));
    return { outcome: 'accepted' };
  } catch (error) {
    const refusal = error instanceof StaleTokenError ? error.cause : error;
    if ((refusal as Error | undefined)?.name !== 'ConditionalCheckFailedException')
      return { outcome: 'unknown', error: describe(error) };
    const item = (refusal as { Item?: Record<string, unknown> }).Item;
    const found = item ? unmarshall(item as never) : {};
    const fence = typeof found.fence === 'number' ? found.fence : undefined;
    const log = Array.isArray(found.log) ? (found.log as string[]) : [];
    if (log.some((e) => e.endsWith(`:${effect.wid}`))) return { outcome: 'accepted' };
    return {
      outcome: error instanceof StaleTokenError ? 'stale' : 'tick-done',
      ...(fence === undefined ? {} : { fence }),
    };
  }
}

/** A strongly consistent scan of the resource table. */
export async function scanResources(doc: DynamoDBDocumentClient, tableName: string): Promise<ResourceState[]> {
  const states: ResourceState[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) {
      if (item[LeaseTableSchema.sortKey] !== RESOURCE_SORT_KEY) continue;
      states.push({
        id: String(item[LeaseTableSchema.partitionKey]),
        ...(item.fence === undefined ? {} : { fence: Number(item.fence) }),
        ...(item.lastTick === undefined ? {} : { lastTick: Number(item.lastTick) }),
        log: ((item.log as string[] | undefined) ?? []).map(decodeEntry),
      });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return states.sort((a, b) => a.id.localeCompare(b.id));
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { name?: string } };
  return `${e.name ?? 'Error'}: ${e.message ?? String(error)}${e.cause?.name ? ` (cause: ${e.cause.name})` : ''}`;
}
