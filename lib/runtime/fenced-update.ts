import { UpdateCommand, type UpdateCommandInput, type UpdateCommandOutput } from '@aws-sdk/lib-dynamodb';
import { type AnyDynamoDBClient, toDocumentClient } from './dynamodb-lease-store.js';
import { LeaseError, LeaseValidationError, StaleTokenError } from './errors.js';
import { describeValue, validateMs, validateObject } from './validate.js';

/** Options of `fencedUpdate`. */
export interface FencedUpdateOptions {
  /** The attribute of the resource item that remembers the highest token it accepted. @default 'fence' */
  readonly fenceAttribute?: string;
}

const DEFAULT_FENCE = 'fence';
const FENCE_NAME = '#batonFence';
const TOKEN_VALUE = ':batonToken';
/** The resource accepts a token no older than any it has seen. Equal is allowed: one tenure writes many times. */
const FENCE_OPEN = `(attribute_not_exists(${FENCE_NAME}) OR ${FENCE_NAME} <= ${TOKEN_VALUE})`;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,255}$/;

/**
 * Runs `input` (a lib-dynamodb `UpdateCommandInput`) only if the target item
 * has never accepted a token greater than `token`, and records `token` as the
 * item's fence in the same write. A paused or partitioned former leader that
 * wakes up after a successor wrote is refused by DynamoDB itself.
 *
 * @example
 * ```ts
 * await fencedUpdate(client, {
 *   TableName: 'reports', Key: { id: 'daily' },
 *   UpdateExpression: 'SET #r = :r', ExpressionAttributeNames: { '#r': 'result' }, ExpressionAttributeValues: { ':r': 42 },
 * }, lease.token);
 * ```
 * @throws StaleTokenError carrying the resource's fence when `token` is stale.
 * @throws LeaseValidationError before any request on bad input.
 */
