/**
 * How the operator commands reach a lease table: the standard AWS SDK
 * environment (region, credentials, AWS_ENDPOINT_URL_DYNAMODB), overridden by
 * `--table`, `--region` and `--endpoint`. An endpoint on this machine gets the
 * fixed DynamoDB Local credentials, so `--endpoint http://127.0.0.1:PORT` just works.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatonEnv, DynamoDBLocalIdentity } from '../../lib/runtime/contract.js';
import { isTableName } from '../../lib/runtime/validate.js';
import { LeaseClient, LeaseLostError, LeaseValidationError } from '../../lib/runtime/index.js';
import { UsageError, usageError } from './args.js';

export const CONNECTION_OPTIONS = {
  table: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
} as const;

export const CONNECTION_USAGE = `  --table T       the lease table (default: $${BatonEnv.tableName})
  --region R      AWS region (default: the SDK's, e.g. $AWS_REGION)
  --endpoint URL  DynamoDB endpoint, e.g. a DynamoDB Local at http://127.0.0.1:8000
                  (credentials: the SDK's usual chain; an endpoint on 127.0.0.1 gets DynamoDB Local's fixed ones)

Exit status: 0 done, 1 the lease or AWS said no (one line on stderr says why),
2 a usage mistake.`;

export interface Connection {
  readonly leases: LeaseClient;
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Where requests go, for messages: the endpoint, or the region's. */
  readonly target: string;
}

/** Checks the connection flags (usage mistakes, exit 2) and makes the client. Sends nothing. */
export function connect(values: { table?: string; region?: string; endpoint?: string }): Connection {
  const tableName = values.table ?? process.env[BatonEnv.tableName] ?? '';
  if (tableName === '') throw new UsageError(`no table: pass --table or set ${BatonEnv.tableName}`);
  if (!isTableName(tableName))
    throw new UsageError(
      `--table must be 3 to 255 letters, digits, "_", "." or "-" (DynamoDB's rule), got "${tableName}"`,
    );
  if (values.endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(values.endpoint)) {
    throw new UsageError(
      `--endpoint must be a URL with its scheme, e.g. http://${values.endpoint.replace(/^\w+:\/\//, '') || '127.0.0.1:8000'}; ` +
        `got "${values.endpoint}"`,
    );
  }
  const local =
    values.endpoint !== undefined && /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(values.endpoint);
  const client = new DynamoDBClient({
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(values.region ? { region: values.region } : local ? { region: DynamoDBLocalIdentity.region } : {}),
    ...(local ? { credentials: { ...DynamoDBLocalIdentity.credentials } } : {}),
    // An operator waits for one answer: fail fast rather than retry an unreachable endpoint for long.
    maxAttempts: 2,
  });
  const target =
    values.endpoint ??
    `DynamoDB in ${values.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'the default region'}`;
  return { leases: new LeaseClient({ tableName, client, holderName: 'baton-cli' }), client, tableName, target };
}

/** The errors along an error's `cause` chain, outermost first. */
function causes(error: unknown): (Error & { code?: string; errno?: string })[] {
  const chain: (Error & { code?: string })[] = [];
  for (let e: unknown = error; e instanceof Error && chain.length < 10; e = e.cause) {
    chain.push(e);
    if (e instanceof AggregateError) chain.push(...e.errors.filter((x): x is Error => x instanceof Error));
  }
  return chain;
}

/**
 * What went wrong talking to DynamoDB, as one line that names the fix. The
 * SDK's errors arrive wrapped in a `LeaseError` (with `cause`); each known
 * cause gets its own sentence, anything else its name and first line.
 */
