import {
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { LeaseAttribute, LeaseTableSchema, StepItem } from './contract.js';
import { LeaseValidationError } from './errors.js';
import { validateTableName } from './validate.js';
import type { LeaseRecord } from './lease-record.js';
import type {
  AcquireCommand,
  GuardedWriteCommand,
  HandoffCommand,
  LeaseStore,
  RecordStepCommand,
  StepJournalQuery,
  StepRecord,
  StepWriteOutcome,
  ReleaseCommand,
  RenewCommand,
  StoreRequestOptions,
  TenureRef,
  WriteOutcome,
} from './lease-store.js';

const TRANSACT_ACTIONS = new Set(['ConditionCheck', 'Put', 'Delete', 'Update']);

/** Either client shape the public API accepts. */
export type AnyDynamoDBClient = DynamoDBClient | DynamoDBDocumentClient;

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** Wraps a plain client in a document client once; a document client is used as given. */
export function toDocumentClient(client: AnyDynamoDBClient): DynamoDBDocumentClient {
  if (client instanceof DynamoDBDocumentClient) return client;
  let doc = documentClients.get(client);
  if (doc === undefined) {
    // `DynamoDBDocumentClient.from(client)` writes its translate configuration onto
    // `client.config`, which every other document client built on `client` shares:
    // a caller's own `wrapNumbers` client would silently start returning plain
    // numbers. Ours gets a copy of the config; the middleware stack is shared, so
    // the caller's middleware (request counters, tracing) still sees our requests.
    const view = { config: { ...client.config }, middlewareStack: client.middlewareStack } as unknown as DynamoDBClient;
    doc = DynamoDBDocumentClient.from(view);
    documentClients.set(client, doc);
  }
  return doc;
}

/** One document client per plain client, so `fencedUpdate` does not build one per call. */
const documentClients = new WeakMap<DynamoDBClient, DynamoDBDocumentClient>();

// Attribute names always go through ExpressionAttributeNames: several of ours
// (token, ttl) are DynamoDB reserved words.
// Placeholders are `#` plus the attribute's contract key.
const NAMES = Object.fromEntries(Object.entries(LeaseAttribute).map(([key, attribute]) => [`#${key}`, attribute]));

const PLACEHOLDER = /#[A-Za-z]+/g;

/** The `ExpressionAttributeNames` an expression needs: exactly the placeholders it uses (DynamoDB rejects unused ones). */
function namesUsedBy(...expressions: string[]): Record<string, string> {
  const used = new Set(expressions.join(' ').match(PLACEHOLDER));
  return Object.freeze(Object.fromEntries(Object.entries(NAMES).filter(([placeholder]) => used.has(placeholder))));
}

/** Nobody holds the lease, and no handoff keeps it for a candidate of higher priority than the caller's. */
const VACANT = '(attribute_not_exists(#holder) AND attribute_not_exists(#handoffPriority))';
const VACANT_FOR_PRIORITY =
  '(attribute_not_exists(#holder) AND (attribute_not_exists(#handoffPriority) OR #handoffPriority <= :priority))';
/** The wall-clock rule: the holder's expiry lies beyond the skew bound (docs/protocol.md#the-holders-deadline). */
const EXPIRED = '#expiresAt < :staleBefore';
/** The clock-free rule: still the very version the caller watched for a whole lease (docs/protocol.md#clock-free-takeover). */
const AT_VERSION = '#token = :seenToken AND #version = :seenVersion';
/** Items written before versions existed are at version 0. */
const AT_VERSION_ZERO = '#token = :seenToken AND attribute_not_exists(#version)';
/** No candidate asked this tenure to hand over; a renew that fails on this clause tells the holder. */
const NO_HANDOFF = 'attribute_not_exists(#handoffPriority)';
/** The holder recorded a lower priority than the candidate's, and no request at least as high is pending. */
const MAY_ASK =
  'attribute_exists(#holder) AND #token = :token AND #priority < :priority AND (attribute_not_exists(#handoffPriority) ' +
  'OR #handoffPriority < :priority)';
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
 * One request shape: its expressions and the names they use, worked out once
 * when the module loads, so the hot path only fills in values
 * (docs/decisions/performance.md).
 */
interface RequestShape {
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
}

function shape(update: string, condition: string): RequestShape {
  return {
    UpdateExpression: update,
    ConditionExpression: condition,
    ExpressionAttributeNames: namesUsedBy(update, condition),
  };
}

/** How a held lease may be taken: by wall-clock expiry, clock-free at an observed version (token, version 0 or not), or not at all. */
type Takeover = 'expired' | 'version' | 'version-zero' | 'none';
const TAKEOVERS = { expired: EXPIRED, version: AT_VERSION, 'version-zero': AT_VERSION_ZERO, none: undefined } as const;

/** One acquire shape per combination of metadata, tick, priority and takeover rule; built lazily, then reused. */
function acquireShape(metadata: boolean, tick: boolean, priority: boolean, takeover: Takeover): RequestShape {
  const set = [
    '#holder = :owner',
    '#expiresAt = :expiresAt',
    '#durationMs = :durationMs',
    '#acquiredAt = :now',
    '#renewedAt = :now',
    ...(metadata ? ['#metadata = :metadata'] : []),
    ...(priority ? ['#priority = :priority'] : []),
  ];
  // A new tenure inherits neither the previous holder's metadata and priority nor the handoff request it answered.
  const remove = [
    ...(metadata ? [] : ['#metadata']),
    ...(priority ? [] : ['#priority']),
    '#handoffTo',
    '#handoffPriority',
  ];
  const vacant = priority ? VACANT_FOR_PRIORITY : VACANT;
  const rule = TAKEOVERS[takeover];
  const free = rule === undefined ? vacant : `(${vacant} OR (${rule}))`;
  return shape(
    `SET ${set.join(', ')} REMOVE ${remove.join(', ')} ADD #token :one, #version :one`,
    tick ? `${free} AND ${TICK_NOT_DONE}` : free,
  );
}

const acquireShapes = new Map<string, RequestShape>();
function acquireShapeFor(c: AcquireCommand, takeover: Takeover): RequestShape {
  const flags = [c.metadata !== undefined, c.tick !== undefined, c.priority !== undefined] as const;
  const id = `${flags.join()},${takeover}`;
  let found = acquireShapes.get(id);
  if (found === undefined) acquireShapes.set(id, (found = acquireShape(...flags, takeover)));
  return found;
}

function releaseShape(tick: boolean): RequestShape {
  const set = [
    '#expiresAt = :expiresAt',
    '#releasedAt = :now',
    '#releasedBy = :releasedBy',
    ...(tick ? ['#lastTick = :tick'] : []),
  ];
  return shape(
    `REMOVE #holder, #metadata SET ${set.join(', ')} ADD #version :one`,
    tick ? `${IS_MINE} AND ${TICK_NOT_OLDER}` : IS_MINE,
  );
}

const SHAPES = {
  renew: shape(
    'SET #expiresAt = :expiresAt, #durationMs = :durationMs, #renewedAt = :now ADD #version :one',
    `${IS_MINE} AND ${NOT_SHORTER} AND ${NO_HANDOFF}`,
  ),
  release: [releaseShape(false), releaseShape(true)],
  requestHandoff: shape('SET #handoffTo = :requester, #handoffPriority = :priority ADD #version :one', MAY_ASK),
} as const;

/**
 * The step fence (docs/protocol.md#steps): a record is written where none is,
 * or over one of a strictly older tenure. A superseded tenure's late record
 * therefore never replaces a newer tenure's; an equal token means this
 * tenure's own earlier try (an SDK retry after a lost answer).
 */
const STEP_FENCE = 'attribute_not_exists(#pk) OR #token < :token';
const STEP_NAMES = {
  '#pk': LeaseTableSchema.partitionKey,
  '#tick': StepItem.tick,
  '#step': StepItem.step,
  '#token': StepItem.token,
  '#holder': StepItem.holder,
  '#recordedAt': StepItem.recordedAt,
  '#ttl': StepItem.ttl,
  '#value': StepItem.value,
} as const;
const STEP_SET = '#tick = :tick, #step = :step, #token = :token, #holder = :holder, #recordedAt = :now, #ttl = :ttl';
/** Two shapes: with a value, and without one (a step that returned `undefined` leaves none behind, even over an older record's). */
const RECORD_STEP = [
  { UpdateExpression: `SET ${STEP_SET}, #value = :value`, ExpressionAttributeNames: STEP_NAMES },
  { UpdateExpression: `SET ${STEP_SET} REMOVE #value`, ExpressionAttributeNames: STEP_NAMES },
] as const;
const READ_STEPS = {
  KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
  ExpressionAttributeNames: { '#pk': LeaseTableSchema.partitionKey, '#sk': LeaseTableSchema.sortKey },
} as const;

/** The sort key of a step item: `STEP#<tick>#<step>`. */
export function stepSortKey(tick: number, step: string): string {
  return `${stepJournalPrefix(tick)}${step}`;
}

/** The sort-key prefix of one tick's journal; the trailing `#` keeps tick 17 out of tick 170's journal. */
function stepJournalPrefix(tick: number): string {
  return `${StepItem.sortKeyPrefix}${tick}#`;
}

/** Constant attribute values, marshalled once. */
const ONE: AttributeValue = { N: '1' };
const LEASE_SORT_KEY_VALUE: AttributeValue = { S: LeaseTableSchema.leaseSortKey };

/**
 * The DynamoDB adapter of the `LeaseStore` port: every operation is exactly one
 * request, and every conditional write asks for `ALL_OLD` on condition failure
 * so the caller learns the current state without a read.
 */
export class DynamoDBLeaseStore implements LeaseStore {
  // The protocol's own requests are built as AttributeValues and sent as plain
  // commands, skipping the document client's per-request marshalling; a
  // document client given by the caller sends them just as well (it shares the
  // plain client's middleware stack). The document client serves guardedWrite,
  // whose items are the caller's, in lib-dynamodb shapes.
  private readonly client: DynamoDBClient;
  private readonly given: AnyDynamoDBClient;
  #doc: DynamoDBDocumentClient | undefined;

  constructor(
    client: AnyDynamoDBClient,
    private readonly tableName: string,
  ) {
    if (typeof (client as { send?: unknown } | null | undefined)?.send !== 'function') {
      throw new LeaseValidationError('client', 'must be a DynamoDBClient or DynamoDBDocumentClient');
    }
    validateTableName('tableName', tableName);
    this.given = client;
    // Typed as the plain client: a document client's `send` takes plain commands at run time, but its types only list its own.
    this.client = client as DynamoDBClient;
  }

  private get doc(): DynamoDBDocumentClient {
    return (this.#doc ??= toDocumentClient(this.given));
  }

  acquire(c: AcquireCommand, options?: StoreRequestOptions): Promise<WriteOutcome> {
    const values: Record<string, AttributeValue> = {
      ':owner': { S: c.owner },
      ':expiresAt': number(c.now + c.durationMs),
      ':durationMs': number(c.durationMs),
      ':now': number(c.now),
      ':one': ONE,
    };
    const observed = c.clockFree?.observed;
    const takeover: Takeover =
      c.clockFree === undefined
        ? 'expired'
        : observed === undefined
          ? 'none'
          : observed.version === 0
            ? 'version-zero'
            : 'version';
    if (takeover === 'expired') values[':staleBefore'] = number(c.now - c.skewMs);
    if (observed !== undefined) values[':seenToken'] = number(observed.token);
    if (takeover === 'version') values[':seenVersion'] = number(observed!.version);
    if (c.metadata)
      values[':metadata'] = { M: Object.fromEntries(Object.entries(c.metadata).map(([k, v]) => [k, { S: v }])) };
    if (c.priority !== undefined) values[':priority'] = number(c.priority);
    if (c.tick !== undefined) values[':tick'] = number(c.tick);
    // The previous token and holder, and nothing more, are what a win needs: UPDATED_OLD.
    return this.update(c.name, acquireShapeFor(c, takeover), 'UPDATED_OLD', values, options);
  }

  renew(c: RenewCommand, options?: StoreRequestOptions): Promise<WriteOutcome> {
    // A success needs no item back; a failure still returns the item (ALL_OLD on condition failure).
    return this.update(
      c.name,
      SHAPES.renew,
      'NONE',
      {
        ':owner': { S: c.owner },
        ':token': number(c.token),
        ':expiresAt': number(c.now + c.durationMs),
        ':durationMs': number(c.durationMs),
        ':now': number(c.now),
        ':one': ONE,
      },
      options,
    );
  }

  release(c: ReleaseCommand, options?: StoreRequestOptions): Promise<WriteOutcome> {
    const values: Record<string, AttributeValue> = {
      ':owner': { S: c.owner },
      ':token': number(c.token),
      ':now': number(c.now),
      ':releasedBy': { S: c.releasedBy ?? c.owner },
      ':expiresAt': number(c.now + (c.reserveMs ?? 0)),
      ':one': ONE,
    };
    if (c.tick !== undefined) values[':tick'] = number(c.tick);
    return this.update(c.name, SHAPES.release[c.tick === undefined ? 0 : 1]!, 'NONE', values, options);
  }

  requestHandoff(c: HandoffCommand): Promise<WriteOutcome> {
    return this.update(
      c.name,
      SHAPES.requestHandoff,
      'NONE',
      {
        ':token': number(c.token),
        ':requester': { S: c.requester },
        ':priority': number(c.priority),
        ':one': ONE,
      },
      undefined,
    );
  }

  async read(name: string, options?: StoreRequestOptions): Promise<LeaseRecord | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: itemKey(name), ConsistentRead: true }),
      sendOptions(options),
    );
    return out.Item ? decodeLeaseItem(name, out.Item) : undefined;
  }

  async guardedWrite(c: GuardedWriteCommand): Promise<WriteOutcome> {
    c.items.forEach((item, i) => this.#validateTransactItem(`items[${i}]`, item, c.name));
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
      const reasons = (
        error as { name?: string; CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[] }
      ).CancellationReasons;
      const ours = reasons?.[items.length - 1];
      if ((error as Error).name === 'TransactionCanceledException' && ours?.Code === 'ConditionalCheckFailed') {
        return {
          applied: false,
          current: ours.Item ? decodeLeaseItem(c.name, ours.Item as Record<string, AttributeValue>) : undefined,
        };
      }
      throw error;
    }
  }

  /** One consistent `Query` of the tick's sort-key range (more only past 1 MB); see `LeaseStore.readSteps`. */
  async readSteps(q: StepJournalQuery, options?: StoreRequestOptions): Promise<StepRecord[]> {
    const records: StepRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    // One request unless the journal passes DynamoDB's 1 MB page.
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          ...READ_STEPS,
          ExpressionAttributeValues: { ':pk': { S: q.name }, ':prefix': { S: stepJournalPrefix(q.tick) } },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
        sendOptions(options),
      );
      for (const item of out.Items ?? []) {
        const record = decodeStepItem(item);
        if (record !== undefined) records.push(record);
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return records;
  }

  /** One `UpdateItem` with the token fence; see `LeaseStore.recordStep`. */
  async recordStep(c: RecordStepCommand, options?: StoreRequestOptions): Promise<StepWriteOutcome> {
    const values: Record<string, AttributeValue> = {
      ':tick': number(c.tick),
      ':step': { S: c.step },
      ':token': number(c.token),
      ':holder': { S: c.holder },
      ':now': number(c.recordedAt),
      ':ttl': number(c.ttl),
    };
    if (c.value !== undefined) values[':value'] = { S: c.value };
    try {
      // UpdateItem rather than PutItem: the lease grant already has it, so steps need no new write action.
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: {
            [LeaseTableSchema.partitionKey]: { S: c.name },
            [LeaseTableSchema.sortKey]: { S: stepSortKey(c.tick, c.step) },
          },
          ...RECORD_STEP[c.value === undefined ? 1 : 0],
          ConditionExpression: STEP_FENCE,
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        sendOptions(options),
      );
      return { applied: true };
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const item = (error as { Item?: Record<string, AttributeValue> }).Item;
      return { applied: false, current: item ? decodeStepItem(item) : undefined };
    }
  }

  /** One caller item: a single lib-dynamodb action that does not touch the lease item, checked before any request. */
  #validateTransactItem(field: string, item: unknown, leaseName: string): void {
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      throw new LeaseValidationError(field, 'must be a TransactItems entry object');
    const actions = Object.entries(item).filter(([action]) => TRANSACT_ACTIONS.has(action));
    if (actions.length !== 1 || Object.keys(item).length !== 1) {
      throw new LeaseValidationError(field, 'must hold exactly one of ConditionCheck, Put, Delete, Update');
    }
    const body = actions[0]![1] as {
      TableName?: unknown;
      Key?: Record<string, unknown>;
      Item?: Record<string, unknown>;
    } | null;
    if (body === null || typeof body !== 'object') throw new LeaseValidationError(field, 'must hold an action object');
    const target = body.Key ?? body.Item;
    if (
      body.TableName === this.tableName &&
      target?.[LeaseTableSchema.partitionKey] === leaseName &&
      target?.[LeaseTableSchema.sortKey] === LeaseTableSchema.leaseSortKey
    ) {
      throw new LeaseValidationError(
        field,
        'must not target the lease item itself: the guard already checks it, and DynamoDB refuses two ' +
          'actions on one item',
      );
    }
  }

  private async update(
    name: string,
    shape: RequestShape,
    returnValues: 'UPDATED_OLD' | 'NONE',
    values: Record<string, AttributeValue>,
    options: StoreRequestOptions | undefined,
  ): Promise<WriteOutcome> {
    const input: UpdateItemCommandInput = {
      TableName: this.tableName,
      Key: itemKey(name),
      UpdateExpression: shape.UpdateExpression,
      ConditionExpression: shape.ConditionExpression,
      ExpressionAttributeNames: shape.ExpressionAttributeNames,
      ExpressionAttributeValues: values,
      ReturnValues: returnValues,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
    try {
      const out = await this.client.send(new UpdateItemCommand(input), sendOptions(options));
      return { applied: true, before: out.Attributes ? decodeLeaseItem(name, out.Attributes) : undefined };
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const item = (error as { Item?: Record<string, AttributeValue> }).Item;
      return { applied: false, current: item ? decodeLeaseItem(name, item) : undefined };
    }
  }
}