export async function fencedUpdate(
  client: AnyDynamoDBClient,
  input: UpdateCommandInput,
  token: number,
  options: FencedUpdateOptions = {},
): Promise<UpdateCommandOutput> {
  const fenced = withFence(input, token, options);
  try {
    return await toDocumentClient(client).send(new UpdateCommand(fenced));
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') {
      const item = (error as { Item?: Record<string, unknown> }).Item;
      let fence: number;
      try {
        fence = fenceOf(item, options.fenceAttribute ?? DEFAULT_FENCE);
      } catch (fenceError) {
        // A fence of another type makes the fence condition fail for every token: say so, not "condition failed".
        throw new LeaseError(`fencedUpdate on ${input.TableName}: ${(fenceError as Error).message}`, { cause: error });
      }
      if (fence > token) throw new StaleTokenError(token, fence, { cause: error });
      // The caller's own condition failed, not the fence: theirs to handle, as DynamoDB reported it.
      throw error;
    }
    throw new LeaseError(`fencedUpdate on ${input.TableName} failed: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The fenced form of `input`, for use inside a `TransactWriteItems`
 * (`{ Update: withFence(input, token) }`): the same condition and fence
 * assignment that `fencedUpdate` sends, with `ALL_OLD` on condition failure so
 * `fenceOf(reason.Item)` tells a stale token apart from the caller's own condition.
 * @throws LeaseValidationError on bad input.
 */
export function withFence<T extends UpdateCommandInput>(input: T, token: number, options: FencedUpdateOptions = {}): T {
  validateMs('token', token, { max: Number.MAX_SAFE_INTEGER });
  const fenceAttribute = validateFenceOptions(options);
  if (input === null || typeof input !== 'object')
    throw new LeaseValidationError('input', 'must be an UpdateCommandInput');
  if (typeof input.TableName !== 'string' || input.TableName.length === 0)
    throw new LeaseValidationError('input.TableName', 'must be a non-empty string');
  if (input.Key === null || typeof input.Key !== 'object')
    throw new LeaseValidationError('input.Key', 'is required (an object of key attributes)');
  if (typeof input.UpdateExpression !== 'string' || input.UpdateExpression.trim() === '') {
    throw new LeaseValidationError('input.UpdateExpression', 'is required (the fence joins it)');
  }
  if (input.ConditionExpression !== undefined && typeof input.ConditionExpression !== 'string') {
    throw new LeaseValidationError('input.ConditionExpression', 'must be a string');
  }
  const names = placeholders('input.ExpressionAttributeNames', input.ExpressionAttributeNames, FENCE_NAME);
  const values = placeholders('input.ExpressionAttributeValues', input.ExpressionAttributeValues, TOKEN_VALUE);
  return {
    ...input,
    UpdateExpression: withFenceAssignment(input.UpdateExpression),
    ConditionExpression: input.ConditionExpression ? `(${input.ConditionExpression}) AND ${FENCE_OPEN}` : FENCE_OPEN,
    ExpressionAttributeNames: { ...names, [FENCE_NAME]: fenceAttribute },
    ExpressionAttributeValues: { ...values, [TOKEN_VALUE]: token },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * The fence recorded on a resource item, or 0 if it has none. Takes the item
 * either as DynamoDB returned it (marshalled, as in a cancellation reason's
 * `Item`) or as the document client returns it (plain values).
 * @throws LeaseValidationError when `item` is not an object or `fenceAttribute` is not a valid name.
 * @throws LeaseError when the item's fence attribute holds something other than a number.
 */
export function fenceOf(item: Record<string, unknown> | undefined, fenceAttribute: string = DEFAULT_FENCE): number {
  const attribute = validateFenceOptions({ fenceAttribute });
  if (item === undefined) return 0;
  if (item === null || typeof item !== 'object' || Array.isArray(item))
    throw new LeaseValidationError('item', 'must be an item object or undefined');
  const value: unknown = item[attribute];
  if (value === undefined) return 0;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  // Marshalled: { N: "5" }. Anything else ({ S: ... }, a string) is not a fence Baton wrote.
  const marshalled = value !== null && typeof value === 'object' ? (value as { N?: unknown }).N : undefined;
  if (typeof marshalled === 'string' && Number.isFinite(Number(marshalled))) return Number(marshalled);
  throw new LeaseError(`the item's fence attribute "${attribute}" is not a number: ${describeValue(value)}`);
}

function validateFenceOptions(options: FencedUpdateOptions | null): string {
  validateObject('options', options);
  const fenceAttribute = options.fenceAttribute ?? DEFAULT_FENCE;
  if (typeof fenceAttribute !== 'string' || !ATTRIBUTE_NAME.test(fenceAttribute)) {
    throw new LeaseValidationError('fenceAttribute', `is not a valid attribute name: ${describeValue(fenceAttribute)}`);
  }
  return fenceAttribute;
}

/** The caller's placeholder map, refused when it already uses Baton's own placeholder. */
function placeholders(field: string, value: unknown, ours: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new LeaseValidationError(field, 'must be an object');
  if (Object.hasOwn(value, ours))
    throw new LeaseValidationError(field, `must not use ${ours}: the fence needs that placeholder`);
  return value as Record<string, unknown>;
}

/** The clause keywords of an update expression. Each may appear once. */
const CLAUSE = new Set(['SET', 'REMOVE', 'ADD', 'DELETE']);
/** Words of an expression, with the character before each: `#set`, `:set` and `a.set` are not the keyword. */
const WORD = /[A-Za-z_][A-Za-z0-9_]*/g;

/**
 * Adds `#batonFence = :batonToken` to the SET clause. DynamoDB allows each
 * clause keyword once per expression, so it joins an existing SET rather than
 * appending a second one. A word is the SET keyword only when it stands alone:
 * placeholders (`#set`, `:set`) and path elements (`a.set`) contain the same
 * letters, and a bare attribute name can never be a reserved word.
 */
function withFenceAssignment(expression: string): string {
  const assignment = `${FENCE_NAME} = ${TOKEN_VALUE}`;
  for (const match of expression.matchAll(WORD)) {
    const before = expression[match.index - 1];
    if (before !== undefined && /[#:.\w]/.test(before)) continue;
    if (!CLAUSE.has(match[0].toUpperCase()) || match[0].toUpperCase() !== 'SET') continue;
    const at = match.index + match[0].length;
    return `${expression.slice(0, at)} ${assignment},${expression.slice(at)}`;
  }
  return `SET ${assignment} ${expression}`;
}
