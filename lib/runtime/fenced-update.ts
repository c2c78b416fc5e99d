import { UpdateCommand, type UpdateCommandInput, type UpdateCommandOutput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type AnyDynamoDBClient, toDocumentClient } from './dynamodb-lease-store.js';
import { LeaseError, LeaseValidationError, StaleTokenError } from './errors.js';
import { validateMs } from './validate.js';

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
      const fence = fenceOf(item, options.fenceAttribute ?? DEFAULT_FENCE);
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
  const fenceAttribute = options.fenceAttribute ?? DEFAULT_FENCE;
  if (!ATTRIBUTE_NAME.test(fenceAttribute)) throw new LeaseValidationError('fenceAttribute', `is not a valid attribute name: ${JSON.stringify(fenceAttribute)}`);
  if (input === null || typeof input !== 'object') throw new LeaseValidationError('input', 'must be an UpdateCommandInput');
  if (typeof input.TableName !== 'string' || input.TableName.length === 0) throw new LeaseValidationError('input.TableName', 'must be a non-empty string');
  if (input.Key === undefined) throw new LeaseValidationError('input.Key', 'is required');
  if (input.UpdateExpression === undefined) throw new LeaseValidationError('input.UpdateExpression', 'is required (the fence joins it)');
  return {
    ...input,
    UpdateExpression: withFenceAssignment(input.UpdateExpression),
    ConditionExpression: input.ConditionExpression ? `(${input.ConditionExpression}) AND ${FENCE_OPEN}` : FENCE_OPEN,
    ExpressionAttributeNames: { ...input.ExpressionAttributeNames, [FENCE_NAME]: fenceAttribute },
    ExpressionAttributeValues: { ...input.ExpressionAttributeValues, [TOKEN_VALUE]: token },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** The fence recorded on a resource item as DynamoDB returned it (marshalled), or 0 if it has none. */
export function fenceOf(item: Record<string, unknown> | undefined, fenceAttribute = DEFAULT_FENCE): number {
  if (item === undefined) return 0;
  const value = unmarshall(item as never)[fenceAttribute];
  return value === undefined ? 0 : Number(value);
}

/**
 * Adds `#batonFence = :batonToken` to the SET clause. DynamoDB allows each
 * clause keyword once per expression, so it joins an existing SET rather than
 * appending a second one. Keywords are reserved words, so a bare `SET` cannot
 * be an attribute name.
 */
function withFenceAssignment(expression: string): string {
  const assignment = `${FENCE_NAME} = ${TOKEN_VALUE}`;
  const set = /\bSET\b/i.exec(expression);
  if (set === null) return `SET ${assignment} ${expression}`;
  const at = set.index + set[0].length;
  return `${expression.slice(0, at)} ${assignment},${expression.slice(at)}`;
}