export function describeFailure(error: unknown, connection: Pick<Connection, 'tableName' | 'target'>): string {
  const chain = causes(error);
  const has = (test: (e: Error & { code?: string }) => boolean) => chain.find(test);
  const { tableName, target } = connection;
  if (has((e) => e.name === 'ResourceNotFoundException'))
    return `table "${tableName}" not found at ${target}: check --table, --region and --endpoint`;
  const network = has((e) =>
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'ENETUNREACH'].includes(
      e.code ?? '',
    ),
  );
  if (network) {
    const why =
      { ECONNREFUSED: 'connection refused', ENOTFOUND: 'no such host', EAI_AGAIN: 'name lookup failed' }[
        network.code as string
      ] ?? network.code;
    return `cannot reach ${target} (${why}): check --endpoint and --region, and that DynamoDB is running there`;
  }
  if (has((e) => e.name === 'TimeoutError' || e.name === 'RequestTimeout'))
    return `no answer from ${target} in time: check --endpoint and the network`;
  if (has((e) => /Region is missing/i.test(e.message))) return 'no AWS region: pass --region or set AWS_REGION';
  if (has((e) => e.name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message))) {
    return (
      'no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run ' +
      'where a role provides them'
    );
  }
  if (
    has((e) => ['UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException'].includes(e.name))
  ) {
    return (
      `${target} refused the AWS credentials (${has((e) => e.name.endsWith('Exception'))?.name}): ` +
      `check AWS_PROFILE or the access keys`
    );
  }
  const denied = has((e) => e.name === 'AccessDeniedException');
  if (denied)
    return (
      `not allowed: ${firstLine(denied.message)} (the caller needs dynamodb:GetItem and dynamodb:UpdateItem ` +
      `on the table)`
    );
  const validation = has((e): e is LeaseValidationError => e instanceof LeaseValidationError) as
    LeaseValidationError | undefined;
  if (validation) return `${validation.field === 'name' ? '<lease>' : validation.field} ${validation.problem}`;
  const root = chain.at(-1);
  return root === undefined ? String(error) : `${root.name}: ${firstLine(root.message)}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

/**
 * Runs an operator command's body and turns every failure into one line on
 * stderr and an exit code: a usage mistake 2 (see `usageError`), anything
 * else 1. `BATON_DEBUG=1` also prints the stack, for a bug report.
 */
export async function runOperator(usage: string, body: () => Promise<number>): Promise<number> {
  let connection: Pick<Connection, 'tableName' | 'target'> = { tableName: '?', target: 'DynamoDB' };
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError || (error instanceof LeaseValidationError && error.field === 'name')) {
      return usageError(
        error instanceof UsageError ? error : new UsageError(describeFailure(error, connection)),
        usage,
      );
    }
    if (error instanceof ConnectionFailure) connection = error.connection;
    const command = /^usage: (\S+ \S+)/.exec(usage)?.[1] ?? 'baton';
    console.error(
      `${command}: ${describeFailure(error instanceof ConnectionFailure ? error.cause : error, connection)}`,
    );
    if (process.env['BATON_DEBUG']) console.error(error);
    return 1;
  }
}

/** A failure of a request through `connection`, so that `runOperator` can name the table and endpoint. */
export class ConnectionFailure extends Error {
  constructor(
    readonly connection: Pick<Connection, 'tableName' | 'target'>,
    override readonly cause: unknown,
  ) {
    super('request failed', { cause });
  }
}

/** Sends `request` through `connection`; a failure carries the connection to the message. */
export async function through<T>(connection: Connection, request: (leases: LeaseClient) => Promise<T>): Promise<T> {
  try {
    return await request(connection.leases);
  } catch (error) {
    if (error instanceof LeaseValidationError || error instanceof LeaseLostError) throw error;
    throw new ConnectionFailure(connection, error);
  }
}

/** One line per lease item field, for people. */
/** A missing item is either case; a deleted one restarts tokens at 1, below fences already written. */
export const NO_ITEM =
  'never acquired, or its item was deleted (tokens then restart at 1: see docs/operations.md#a-deleted-lease-item)';

export function formatLease(name: string, item: Awaited<ReturnType<LeaseClient['describe']>>, now: number): string {
  if (item === undefined) return `${name}: ${NO_ITEM}`;
  const when = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString());
  // An elector's release writes expiresAt a lease ahead (docs/protocol.md#priority-handoff): it binds
  // only while a handoff request keeps the lease for its requester.
  const reserved = item.holder === undefined && item.handoffPriority !== undefined;
  let state: string;
  if (reserved)
    state =
      `free, kept for ${item.handoffTo ?? '?'} (priority ${item.handoffPriority}) until expiresAt ` +
      `plus the skew bound`;
  else if (item.holder === undefined) state = 'free';
  else
    state =
      item.expiresAt >= now
        ? `held, ${item.expiresAt - now} ms left`
        : `expired ${now - item.expiresAt} ms ago (takeover possible after the skew bound)`;
  const rows = [
    ['lease', name],
    ['state', state],
    ['holder', item.holder ?? '-'],
    ['token', String(item.token)],
    [
      'expiresAt',
      item.holder === undefined && !reserved
        ? `- (free for anyone; the item says ${when(item.expiresAt)})`
        : when(item.expiresAt),
    ],
    ['acquiredAt', when(item.acquiredAt)],
    ['renewedAt', when(item.renewedAt)],
    // A held lease's releasedAt is the previous tenure's: say so rather than show it beside `held`.
    [
      'releasedAt',
      item.holder !== undefined && item.releasedAt !== undefined
        ? `- (the previous tenure was released at ${when(item.releasedAt)})`
        : when(item.releasedAt),
    ],
    ['lastTick', when(item.lastTick)],
    ...Object.entries(item.metadata ?? {}).map(([k, v]) => [`metadata.${k}`, v]),
  ];
  return rows.map(([k, v]) => `${k!.padEnd(18)} ${v}`).join('\n');
}
