import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { LeaseAttribute, LeaseTableSchema } from './contract.js';
import { LeaseValidationError } from './errors.js';

/** One write unit covers an item up to this size; a bigger lease item would make every write cost two. */
export const WRITE_UNIT_BYTES = 1024;

/**
 * An item's size as DynamoDB bills it: each attribute's name in UTF-8 plus its
 * value (strings in UTF-8, numbers about one byte per two significant digits
 * plus one, maps and lists 3 bytes plus one per element plus their contents).
 */
export function itemBytes(item: Readonly<Record<string, AttributeValue>>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) total += utf8(name) + valueBytes(value);
  return total;
}

function valueBytes(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return numberBytes(v.N);
  if (v.B !== undefined) return v.B.byteLength;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((sum, [k, x]) => sum + utf8(k) + valueBytes(x) + 1, 0);
  if (v.L !== undefined) return 3 + v.L.reduce((sum, x) => sum + valueBytes(x) + 1, 0);
  if (v.SS !== undefined) return v.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((sum, n) => sum + numberBytes(n), 0);
  if (v.BS !== undefined) return v.BS.reduce((sum, b) => sum + b.byteLength, 0);
  return 0;
}

function numberBytes(n: string): number {
  const digits = n.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function utf8(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** The longest holder name a client accepts: another worker's name may be this long on the item (a handoff requester, an operator). */
const HOLDER_NAME_MAX = 128;

/** What a lease item can hold at most, attribute by attribute, for `leaseItemBytes`. */
export interface LeaseItemShape {
  readonly name: string;
  /** The longest owner id that may hold the lease: a holder name plus `#` and 32 hex digits. */
  readonly holderName: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** With the priority and a pending handoff request from a holder name as long as `holderName`. */
  readonly election?: boolean;
  /** With the tick bookkeeping of the scheduled handler (`lastTick`, `releasedBy`, `releasedAt`). */
  readonly tick?: boolean;
}

/** Epoch ms in the year 2286 and beyond would take one byte more; a duration or token this large never occurs. */
const LARGE_NUMBER = { N: String(Number.MAX_SAFE_INTEGER) };

/**
 * The largest size the lease item reaches with `shape`: every number at 16
 * significant digits, an owner id of `holderName`'s length, and the optional
 * attributes the shape includes. Written once here so the check before a
 * request and the bench's report agree.
 */
export function leaseItemBytes(shape: LeaseItemShape): number {
  const owner = { S: `${shape.holderName}#${'f'.repeat(32)}` };
  const item: Record<string, AttributeValue> = {
    [LeaseTableSchema.partitionKey]: { S: shape.name },
    [LeaseTableSchema.sortKey]: { S: LeaseTableSchema.leaseSortKey },
    [LeaseAttribute.holder]: owner,
    [LeaseAttribute.token]: LARGE_NUMBER,
    [LeaseAttribute.version]: LARGE_NUMBER,
    [LeaseAttribute.expiresAt]: LARGE_NUMBER,
    [LeaseAttribute.durationMs]: LARGE_NUMBER,
    [LeaseAttribute.acquiredAt]: LARGE_NUMBER,
    [LeaseAttribute.renewedAt]: LARGE_NUMBER,
    // A release of the previous tenure stays on the item.
    [LeaseAttribute.releasedAt]: LARGE_NUMBER,
    [LeaseAttribute.releasedBy]: { S: `operator:${'x'.repeat(HOLDER_NAME_MAX)}` },
  };
  if (shape.metadata)
    item[LeaseAttribute.metadata] = {
      M: Object.fromEntries(Object.entries(shape.metadata).map(([k, v]) => [k, { S: v }])),
    };
  if (shape.election) {
    item[LeaseAttribute.priority] = LARGE_NUMBER;
    item[LeaseAttribute.handoffTo] = { S: 'x'.repeat(HOLDER_NAME_MAX) };
    item[LeaseAttribute.handoffPriority] = LARGE_NUMBER;
  }
  if (shape.tick) item[LeaseAttribute.lastTick] = LARGE_NUMBER;
  return itemBytes(item);
}

/**
 * Refuses `metadata` that could make the lease item exceed one write unit: in
 * the worst case (an election's priority and a pending handoff, a scheduled
 * tick, a forced release's operator name), before any request is sent.
 */
export function validateItemFits(
  name: string,
  holderName: string,
  metadata: Readonly<Record<string, string>> | undefined,
): void {
  if (metadata === undefined) return;
  const bytes = leaseItemBytes({ name, holderName, metadata, election: true, tick: true });
  if (bytes > WRITE_UNIT_BYTES) {
    const without = leaseItemBytes({ name, holderName, election: true, tick: true });
    throw new LeaseValidationError(
      'metadata',
      `would make the lease item up to ${bytes} bytes, over the ${WRITE_UNIT_BYTES} bytes of one ` +
        `write unit (every write would cost two); ${WRITE_UNIT_BYTES - without} bytes are left for ` +
        `metadata with this lease name and holder name`,
    );
  }
}