/**
 * The SDK's per-call options: the signal aborts the HTTP request in flight and
 * stops the SDK's own retries (each attempt checks it before it is sent).
 */
function sendOptions(options: StoreRequestOptions | undefined): { abortSignal: AbortSignal } | undefined {
  return options?.signal === undefined ? undefined : { abortSignal: options.signal };
}

/** The lease item's key in lib-dynamodb's plain shape (guardedWrite's check). */
function key(name: string): Record<string, string> {
  return { [LeaseTableSchema.partitionKey]: name, [LeaseTableSchema.sortKey]: LeaseTableSchema.leaseSortKey };
}

/** The lease item's key as AttributeValues, for the plain commands. */
function itemKey(name: string): Record<string, AttributeValue> {
  return { [LeaseTableSchema.partitionKey]: { S: name }, [LeaseTableSchema.sortKey]: LEASE_SORT_KEY_VALUE };
}

function number(value: number): AttributeValue {
  return { N: String(value) };
}

function mine(t: TenureRef): Record<string, unknown> {
  return { ':owner': t.owner, ':token': t.token };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The record's optional fields by the AttributeValue type they are stored as. */
const NUMBER_FIELDS = [
  'durationMs',
  'acquiredAt',
  'renewedAt',
  'releasedAt',
  'lastTick',
  'version',
  'priority',
  'handoffPriority',
] as const;
const STRING_FIELDS = ['holder', 'releasedBy', 'handoffTo'] as const;

/**
 * Decodes a lease item straight from its AttributeValues, with no generic
 * unmarshalling on the hot path (docs/decisions/performance.md). Absent
 * attributes, and attributes of an unexpected type, stay absent.
 */
export function decodeLeaseItem(name: string, item: Record<string, AttributeValue>): LeaseRecord {
  const record: Mutable<LeaseRecord> = {
    name,
    token: Number(item[LeaseAttribute.token]?.N ?? 0),
    expiresAt: Number(item[LeaseAttribute.expiresAt]?.N ?? 0),
  };
  for (const field of NUMBER_FIELDS) {
    const value = item[LeaseAttribute[field]]?.N;
    if (value !== undefined) record[field] = Number(value);
  }
  for (const field of STRING_FIELDS) {
    const value = item[LeaseAttribute[field]]?.S;
    if (value !== undefined) record[field] = value;
  }
  const metadata = item[LeaseAttribute.metadata]?.M;
  if (metadata !== undefined) {
    record.metadata = Object.fromEntries(
      Object.entries(metadata).flatMap(([key, value]) => (value.S === undefined ? [] : [[key, value.S]])),
    );
  }
  return record;
}

/** Decodes a step item; an item in the journal's key range that is not a step record (written by hand) is skipped. */
function decodeStepItem(item: Record<string, AttributeValue>): StepRecord | undefined {
  const tick = item[StepItem.tick]?.N;
  const step = item[StepItem.step]?.S;
  const token = item[StepItem.token]?.N;
  if (tick === undefined || step === undefined || token === undefined) return undefined;
  const value = item[StepItem.value]?.S;
  return {
    tick: Number(tick),
    step,
    token: Number(token),
    holder: item[StepItem.holder]?.S ?? '',
    recordedAt: Number(item[StepItem.recordedAt]?.N ?? 0),
    ttl: Number(item[StepItem.ttl]?.N ?? 0),
    ...(value === undefined ? {} : { value }),
  };
}
